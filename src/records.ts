/**
 * The records every storage adapter keeps. Money is integer minor units (`bigint`), times are
 * `Date`s; the public views in `views.ts` turn them into decimal strings and ISO timestamps.
 * @module
 */

/** Lifecycle of a click (the seed's ClickLog.status). */
export type ClickStatus = 'pending' | 'converted' | 'expired' | 'rejected';

/** Lifecycle of an earning. `cancelled` covers rejections and reversals. */
export type EarningStatus = 'pending' | 'completed' | 'cancelled';

/** Whether a completed earning may pay out. `pending` means held for manual review. */
export type ApprovalStatus = 'pending' | 'auto_approved' | 'manual_approved' | 'rejected';

/**
 * What a postback asks for, after the core has mapped the network's status word:
 * `credit` (completed/approved), `pending` (record, no credit), `reject` (rejected),
 * `reverse` (reversed/chargeback).
 */
export type PostbackAction = 'credit' | 'pending' | 'reject' | 'reverse';

/**
 * Payout terms copied onto the click when it is created, so that a postback needs no other
 * read (one round trip) and later catalog changes never alter a click already handed out.
 */
export interface ClickTerms {
  /** Cap of an earning, and its amount when a postback has none. */
  earnUpToMinor: bigint;
  /** Who receives the referral commission, if anyone. */
  referrerId: string | null;
  /** Commission rate in parts per million of the earning (100000 = 10%). */
  commissionPpm: number;
  /** Hold for approval when the earning is strictly above this amount. */
  holdAboveMinor: bigint | null;
  /** Hold for approval when the conversion comes sooner than this many seconds after the click. */
  holdWithinSeconds: number | null;
}

/** A click as stored: every field of the seed's ClickLog plus visits and the payout terms. */
export interface ClickRecord extends ClickTerms {
  clickId: string;
  userId: string;
  productId: string;
  offerId: string | null;
  taskUrl: string;
  redirectUrl: string;
  /** The postback URL handed to the advertiser (also returned as `trackingUrl`). */
  postbackUrl: string;
  ipAddress: string | null;
  userAgent: string | null;
  referrer: string | null;
  clickedAt: Date;
  expiresAt: Date;
  status: ClickStatus;
  /** The conversion this click is bound to; set by the first postback that records an earning. */
  conversionId: string | null;
  postbackReceived: boolean;
  postbackReceivedAt: Date | null;
  visitCount: number;
  firstVisitAt: Date | null;
  lastVisitAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /**
   * The network of a user-keyed (virtual) click, created by the conversion step itself from
   * `ConversionCommand.clickIfAbsent`; `null` for a click this tracker issued.
   */
  network: string | null;
  /** The network's transaction id of a user-keyed click (unique with `network`); `null` otherwise. */
  networkTransactionId: string | null;
  /** Goals snapshotted from `Product.goals` (see {@link ClickGoals}); `null`: one conversion per click. */
  goals: ClickGoals;
}

/**
 * Which conversions a click accepts, snapshotted from the product when the click is created:
 * - `null` (the default): one conversion per click; a second conversion id is `conflict`;
 * - `true`: any number of conversion ids, each its own earning, paid once;
 * - a list of goal ids: only the conversion ids `goal:<id>` for an id of the list (each paid once);
 *   any other conversion id is `conflict`.
 */
export type ClickGoals = true | readonly string[] | null;

/** Why an earning was cancelled. */
export type CancelReason = 'rejected' | 'reversed' | 'approval_rejected';

/** One earning per (click, conversion), enforced by a unique constraint in every store. */
export interface EarningRecord {
  earningId: string;
  userId: string;
  productId: string;
  offerId: string | null;
  clickId: string;
  conversionId: string;
  transactionId: string | null;
  /** The amount earned (already capped at the click's earnUpTo). Always positive. */
  amountMinor: bigint;
  status: EarningStatus;
  approvalStatus: ApprovalStatus;
  type: string;
  /** True once the credit entries were written (inline) or owed (outbox). */
  credited: boolean;
  creditedAt: Date | null;
  cancelledAt: Date | null;
  cancelReason: CancelReason | null;
  /** A reversal arrived before any credit: the later credit is written together with its reversal. */
  reversedBeforeCredit: boolean;
  referrerId: string | null;
  /** Referral commission paid (or to be paid) with the credit. */
  commissionMinor: bigint;
  /** The last postback status word applied to this earning. */
  lastPostbackStatus: string;
  postbackReceived: boolean;
  postbackReceivedAt: Date;
  /** Raw data of the last postback applied to this earning. */
  postbackData: Record<string, unknown> | null;
  earnedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Kinds of ledger entry. Credits are positive, debits negative. `manual_credit`/`manual_debit`
 * are movements outside the postback flow (`creditWallet`, a host's payout).
 */
export type LedgerEntryKind = 'credit' | 'debit' | 'referral_credit' | 'referral_debit' | 'manual_credit' | 'manual_debit';

/**
 * A movement of money on a wallet. The store writes it as an append-only ledger entry; a host
 * wallet receives it through {@link WalletOperation}. `key` is the idempotency key: applying
 * the same key twice never moves money twice.
 */
export interface WalletOperation {
  /** Idempotency key, unique per store. For earnings: `earning:<earningId>:<kind>`. */
  key: string;
  userId: string;
  kind: LedgerEntryKind;
  /** Signed minor units: positive for credits, negative for debits. */
  amountMinor: bigint;
  earningId: string | null;
  /** Key of the entry this one reverses (debits point at their credit). */
  reversesKey: string | null;
  reason: string | null;
  createdAt: Date;
}

/** A ledger entry as stored: a {@link WalletOperation} with its id. */
export interface LedgerEntry extends WalletOperation {
  entryId: string;
}

/** Stable decision codes recorded for every postback attempt, refused ones included. */
export type PostbackDecisionCode =
  | 'credited'
  | 'held'
  | 'recorded_pending'
  | 'rejected'
  | 'reversed'
  | 'cancelled'
  | 'pre_reversed'
  | 'netted'
  | 'duplicate'
  | 'unknown_click'
  | 'expired'
  | 'conflict'
  | 'offer_mismatch'
  | 'too_soon'
  | 'too_late'
  | 'invalid_input'
  | 'invalid_amount'
  | 'forbidden';

/** The audit row of one postback attempt: what came in, from where, and what was decided. */
export interface PostbackAttempt {
  attemptId: string;
  /** As received; may be malformed when the attempt was refused for it. */
  clickId: string | null;
  conversionId: string | null;
  postbackStatus: string | null;
  /** The amount as received (text), not parsed. */
  amount: string | null;
  sourceIp: string | null;
  rawData: Record<string, unknown>;
  decision: PostbackDecisionCode;
  earningId: string | null;
  message: string | null;
  receivedAt: Date;
  /**
   * The risk rule behind the decision: the refusing rule (then also the decision code), or the
   * rule that held the earning (decision `held`); `null` otherwise. Writers may omit it (null);
   * stores always return it.
   */
  rule?: RiskRuleCode | null;
}

/**
 * Stable codes of the risk rules (contract "Risk rules"). `offer_mismatch`, `too_soon` and
 * `too_late` can refuse (then they are also the attempt's decision) or hold; the others only hold.
 */
export type RiskRuleCode = 'offer_mismatch' | 'too_soon' | 'too_late' | 'user_daily_cap' | 'ip_daily_cap' | 'ip_mismatch';
