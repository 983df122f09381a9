/**
 * Postbacks and approvals on a standalone server, without transactions, still exactly once.
 *
 * The click document is the serialisation point. A step reads the click (finishing any journal
 * it carries first), then the earning, decides with the core's state machine, and claims the
 * click with a compare-and-set on the version it read — writing, in that same single-document
 * update, the click's new state and a journal of the step's other writes (earning insert or
 * compare-and-set update with its owed operations embedded, audit row, the step's event). Then it finishes the
 * journal. Of concurrent steps on one click exactly one claims each version; the others read
 * again. Money never moves here: it is owed in the earning, and the core applies it through the
 * wallet by idempotency key (`supportsInlineLedger` is false).
 *
 * A user-keyed step on an absent click inserts the virtual click with the journal instead (the
 * insert is the claim), after claiming its (network, transaction id). Daily caps reserve on their
 * day counters before the step and settle after (no transaction holds a counter and a click
 * together; see risk-counters.ts).
 *
 * Crash windows: before the claim, nothing was written (the advertiser's retry redoes it);
 * after the claim, the journal is on the click and the next step on that click or
 * `retryPendingCredits()` finishes it; after the earning write, the owed operations wait in
 * the earning until applied and settled.
 * @module
 */
import { ObjectId } from 'mongodb';
import type { ApprovalCommand, ApprovalOutcome, ConversionOutcome, StoredEvent } from 'clickcredit';
import { eventOfApproval, eventOfConversion } from 'clickcredit/store';
import { claimClick } from './claim-click.js';
import type { StoreCollections } from './collections.js';
import { clickFromDocument, type ClickDocument, type JournalDocument, type NetworkTransactionDocument } from './documents.js';
import { LostRace, backoffMs, isDuplicateKey, sleep } from './errors.js';
import { eventToDocument } from './events.js';
import { asId } from './guards.js';
import { finishJournal } from './journal.js';
import { readPairHolder } from './network-transactions.js';
import { planApproval, planConversion, type StepPlan } from './plan.js';
import { reserveCounters, reservedCounters, settleReservations, type StepReservations } from './risk-counters.js';
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

  /**
   * A user-keyed step on an absent click: the (network, transaction id) claim first (held by
   * another click meanwhile: false, decide again), then the click inserted with the step's
   * journal, which is its claim (a concurrent insert of the same id is a duplicate key: false,
   * read again), then the journal finished. A crash between claim and insert leaves a claim naming this very click
   * id, which the retry reuses.
   */
  async function insertVirtual(click: ClickDocument, claim: NetworkTransactionDocument | null, journal: JournalDocument): Promise<boolean> {
    // Claimed meanwhile by another click id: decide again (the step then reads the holder: conflict).
    if (claim && !(await claimNetworkTransaction(claim))) return false;
    try {
      await c.clicks.insertOne({ ...click, journal });
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
    await finishJournal(c, click._id, journal);
    return true;
  }

  /** Claims the pair for the click; false when another click id holds it. */
  async function claimNetworkTransaction(claim: NetworkTransactionDocument): Promise<boolean> {
    try {
      await c.networkTransactions.insertOne(claim);
      return true;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const holder = await c.networkTransactions.findOne({ _id: asId(claim._id, 'networkTransaction') });
      return holder?.clickId === claim.clickId;
    }
  }

  return {
    async applyConversion(command): Promise<ConversionOutcome> {
      const clickId = asId(command.clickId, 'clickId');
      const conversionId = asId(command.conversionId, 'conversionId');
      let reservations: StepReservations | null | undefined;
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
        const click = await readSettledClick(clickId);
        // Daily caps: reserved once per step on the first read of the click (see risk-counters.ts).
        reservations ??= await reserveCounters(c, click ? clickFromDocument(click) : (command.clickIfAbsent ?? null), command);
        const earning = click ? await c.earnings.findOne({ clickId, conversionId }) : null;
        const holder = click ? null : await readPairHolder(c, command);
        const plan = planConversion(click, earning, command, false, reservedCounters(reservations), holder);
        // The event travels in the journal: recorded with the change, or not at all.
        const event = command.recordEvent === false ? null : eventOfConversion(plan, command.attemptId, command.now);
        const settle = async (recorded: StoredEvent | null) => {
          if (reservations) await settleReservations(c, reservations, plan.counted && plan.earning ? plan.earning.amountMinor : null);
          return { decision: plan.decision, earning: plan.earning, owed: plan.owed, rule: plan.rule, event: recorded };
        };
        if (!click && plan.clickInsert) {
          if (await insertVirtual(plan.clickInsert, plan.networkTransaction, journalOf(command.attemptId, command.now, plan, plan.attempt, event))) return settle(event);
          continue; // the same virtual click was inserted meanwhile: decide again on it
        }
        if (!click || !plan.clickSet) {
          await c.attempts.insertOne(plan.attempt); // nothing changes: the audit row is the whole step
          return settle(null);
        }
        if (await commit(click, plan.clickSet, journalOf(command.attemptId, command.now, plan, plan.attempt, event))) return settle(event);
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
        const event = command.recordEvent === false ? null : eventOfApproval(plan.earning, command.approve, command.now);
        const journal = journalOf(new ObjectId().toHexString(), command.now, plan.writes, null, event);
        if (await commit(click, plan.writes.clickSet ?? {}, journal)) return { decision: plan.decision, earning: plan.earning, owed: plan.writes.owed, event };
        await sleep(backoffMs(attempt));
      }
      throw new Error('clickcredit/mongodb: too many concurrent steps on one click; retry the approval');
    },
  };
}

function journalOf(id: string, at: Date, plan: StepPlan, attempt: JournalDocument['attempt'], event: StoredEvent | null): JournalDocument {
  return { id, at, insert: plan.insert, update: plan.update, attempt, event: event ? eventToDocument(event) : null };
}
