/**
 * The approval state machine as a pure function, like `decideConversion`: given the earning as it
 * stands and an admin's decision, what changes. Stores that can run code inside their atomic step
 * (memory, a MongoDB transaction) call it directly; the PL/pgSQL and Lua translations implement the
 * same table, and the conformance suite's state-machine theme holds every store to it.
 *
 * The table (documented on `ClickStore.decideApproval`):
 * - approve on an earning already `manual_approved`, or reject on one already `approval_rejected`:
 *   `unchanged` (a replay of the same decision; nothing moves);
 * - any other decision on an earning that is not held (`completed` with approval `pending`):
 *   `not_held`;
 * - approve a held earning: approval `manual_approved`, `credited`, its credit entries move;
 * - reject a held earning: approval `rejected`, status `cancelled`, cancelReason
 *   `approval_rejected`; no money moves.
 * @module
 */
import { creditOperations } from './ledger.js';
import type { ApprovalCommand, ApprovalOutcome } from './ports.js';
import type { EarningRecord, WalletOperation } from './records.js';

/** The changes one approval decision makes; the store applies them all or none. */
export interface ApprovalTransition {
  decision: Exclude<ApprovalOutcome['decision'], 'not_found'>;
  /** The earning after the step (the one read when nothing changes). */
  earning: EarningRecord;
  /** True when the earning changed (the store writes it). */
  earningChanged: boolean;
  /** Ledger movements of the step (ledger entries inline, or owed in the outbox). */
  operations: WalletOperation[];
}

/** Decides one approval on a stored earning. Pure: it reads only its arguments. */
export function decideApproval(earning: EarningRecord, command: Pick<ApprovalCommand, 'approve' | 'now'>): ApprovalTransition {
  const already = command.approve ? earning.approvalStatus === 'manual_approved' : earning.cancelReason === 'approval_rejected';
  if (already) return { decision: 'unchanged', earning, earningChanged: false, operations: [] };
  if (earning.status !== 'completed' || earning.approvalStatus !== 'pending') {
    return { decision: 'not_held', earning, earningChanged: false, operations: [] };
  }
  const { now } = command;
  if (command.approve) {
    const approved: EarningRecord = { ...earning, approvalStatus: 'manual_approved', credited: true, creditedAt: now, updatedAt: now };
    return { decision: 'applied', earning: approved, earningChanged: true, operations: creditOperations(approved, now) };
  }
  const rejected: EarningRecord = {
    ...earning,
    approvalStatus: 'rejected',
    status: 'cancelled',
    cancelReason: 'approval_rejected',
    cancelledAt: now,
    updatedAt: now,
  };
  return { decision: 'applied', earning: rejected, earningChanged: true, operations: [] };
}
