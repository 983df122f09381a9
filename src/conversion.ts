/**
 * The conversion state machine as a pure function: given the click and the earning as they stand
 * and a command, what changes. Stores that can run code inside their atomic step (memory, a
 * MongoDB transaction) call it directly; SQL and Lua adapters implement the same table and the
 * conformance suite holds them to it. The table itself is documented on {@link ClickStore}.
 * @module
 */
import { creditOperations, earningCommission, reversalOperations } from './ledger.js';
import type { ConversionCommand, ConversionDecision } from './ports.js';
import type { ClickRecord, EarningRecord, RiskRuleCode, WalletOperation } from './records.js';
import { assessRisk, NO_RISK_COUNTERS, type RiskCounters } from './risk.js';

/** The changes one conversion makes; the store applies them all or none. */
export interface ConversionTransition {
  decision: ConversionDecision;
  /** The click after the step (`null`: unchanged or unknown). */
  click: ClickRecord | null;
  /** True when `click` is the command's `clickIfAbsent`, to insert (rather than update). */
  clickCreated: boolean;
  /** The earning after the step (`null` when none exists or is created). */
  earning: EarningRecord | null;
  /** True when `earning` is new (insert) rather than changed (update). */
  earningCreated: boolean;
  /** True when the earning changed (insert or update needed). */
  earningChanged: boolean;
  /** Ledger movements this step makes (ledger entries inline, or owed in the outbox). */
  operations: WalletOperation[];
  /** The risk rule behind the decision (refusal or hold), for the audit row; `null` otherwise. */
  rule: RiskRuleCode | null;
  /** True when the day's risk counters (read for this step) must each add 1 and the earning's amount. */
  counted: boolean;
}

/**
 * Decides one conversion. Pure: it reads only its arguments. `click` is the stored click (`null`
 * when unknown: then the command's `clickIfAbsent`, if any, stands in and is created), `earning`
 * the stored earning of (clickId, conversionId), `counters` the day's risk counters the store read
 * for `riskCounterKeys(click, command)` (omit when the policy has no daily cap).
 */
export function decideConversion(
  click: ClickRecord | null,
  earning: EarningRecord | null,
  command: ConversionCommand,
  counters: RiskCounters = NO_RISK_COUNTERS,
): ConversionTransition {
  if (click === null) {
    const virtual = command.clickIfAbsent ?? null;
    if (virtual === null || virtual.clickId !== command.clickId) return unchanged('unknown_click', null);
    const transition = firstPostback(virtual, command, counters);
    // A refusal writes nothing but its audit row: the virtual click is not inserted either.
    return transition.click === null ? transition : { ...transition, clickCreated: true };
  }
  if (command.clickIfAbsent && command.clickIfAbsent.userId !== click.userId) return unchanged('conflict', null);
  if (earning === null) return firstPostback(click, command, counters);
  return laterPostback(click, earning, command, counters);
}

/** The conversion id a goal is paid under (`goal=<id>` in a postback). */
export function goalConversionId(goal: string): string {
  return `goal:${goal}`;
}

/**
 * The goals snapshot of a new click from its product: `true`, a copy of the goal list, or `null`
 * (one conversion per click; also for an empty list). A malformed value is a `TypeError`: it is
 * the host's catalog, not the caller's input.
 */
export function clickGoalsOf(product: { goals?: unknown }): ClickRecord['goals'] {
  const { goals } = product;
  if (goals === undefined || goals === null || goals === false) return null;
  if (goals === true) return true;
  if (!Array.isArray(goals) || !goals.every((goal) => typeof goal === 'string' && goal !== '' && goal.length <= 200)) {
    throw new TypeError('clickcredit: Product.goals must be true or a list of goal ids (1 to 200 characters)');
  }
  return goals.length === 0 ? null : [...new Set(goals as string[])];
}

/** Whether a click's goals admit a new conversion id (rule 2 of the state machine). */
export function admitsConversion(click: Pick<ClickRecord, 'goals' | 'conversionId'>, conversionId: string): boolean {
  if (click.goals === null) return click.conversionId === null || click.conversionId === conversionId;
  if (click.goals === true) return true;
  return click.goals.some((goal) => goalConversionId(goal) === conversionId);
}

function firstPostback(click: ClickRecord, command: ConversionCommand, counters: RiskCounters): ConversionTransition {
  const { now } = command;
  if (!admitsConversion(click, command.conversionId)) return unchanged('conflict', null);
  if (click.status === 'rejected') return unchanged('conflict', null);
  if (click.status === 'expired' || now.getTime() >= click.expiresAt.getTime()) {
    const expired = click.status === 'pending' ? { ...click, status: 'expired' as const, updatedAt: now } : null;
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
  const single = click.goals === null;
  const boundClick: ClickRecord = {
    ...click,
    conversionId: single ? command.conversionId : (click.conversionId ?? command.conversionId),
    status: single && command.action === 'reject' ? 'rejected' : 'converted',
    postbackReceived: true,
    postbackReceivedAt: now,
    updatedAt: now,
  };
  switch (command.action) {
    case 'credit': {
      const decided = credit(click, base, command, counters);
      if (decided.earning === null) return decided;
      return { ...decided, click: boundClick, earningCreated: true };
    }
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

function laterPostback(click: ClickRecord, earning: EarningRecord, command: ConversionCommand, counters: RiskCounters): ConversionTransition {
  const { now, action } = command;
  const touched: EarningRecord = {
    ...earning,
    lastPostbackStatus: command.postbackStatus,
    postbackReceivedAt: now,
    postbackData: command.rawData,
    transactionId: command.transactionId ?? earning.transactionId,
    updatedAt: now,
  };
  // On a goals click a reject cancels only its own goal; the click stays open for the others.
  const rejectsClick = action === 'reject' && click.goals === null && click.status !== 'rejected';
  const rejectedClick = rejectsClick ? { ...click, status: 'rejected' as const, updatedAt: now } : null;

  if (action === 'credit') {
    if (earning.status === 'pending') {
      const amountMinor = command.amountMinor === null ? earning.amountMinor : cappedAmount(click, command.amountMinor);
      const repriced = {
        ...touched,
        amountMinor,
        commissionMinor: earningCommission(amountMinor, earning.referrerId, click.commissionPpm),
      };
      return credit(click, repriced, command, counters);
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

/** A credit-class postback on a new or pending earning: refuse it (risk), hold it, or pay it now. */
function credit(click: ClickRecord, earning: EarningRecord, command: ConversionCommand, counters: RiskCounters): ConversionTransition {
  const { now } = command;
  const verdict = assessRisk(click, command, earning.amountMinor, counters);
  if (verdict?.effect === 'refuse') return { ...unchanged(verdict.rule as ConversionDecision, null), rule: verdict.rule };
  const completed: EarningRecord = { ...earning, status: 'completed' };
  if (verdict !== null || isHeld(click, earning.amountMinor, now)) {
    return { ...changed('held', null, { ...completed, approvalStatus: 'pending' }, []), rule: verdict?.rule ?? null };
  }
  const paid: EarningRecord = { ...completed, approvalStatus: 'auto_approved', credited: true, creditedAt: now };
  return { ...changed('credited', null, paid, creditOperations(paid, now)), counted: true };
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
  return { decision, click, clickCreated: false, earning, earningCreated, earningChanged: true, operations, rule: null, counted: false };
}

function unchanged(decision: ConversionDecision, earning: EarningRecord | null): ConversionTransition {
  return { decision, click: null, clickCreated: false, earning, earningCreated: false, earningChanged: false, operations: [], rule: null, counted: false };
}
