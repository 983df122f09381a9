/**
 * What one postback or approval writes, worked out from the documents as read. Pure: the
 * state machine itself is the core's `decideConversion` (one implementation for every store);
 * this module only turns its transition into document writes, which the transactional and the
 * standalone executors then apply in their own way.
 * @module
 */
import {
  NO_RISK_COUNTERS,
  creditOperations,
  decideConversion,
  type ApprovalCommand,
  type ConversionCommand,
  type ConversionDecision,
  type ConversionTransition,
  type EarningRecord,
  type RiskCounters,
  type RiskRuleCode,
  type WalletOperation,
} from 'clickcredit';
import {
  attemptToDocument,
  clickFromDocument,
  clickToDocument,
  clickStateFields,
  networkTransactionOf,
  earningFields,
  earningFromDocument,
  earningToDocument,
  owedToDocument,
  type AttemptDocument,
  type ClickDocument,
  type EarningDocument,
  type EarningUpdate,
  type NetworkTransactionDocument,
} from './documents.js';

/** The writes of one step. `clickSet` non-null means the click is claimed (version moved). */
export interface StepPlan {
  /** Fields to `$set` on the click when the step changes anything (may be `{}`: version only). */
  clickSet: Partial<ClickDocument> | null;
  insert: EarningDocument | null;
  update: EarningUpdate | null;
  /** Ledger movements to write in the same transaction (inline ledger only). */
  ledger: WalletOperation[];
  /** Movements recorded as owed in the earning, returned to the core to apply (outbox). */
  owed: WalletOperation[];
}

/** A planned postback: the decision, the earning after it, the writes and the audit row. */
export interface ConversionPlan extends StepPlan {
  decision: ConversionDecision;
  earning: EarningRecord | null;
  attempt: AttemptDocument;
  /** The risk rule behind the decision (refusal or hold), as on the audit row. */
  rule: RiskRuleCode | null;
  /** A user-keyed step's virtual click to insert (at version 1, already bound), or null. */
  clickInsert: ClickDocument | null;
  /** The (network, transaction id) claim of `clickInsert`, or null. */
  networkTransaction: NetworkTransactionDocument | null;
  /** Auto-credited: each day counter the step read adds 1 and the earning's amount. */
  counted: boolean;
}

/** A planned approval; `writes` is null when nothing changes. */
export interface ApprovalPlan {
  decision: 'applied' | 'unchanged' | 'not_held';
  earning: EarningRecord;
  writes: StepPlan | null;
}

/**
 * Plans a postback on the click and earning as read (and the day counters, when the policy has
 * daily caps). `inline` (a transactional store with its own ledger) writes ledger entries in the
 * step; otherwise the movements become owed operations embedded in the earning, in the same
 * single-document write as the earning itself. An absent click with `command.clickIfAbsent` is
 * planned as an insert of that virtual click (see `ClickStore` rule 0), unless `pairHolder` (the
 * click id holding its (network, transaction id), read by the step) is another click.
 */
export function planConversion(
  click: ClickDocument | null,
  earning: EarningDocument | null,
  command: ConversionCommand,
  inline: boolean,
  counters: RiskCounters = NO_RISK_COUNTERS,
  pairHolder: string | null = null,
): ConversionPlan {
  // A virtual click whose (network, transaction id) another click id holds is already someone's:
  // `conflict`, nothing but the audit row (as the memory store decides it).
  const taken = click === null && command.clickIfAbsent && pairHolder !== null && pairHolder !== command.clickId;
  const t: ConversionTransition = taken
    ? { decision: 'conflict', click: null, clickCreated: false, earning: null, earningCreated: false, earningChanged: false, operations: [], rule: null, counted: false }
    : decideConversion(click ? clickFromDocument(click) : null, earning ? earningFromDocument(earning) : null, command, counters);
  const attempt = attemptToDocument({
    attemptId: command.attemptId,
    clickId: command.clickId,
    conversionId: command.conversionId,
    postbackStatus: command.postbackStatus,
    amount: command.rawAmount,
    sourceIp: command.sourceIp,
    rawData: command.rawData,
    decision: t.decision,
    earningId: t.earning?.earningId ?? null,
    message: null,
    receivedAt: command.now,
    rule: t.rule,
  });
  const base = { decision: t.decision, earning: t.earning, attempt, rule: t.rule, clickInsert: null, networkTransaction: null, counted: t.counted };
  if (t.clickCreated && t.click) {
    // The virtual click is inserted already bound; its insert is the step's claim (no version to compare).
    const created = { ...base, clickInsert: clickToDocument(t.click, 1), networkTransaction: networkTransactionOf(t.click), clickSet: null };
    if (!t.earning || !t.earningChanged) return { ...created, insert: null, update: null, ledger: [], owed: [] };
    return { ...created, ...earningWrites(t.earning, null, t.operations, inline) };
  }
  if (!click || (!t.click && !t.earningChanged)) {
    return { ...base, clickSet: null, insert: null, update: null, ledger: [], owed: [] };
  }
  // Any change to the earning also claims the click: the click is the one serialisation point.
  const clickSet = t.click ? clickStateFields(t.click) : {};
  if (!t.earning || !t.earningChanged) return { ...base, clickSet, insert: null, update: null, ledger: [], owed: [] };
  return { ...base, ...earningWrites(t.earning, t.earningCreated ? null : earning, t.operations, inline), clickSet };
}

/**
 * Plans a manual decision on a held earning, with the same rules as every store (see
 * `ClickStore.decideApproval`): the same decision again is `unchanged`; any decision on an
 * earning that is not held is `not_held`.
 */
export function planApproval(earning: EarningDocument, command: ApprovalCommand, inline: boolean): ApprovalPlan {
  const current = earningFromDocument(earning);
  const already = command.approve ? current.approvalStatus === 'manual_approved' : current.cancelReason === 'approval_rejected';
  if (already) return { decision: 'unchanged', earning: current, writes: null };
  if (current.status !== 'completed' || current.approvalStatus !== 'pending') return { decision: 'not_held', earning: current, writes: null };
  const { now } = command;
  const decided: EarningRecord = command.approve
    ? { ...current, approvalStatus: 'manual_approved', credited: true, creditedAt: now, updatedAt: now }
    : { ...current, approvalStatus: 'rejected', status: 'cancelled', cancelReason: 'approval_rejected', cancelledAt: now, updatedAt: now };
  const operations = command.approve ? creditOperations(decided, now) : [];
  return { decision: 'applied', earning: decided, writes: { clickSet: {}, ...earningWrites(decided, earning, operations, inline) } };
}

/** The earning write (insert, or compare-and-set update) and where its money goes. */
function earningWrites(
  next: EarningRecord,
  previous: EarningDocument | null,
  operations: WalletOperation[],
  inline: boolean,
): Omit<StepPlan, 'clickSet'> {
  const ledger = inline ? operations : [];
  const owed = inline ? [] : operations;
  const owedDocs = owed.map(owedToDocument);
  if (previous === null) return { insert: earningToDocument(next, owedDocs), update: null, ledger, owed };
  const { _id, ...set } = earningFields(next);
  return { insert: null, update: { earningId: _id, expectedVersion: previous.version, set, push: owedDocs }, ledger, owed };
}
