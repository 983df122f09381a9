/**
 * What one postback or approval writes, worked out from the documents as read. Pure: the
 * state machine itself is the core's `decideConversion` (one implementation for every store);
 * this module only turns its transition into document writes, which the transactional and the
 * standalone executors then apply in their own way.
 * @module
 */
import type {
  ApprovalCommand,
  ConversionCommand,
  ConversionDecision,
  EarningRecord,
  RiskRuleCode,
  WalletOperation,
} from 'clickcredit';
import {
  NO_RISK_COUNTERS,
  attemptOfConversion,
  decideApproval,
  decideConversion,
  type ConversionTransition,
  type RiskCounters,
} from 'clickcredit/store';
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
  const attempt = attemptToDocument(attemptOfConversion(command, t));
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
 * Plans a manual decision on a held earning: the core's `decideApproval` (the same table as every
 * store, see `ClickStore.decideApproval`) turned into the earning's compare-and-set write.
 */
export function planApproval(earning: EarningDocument, command: ApprovalCommand, inline: boolean): ApprovalPlan {
  const t = decideApproval(earningFromDocument(earning), command);
  if (!t.earningChanged) return { decision: t.decision, earning: t.earning, writes: null };
  return { decision: t.decision, earning: t.earning, writes: { clickSet: {}, ...earningWrites(t.earning, earning, t.operations, inline) } };
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
