/**
 * The conversion state machine as a pure function: given the click and the earning as they stand
 * and a command, what changes. Stores that can run code inside their atomic step (memory, a
 * MongoDB transaction) call it directly; SQL and Lua adapters implement the same table and the
 * conformance suite holds them to it. The table itself is documented on {@link ClickStore}.
 * @module
 */
import { creditOperations, earningCommission, reversalOperations } from './ledger.js';
import type { ConversionCommand, ConversionDecision } from './ports.js';
import type { ClickRecord, EarningRecord, WalletOperation } from './records.js';

/** The changes one conversion makes; the store applies them all or none. */
export interface ConversionTransition {
  decision: ConversionDecision;
  /** The click after the step (`null`: unchanged or unknown). */
  click: ClickRecord | null;
  /** The earning after the step (`null` when none exists or is created). */
  earning: EarningRecord | null;
  /** True when `earning` is new (insert) rather than changed (update). */
  earningCreated: boolean;
  /** True when the earning changed (insert or update needed). */
  earningChanged: boolean;
  /** Ledger movements this step makes (ledger entries inline, or owed in the outbox). */
  operations: WalletOperation[];
}

/** Decides one conversion. Pure: it reads only its arguments. */
export function decideConversion(
  click: ClickRecord | null,
  earning: EarningRecord | null,
  command: ConversionCommand,
): ConversionTransition {
  if (click === null) return unchanged('unknown_click', null);
  if (earning === null) return firstPostback(click, command);
  return laterPostback(click, earning, command);
}

function firstPostback(click: ClickRecord, command: ConversionCommand): ConversionTransition {
  const { now } = command;
  if (click.conversionId !== null && click.conversionId !== command.conversionId) return unchanged('conflict', null);
  if (click.status === 'rejected') return unchanged('conflict', null);
  if (click.status === 'expired' || (click.status === 'pending' && now.getTime() >= click.expiresAt.getTime())) {
    const expired = click.status === 'expired' ? null : { ...click, status: 'expired' as const, updatedAt: now };
    return { ...unchanged('expired', null), click: expired };
  }
  const amountMinor = cappedAmount(click, command.amountMinor);
  const base: EarningRecord = {
    earningId: command.newEarningId,
    userId: click.userId,
    productId: click.productId,
    offerId: command.offerId ?? click.offerId,
    clickId: click.clickId,
    conversionId: command.conversionId,
    transactionId: command.transactionId,
    amountMinor,
    status: 'pending',
    approvalStatus: 'pending',
    type: 'postback',
    credited: false,
    creditedAt: null,
    cancelledAt: null,
    cancelReason: null,
    reversedBeforeCredit: false,
    referrerId: click.referrerId,
    commissionMinor: earningCommission(amountMinor, click.referrerId, click.commissionPpm),
    lastPostbackStatus: command.postbackStatus,
    postbackReceived: true,
    postbackReceivedAt: now,
    postbackData: command.rawData,
    earnedAt: now,
    createdAt: now,
    updatedAt: now,
  };
  const boundClick: ClickRecord = {
    ...click,
    conversionId: command.conversionId,
    status: command.action === 'reject' ? 'rejected' : 'converted',
    postbackReceived: true,
    postbackReceivedAt: now,
    updatedAt: now,
  };
  switch (command.action) {
    case 'credit':
      return { ...credit(click, base, now), click: boundClick, earningCreated: true };
    case 'pending':
      return changed('recorded_pending', boundClick, base, [], true);
    case 'reject':
      return changed('rejected', boundClick, { ...cancel(base, 'rejected', now), approvalStatus: 'rejected' }, [], true);
    case 'reverse': {
      const preReversed = { ...cancel(base, 'reversed', now), approvalStatus: 'rejected' as const, reversedBeforeCredit: true };
      return changed('pre_reversed', boundClick, preReversed, [], true);
    }
  }
}

