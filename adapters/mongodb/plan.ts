/**
 * What one postback or approval writes, worked out from the documents as read. Pure: the
 * state machine itself is the core's `decideConversion` (one implementation for every store);
 * this module only turns its transition into document writes, which the transactional and the
 * standalone executors then apply in their own way.
 * @module
 */
import {
  creditOperations,
  decideConversion,
  type ApprovalCommand,
  type ConversionCommand,
  type ConversionDecision,
  type EarningRecord,
  type WalletOperation,
} from 'clickcredit';
import {
  attemptToDocument,
  clickFromDocument,
  clickStateFields,
  earningFields,
  earningFromDocument,
  earningToDocument,
  owedToDocument,
  type AttemptDocument,
  type ClickDocument,
  type EarningDocument,
  type EarningUpdate,
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
}

/** A planned approval; `writes` is null when nothing changes. */
export interface ApprovalPlan {
  decision: 'applied' | 'unchanged' | 'not_held';
  earning: EarningRecord;
  writes: StepPlan | null;
}

/**
 * Plans a postback on the click and earning as read. `inline` (a transactional store with its
 * own ledger) writes ledger entries in the step; otherwise the movements become owed operations
 * embedded in the earning, in the same single-document write as the earning itself.
 */
export function planConversion(
  click: ClickDocument | null,
  earning: EarningDocument | null,
  command: ConversionCommand,
  inline: boolean,
): ConversionPlan {
  const t = decideConversion(click ? clickFromDocument(click) : null, earning ? earningFromDocument(earning) : null, command);
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
  });
  const base = { decision: t.decision, earning: t.earning, attempt };
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
