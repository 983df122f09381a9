/**
 * Postbacks and approvals on a standalone server, without transactions, still exactly once.
 *
 * The click document is the serialisation point. A step reads the click (finishing any journal
 * it carries first), then the earning, decides with the core's state machine, and claims the
 * click with a compare-and-set on the version it read — writing, in that same single-document
 * update, the click's new state and a journal of the step's other writes (earning insert or
 * compare-and-set update with its owed operations embedded, audit row). Then it finishes the
 * journal. Of concurrent steps on one click exactly one claims each version; the others read
 * again. Money never moves here: it is owed in the earning, and the core applies it through the
 * wallet by idempotency key (`supportsInlineLedger` is false).
 *
 * Crash windows: before the claim, nothing was written (the advertiser's retry redoes it);
 * after the claim, the journal is on the click and the next step on that click or
 * `retryPendingCredits()` finishes it; after the earning write, the owed operations wait in
 * the earning until applied and settled.
 * @module
 */
import { ObjectId } from 'mongodb';
import type { ApprovalCommand, ApprovalOutcome, ConversionOutcome } from 'clickcredit';
import { claimClick } from './claim-click.js';
import type { StoreCollections } from './collections.js';
import type { ClickDocument, JournalDocument } from './documents.js';
import { LostRace, backoffMs, sleep } from './errors.js';
import { asId } from './guards.js';
import { finishJournal } from './journal.js';
import { planApproval, planConversion, type StepPlan } from './plan.js';
import type { Steps } from './steps-transactional.js';

const MAX_ATTEMPTS = 100;

/** Steps that serialise on the click document with compare-and-set and journals. */
export function standaloneSteps(c: StoreCollections): Steps {
  /** Reads a click, first finishing a journal a previous step left on it. */
  async function readSettledClick(clickId: string): Promise<ClickDocument | null> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const click = await c.clicks.findOne({ _id: clickId });
      if (!click?.journal) return click;
      await finishJournal(c, clickId, click.journal);
    }
    throw new Error('clickcredit/mongodb: click keeps carrying unfinished steps; retry later');
  }

  /** Claims the click with the step's journal and finishes it; false when the race was lost. */
  async function commit(click: ClickDocument, clickSet: Partial<ClickDocument>, journal: JournalDocument): Promise<boolean> {
    try {
      await claimClick(c, click, clickSet, journal);
    } catch (error) {
      if (error instanceof LostRace) return false;
      throw error;
    }
    await finishJournal(c, click._id, journal);
    return true;
  }

  return {
    async applyConversion(command): Promise<ConversionOutcome> {
      const clickId = asId(command.clickId, 'clickId');
      const conversionId = asId(command.conversionId, 'conversionId');
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
        const click = await readSettledClick(clickId);
        const earning = click ? await c.earnings.findOne({ clickId, conversionId }) : null;
        const plan = planConversion(click, earning, command, false);
        const outcome = { decision: plan.decision, earning: plan.earning, owed: plan.owed };
        if (!click || !plan.clickSet) {
          await c.attempts.insertOne(plan.attempt); // nothing changes: the audit row is the whole step
          return outcome;
        }
        if (await commit(click, plan.clickSet, journalOf(command.attemptId, command.now, plan, plan.attempt))) return outcome;
        await sleep(backoffMs(attempt));
      }
      throw new Error('clickcredit/mongodb: too many concurrent steps on one click; retry the postback');
    },

    async decideApproval(command: ApprovalCommand): Promise<ApprovalOutcome> {
      const earningId = asId(command.earningId, 'earningId');
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
        const located = await c.earnings.findOne({ _id: earningId }, { projection: { clickId: 1 } });
        if (!located) return { decision: 'not_found', earning: null, owed: [] };
        const click = await readSettledClick(asId(located.clickId, 'clickId'));
        // Read after the click: no journal can have changed it since the click's version was read.
        const earning = await c.earnings.findOne({ _id: earningId });
        if (!earning || !click) throw new Error('clickcredit/mongodb: earning without its click');
        const plan = planApproval(earning, command, false);
        if (!plan.writes) return { decision: plan.decision, earning: plan.earning, owed: [] };
        const journal = journalOf(new ObjectId().toHexString(), command.now, plan.writes, null);
        if (await commit(click, plan.writes.clickSet ?? {}, journal)) return { decision: plan.decision, earning: plan.earning, owed: plan.writes.owed };
        await sleep(backoffMs(attempt));
      }
      throw new Error('clickcredit/mongodb: too many concurrent steps on one click; retry the approval');
    },
  };
}

function journalOf(id: string, at: Date, plan: StepPlan, attempt: JournalDocument['attempt']): JournalDocument {
  return { id, at, insert: plan.insert, update: plan.update, attempt };
}
