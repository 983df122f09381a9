/**
 * Postbacks and approvals on a replica set or sharded cluster: each is one multi-document
 * transaction that reads the click and the earning, decides with the core's state machine, and
 * writes the click (inserts it, for a user-keyed step's virtual click), the earning, the ledger
 * entries and balances (or the owed operations), the risk day counters, the audit row and the
 * step's event (the outbox: it commits or aborts with the change).
 * Concurrent steps on one click all write the click document, so the server lets exactly one
 * commit and the driver re-runs the others from a fresh snapshot.
 * @module
 */
import { ConflictError, type ApprovalCommand, type ApprovalOutcome, type ConversionCommand, type ConversionOutcome } from 'clickcredit';
import type { ClientSession } from 'mongodb';
import { eventOfApproval, eventOfConversion } from 'clickcredit/store';
import { claimClick } from './claim-click.js';
import type { StoreCollections } from './collections.js';
import { clickFromDocument, type NetworkTransactionDocument } from './documents.js';
import { insertEarning, updateEarning } from './earning-writes.js';
import { PendingJournal } from './errors.js';
import { eventToDocument, insertEventInTransaction } from './events.js';
import { asId } from './guards.js';
import { planApproval, planConversion, type StepPlan } from './plan.js';
import { readPairHolder } from './network-transactions.js';
import { countConversion, counterIdsOf, readCounters } from './risk-counters.js';
import { postInTransaction, type TransactionRunner } from './wallet.js';

/** The two state-changing steps, transactional flavour. */
export interface Steps {
  applyConversion(command: ConversionCommand): Promise<ConversionOutcome>;
  decideApproval(command: ApprovalCommand): Promise<ApprovalOutcome>;
}

/** Steps that run in transactions through `run`. */
export function transactionalSteps(c: StoreCollections, run: TransactionRunner): Steps {
  return {
    applyConversion: (command) =>
      run(async (session) => {
        const clickId = asId(command.clickId, 'clickId');
        const click = await c.clicks.findOne({ _id: clickId }, { session });
        if (click?.journal) throw new PendingJournal(clickId);
        const earning = click
          ? await c.earnings.findOne({ clickId, conversionId: asId(command.conversionId, 'conversionId') }, { session })
          : null;
        // Day counters read in the snapshot; a step that counts writes them, so two steps that
        // both credit on one counter conflict and the later one decides again on the new count.
        const counterIds = counterIdsOf(click ? clickFromDocument(click) : (command.clickIfAbsent ?? null), command);
        const counters = await readCounters(c, counterIds, session);
        const holder = click ? null : await readPairHolder(c, command, session);
        const plan = planConversion(click, earning, command, command.ledger === 'inline', counters, holder);
        if (click && plan.clickSet) {
          await claimClick(c, click, plan.clickSet, null, session);
          await writeStep(c, plan, session);
        } else if (plan.clickInsert) {
          // A concurrent insert of the same virtual click is a duplicate key (or a write
          // conflict): the transaction is re-run and then finds the click.
          if (plan.networkTransaction) await claimNetworkTransaction(c, plan.networkTransaction, session);
          await c.clicks.insertOne(plan.clickInsert, { session });
          await writeStep(c, plan, session);
        }
        if (plan.counted && plan.earning) await countConversion(c, counterIds, plan.earning.amountMinor, command.now, session);
        await c.attempts.insertOne(plan.attempt, { session });
        // Only a step that wrote its change records an event (the rules: eventOfConversion).
        const changed = (click !== null && plan.clickSet !== null) || plan.clickInsert !== null;
        const event = changed && command.recordEvent !== false ? eventOfConversion(plan, command.attemptId, command.now) : null;
        if (event) await insertEventInTransaction(c, eventToDocument(event), session);
        return { decision: plan.decision, earning: plan.earning, owed: plan.owed, rule: plan.rule, event };
      }),

    decideApproval: (command) =>
      run(async (session): Promise<ApprovalOutcome> => {
        const earning = await c.earnings.findOne({ _id: asId(command.earningId, 'earningId') }, { session });
        if (!earning) return { decision: 'not_found', earning: null, owed: [] };
        const click = await c.clicks.findOne({ _id: asId(earning.clickId, 'clickId') }, { session });
        if (click?.journal) throw new PendingJournal(click._id);
        const plan = planApproval(earning, command, command.ledger === 'inline');
        if (!plan.writes) return { decision: plan.decision, earning: plan.earning, owed: [] };
        // Same serialisation point as the click's postbacks: an approval and a reversal of one
        // earning never both commit from the same snapshot.
        if (click) await claimClick(c, click, {}, null, session);
        await writeStep(c, plan.writes, session);
        const event = command.recordEvent === false ? null : eventOfApproval(plan.earning, command.approve, command.now);
        if (event) await insertEventInTransaction(c, eventToDocument(event), session);
        return { decision: plan.decision, earning: plan.earning, owed: plan.writes.owed, event };
      }),
  };
}

/**
 * Claims a virtual click's (network, transaction id) in the transaction (the step read no holder:
 * a holder now is a concurrent claim, ConflictError). Not held yet: inserted; a concurrent claim
 * is a duplicate key, and the re-run transaction reads the holder (then decides `conflict`).
 */
async function claimNetworkTransaction(c: StoreCollections, claim: NetworkTransactionDocument, session: ClientSession): Promise<void> {
  const holder = await c.networkTransactions.findOne({ _id: asId(claim._id, 'networkTransaction') }, { session });
  if (holder && holder.clickId !== claim.clickId) throw new ConflictError('Network transaction id already exists');
  if (!holder) await c.networkTransactions.insertOne(claim, { session });
}

/** The earning write and, inline, the ledger entries with their balances. */
async function writeStep(c: StoreCollections, plan: StepPlan, session: ClientSession): Promise<void> {
  if (plan.insert) await insertEarning(c, plan.insert, session);
  if (plan.update) await updateEarning(c, plan.update, session);
  for (const op of plan.ledger) await postInTransaction(c, op, session);
}
