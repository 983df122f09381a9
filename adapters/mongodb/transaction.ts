/**
 * Running one step in a multi-document transaction (replica sets and sharded clusters).
 * @module
 */
import type { MongoClient, TransactionOptions } from 'mongodb';
import type { StoreCollections } from './collections.js';
import { LostRace, PendingJournal, backoffMs, isDuplicateKey, sleep } from './errors.js';
import { asId } from './guards.js';
import { finishJournal } from './journal.js';
import type { TransactionRunner } from './wallet.js';

/**
 * Snapshot reads, majority commit, primary only: what a step reads is one consistent view,
 * and once the commit returns the step survives any failover.
 */
export const TRANSACTION_OPTIONS: TransactionOptions = {
  readConcern: { level: 'snapshot' },
  writeConcern: { w: 'majority' },
  readPreference: 'primary',
};

const MAX_ATTEMPTS = 50;

/**
 * A runner for `work` in `session.withTransaction`. The driver itself retries transient
 * errors (write conflicts between concurrent transactions) and unknown commit results; this
 * loop also retries, with a fresh transaction, what the driver treats as final but is only a
 * lost race here: a compare-and-set that matched nothing, a duplicate key from a concurrent
 * insert of the same earning or ledger key, or a click still carrying a standalone journal
 * (finished first).
 */
export function transactionRunner(client: MongoClient, c: StoreCollections): TransactionRunner {
  return async function run<T>(work: Parameters<TransactionRunner>[0]): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const session = client.startSession();
      try {
        // The value leaves by closure: what withTransaction itself returns has changed across
        // driver versions (command result, then the callback's value).
        let result: { value: T } | undefined;
        let runs = 0;
        await session.withTransaction(async (s) => {
          // The driver re-runs this at once after a write conflict; a jittered pause before the
          // first operation (the server transaction starts with it) keeps a crowd of writers to
          // one hot document (a busy wallet, a click under a postback storm) from retrying in
          // lock step and conflicting again.
          runs += 1;
          if (runs > 1) await sleep(backoffMs(runs));
          result = { value: (await work(s)) as T };
        }, TRANSACTION_OPTIONS);
        if (!result) throw new Error('clickcredit/mongodb: transaction ended without running its step');
        return result.value;
      } catch (error) {
        if (error instanceof PendingJournal) {
          await finishPendingJournal(c, error.clickId);
        } else if (attempt >= MAX_ATTEMPTS || !(error instanceof LostRace || isDuplicateKey(error))) {
          throw error;
        }
        await sleep(backoffMs(attempt));
      } finally {
        await session.endSession();
      }
    }
  };
}

async function finishPendingJournal(c: StoreCollections, clickId: string): Promise<void> {
  const click = await c.clicks.findOne({ _id: asId(clickId, 'clickId') }, { projection: { journal: 1 } });
  if (click?.journal) await finishJournal(c, clickId, click.journal);
}