function laterPostback(click: ClickRecord, earning: EarningRecord, command: ConversionCommand): ConversionTransition {
  const { now, action } = command;
  const touched: EarningRecord = {
    ...earning,
    lastPostbackStatus: command.postbackStatus,
    postbackReceivedAt: now,
    postbackData: command.rawData,
    transactionId: command.transactionId ?? earning.transactionId,
    updatedAt: now,
  };
  const rejectedClick = action === 'reject' && click.status !== 'rejected' ? { ...click, status: 'rejected' as const, updatedAt: now } : null;

  if (action === 'credit') {
    if (earning.status === 'pending') {
      const amountMinor = command.amountMinor === null ? earning.amountMinor : cappedAmount(click, command.amountMinor);
      const repriced = {
        ...touched,
        amountMinor,
        commissionMinor: earningCommission(amountMinor, earning.referrerId, click.commissionPpm),
      };
      return credit(click, repriced, now);
    }
    if (earning.status === 'cancelled' && earning.reversedBeforeCredit) {
      const netted = { ...touched, reversedBeforeCredit: false, credited: true, creditedAt: now };
      return changed('netted', null, netted, [...creditOperations(netted, now), ...reversalOperations(netted, now)]);
    }
    // Rejected before anything was paid: a credit now is a new claim on a rejected click.
    if (earning.cancelReason === 'rejected' && !earning.credited) return unchanged('conflict', null);
    // Otherwise the credit was applied before (then reversed or decided): a replay.
    return unchanged('duplicate', earning);
  }
  if (action === 'reject' || action === 'reverse') {
    if (earning.status === 'cancelled') return unchanged('duplicate', earning);
    const reason = action === 'reject' ? 'rejected' : 'reversed';
    if (earning.status === 'completed' && earning.credited) {
      const reversed = cancel(touched, reason, now);
      return changed('reversed', rejectedClick, reversed, reversalOperations(earning, now));
    }
    // pending, or completed but still held: nothing was paid, so nothing is debited.
    const cancelled = { ...cancel(touched, reason, now), approvalStatus: 'rejected' as const };
    return changed(action === 'reject' ? 'rejected' : 'cancelled', rejectedClick, cancelled, []);
  }
  return unchanged('duplicate', earning);
}

/** A credit-class postback on a new or pending earning: hold it, or pay it now. */
function credit(click: ClickRecord, earning: EarningRecord, now: Date): ConversionTransition {
  const completed: EarningRecord = { ...earning, status: 'completed' };
  if (isHeld(click, earning.amountMinor, now)) {
    return changed('held', null, { ...completed, approvalStatus: 'pending' }, []);
  }
  const paid: EarningRecord = { ...completed, approvalStatus: 'auto_approved', credited: true, creditedAt: now };
  return changed('credited', null, paid, creditOperations(paid, now));
}

/** Whether the click's hold policy (snapshotted at click time) keeps this earning for review. */
export function isHeld(click: ClickRecord, amountMinor: bigint, now: Date): boolean {
  if (click.holdAboveMinor !== null && amountMinor > click.holdAboveMinor) return true;
  if (click.holdWithinSeconds !== null && now.getTime() - click.clickedAt.getTime() < click.holdWithinSeconds * 1000) {
    return true;
  }
  return false;
}

/** The postback amount capped at the click's earnUpTo (earnUpTo when absent). */
export function cappedAmount(click: Pick<ClickRecord, 'earnUpToMinor'>, amountMinor: bigint | null): bigint {
  if (amountMinor === null || amountMinor > click.earnUpToMinor) return click.earnUpToMinor;
  return amountMinor;
}

function cancel(earning: EarningRecord, reason: 'rejected' | 'reversed', now: Date): EarningRecord {
  return { ...earning, status: 'cancelled', cancelReason: reason, cancelledAt: now, updatedAt: now };
}

function changed(
  decision: ConversionDecision,
  click: ClickRecord | null,
  earning: EarningRecord,
  operations: WalletOperation[],
  earningCreated = false,
): ConversionTransition {
  return { decision, click, earning, earningCreated, earningChanged: true, operations };
}

function unchanged(decision: ConversionDecision, earning: EarningRecord | null): ConversionTransition {
  return { decision, click: null, earning, earningCreated: false, earningChanged: false, operations: [] };
}
