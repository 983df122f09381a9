/**
 * Which event a change produces, as pure functions. Memory and MongoDB call them inside their
 * atomic step; the Postgres functions (migration 004) and the Redis scripts implement the same
 * table, and the conformance themes hold them to it.
 *
 * | step decision | event | wallet delta |
 * | --- | --- | --- |
 * | `credited` | `conversion.credited` | +amount |
 * | `netted` (a credit after a pre-reversal: credit and reversal written together) | `conversion.credited` | 0 |
 * | `held` | `conversion.held` | 0 |
 * | `recorded_pending` | `conversion.pending` | 0 |
 * | `rejected` | `conversion.rejected` | 0 |
 * | `cancelled` (reject/reverse of a pending or held earning) | `conversion.rejected` or `conversion.reversed` by its cancel reason | 0 |
 * | `reversed` (of a credited earning) | `conversion.reversed` | -amount |
 * | `pre_reversed` (a reversal before any credit) | `conversion.reversed` | 0 |
 * | approval `applied`, approve | `earning.approved` | +amount |
 * | approval `applied`, reject | `earning.rejected` | 0 |
 * | adjustment `applied` | `wallet.adjusted` | ±amount |
 *
 * Anything else (`duplicate`, refusals, `unchanged`, `not_held`, `insufficient`) records no event.
 * Summing `walletDelta` over a user's events gives the money the postback flow and the
 * adjustments moved, netted credits included.
 * @module
 */
import { v5 as uuidv5 } from 'uuid';
import type { ConversionDecision } from '../ports.js';
import type { EarningRecord, WalletOperation } from '../records.js';
import type { EventFacts, EventType, StoredEvent } from './types.js';

/** Namespace of the UUID v5 ids of adjustment events (derived from the ledger key). */
export const EVENT_NAMESPACE = '3f1c2b4e-8a6d-5e7f-9b0c-1d2e3f4a5b6c';

/** Id of the event of a conversion step: derived from its audit row's id, unique per step. */
export function conversionEventId(attemptId: string): string {
  return `evt_${attemptId}`;
}

/** Id of the event of an approval decision: an earning is approved or rejected at most once. */
export function approvalEventId(earningId: string, approve: boolean): string {
  return `evt_${earningId}_${approve ? 'approved' : 'rejected'}`;
}

/** Id of the event of an adjustment: UUID v5 of its ledger key (header-safe whatever the key). */
export function adjustmentEventId(ledgerKey: string): string {
  return `evt_${uuidv5(ledgerKey, EVENT_NAMESPACE)}`;
}

const CONVERSION_EVENTS: Partial<Record<ConversionDecision, EventType>> = {
  credited: 'conversion.credited',
  netted: 'conversion.credited',
  held: 'conversion.held',
  recorded_pending: 'conversion.pending',
  rejected: 'conversion.rejected',
  reversed: 'conversion.reversed',
  pre_reversed: 'conversion.reversed',
};

/** The event type of a conversion decision on `earning`, or `null` when the step records none. */
export function conversionEventType(decision: ConversionDecision, earning: EarningRecord | null): EventType | null {
  if (earning === null) return null;
  if (decision === 'cancelled') return earning.cancelReason === 'reversed' ? 'conversion.reversed' : 'conversion.rejected';
  return CONVERSION_EVENTS[decision] ?? null;
}

function earningFacts(change: string, earning: EarningRecord, sign: -1n | 0n | 1n): EventFacts {
  return {
    change,
    earningId: earning.earningId,
    clickId: earning.clickId,
    conversionId: earning.conversionId,
    productId: earning.productId,
    status: earning.status,
    approvalStatus: earning.approvalStatus,
    amountMinor: earning.amountMinor,
    walletDeltaMinor: sign * earning.amountMinor,
    referrerId: earning.referrerId,
    commissionDeltaMinor: sign * earning.commissionMinor,
    ledgerKey: null,
    reason: null,
  };
}

/**
 * The event a conversion step records (see the table above), or `null`. `earning` is the
 * earning after the step; `attemptId` the step's audit row; `now` the step's time.
 */
export function eventOfConversion(
  step: { decision: ConversionDecision; earning: EarningRecord | null },
  attemptId: string,
  now: Date,
): StoredEvent | null {
  const type = conversionEventType(step.decision, step.earning);
  if (type === null || step.earning === null) return null;
  const sign = step.decision === 'credited' ? 1n : step.decision === 'reversed' ? -1n : 0n;
  return { id: conversionEventId(attemptId), type, userId: step.earning.userId, createdAt: now, data: earningFacts(step.decision, step.earning, sign) };
}

/** The event of an applied approval decision (`earning` after the decision). */
export function eventOfApproval(earning: EarningRecord, approve: boolean, now: Date): StoredEvent {
  return {
    id: approvalEventId(earning.earningId, approve),
    type: approve ? 'earning.approved' : 'earning.rejected',
    userId: earning.userId,
    createdAt: now,
    data: earningFacts(approve ? 'approved' : 'approval_rejected', earning, approve ? 1n : 0n),
  };
}

/** The event of an applied manual adjustment. */
export function eventOfAdjustment(op: WalletOperation, eventId: string): StoredEvent {
  return {
    id: eventId,
    type: 'wallet.adjusted',
    userId: op.userId,
    createdAt: op.createdAt,
    data: {
      change: 'adjusted',
      earningId: null,
      clickId: null,
      conversionId: null,
      productId: null,
      status: null,
      approvalStatus: null,
      amountMinor: op.amountMinor < 0n ? -op.amountMinor : op.amountMinor,
      walletDeltaMinor: op.amountMinor,
      referrerId: null,
      commissionDeltaMinor: 0n,
      ledgerKey: op.key,
      reason: op.reason,
    },
  };
}
