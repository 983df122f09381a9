/**
 * The ledger rules shared by every store: which entries an earning's credit and reversal
 * produce, and their idempotency keys. SQL and Lua adapters reproduce these exact keys.
 * @module
 */
import { commissionOf } from './money.js';
import type { EarningRecord, LedgerEntryKind, WalletOperation } from './records.js';

/** Idempotency key of an earning's ledger entry: `earning:<earningId>:<kind>`. */
export function ledgerKey(earningId: string, kind: LedgerEntryKind): string {
  return `earning:${earningId}:${kind}`;
}

/** Commission of an earning under a click's terms (`0n` without a referrer). */
export function earningCommission(amountMinor: bigint, referrerId: string | null, commissionPpm: number): bigint {
  return referrerId === null ? 0n : commissionOf(amountMinor, commissionPpm);
}

/** The money fields of an earning that its ledger entries derive from. */
export type EarningMoney = Pick<EarningRecord, 'earningId' | 'userId' | 'amountMinor' | 'referrerId' | 'commissionMinor'>;

/** The credit entries of an earning: the user's credit and, if any, the referrer's commission. */
export function creditOperations(earning: EarningMoney, at: Date): WalletOperation[] {
  const ops: WalletOperation[] = [
    operation(earning, 'credit', earning.userId, earning.amountMinor, null, at),
  ];
  if (earning.referrerId !== null && earning.commissionMinor > 0n) {
    ops.push(operation(earning, 'referral_credit', earning.referrerId, earning.commissionMinor, null, at));
  }
  return ops;
}

/** The reversal entries of an earning: each credit entry mirrored, pointing at what it reverses. */
export function reversalOperations(earning: EarningMoney, at: Date): WalletOperation[] {
  return creditOperations(earning, at).map((credit) =>
    operation(
      earning,
      credit.kind === 'credit' ? 'debit' : 'referral_debit',
      credit.userId,
      -credit.amountMinor,
      credit.key,
      at,
    ),
  );
}

function operation(
  earning: EarningMoney,
  kind: LedgerEntryKind,
  userId: string,
  amountMinor: bigint,
  reversesKey: string | null,
  at: Date,
): WalletOperation {
  return {
    key: ledgerKey(earning.earningId, kind),
    userId,
    kind,
    amountMinor,
    earningId: earning.earningId,
    reversesKey,
    reason: kind,
    createdAt: at,
  };
}
