/**
 * The MongoDB store: the `ClickStore` port on the official driver.
 *
 * On a replica set or sharded cluster every state change is one multi-document transaction
 * (`steps-transactional.ts`, `wallet.ts`). On a standalone server, where transactions do not
 * exist, the same guarantees come from single-document compare-and-set on the click, a journal
 * of the step's other writes stored with the claim, money only through the outbox, and a wallet
 * whose ledger insert is the idempotency guard (`steps-standalone.ts`, `journal.ts`,
 * `wallet.ts`). Both paths decide with the core's `decideConversion`, and both record each
 * change's event in the same atomic unit as the change (`events.ts`).
 * @module
 */
import { ConflictError, type ClickStore } from 'clickcredit';
import type { RawReads } from 'clickcredit/testing';
import type { Db, MongoClient } from 'mongodb';
import { mongoAdmin, mongoLeases } from './admin.js';
import { collectionNames } from './indexes.js';
import { openCollections, type StoreCollections } from './collections.js';
import {
  attemptFromDocument,
  attemptToDocument,
  clickFromDocument,
  clickToDocument,
  earningFromDocument,
  ledgerFromDocument,
  networkTransactionOf,
  owedFromDocument,
} from './documents.js';
import { isDuplicateKey } from './errors.js';
import { mongoEvents } from './events.js';
import { asDate, asId, asLimit } from './guards.js';
import { listOwedOperations, recoverOwed, settleOwedOperation } from './outbox.js';
import { standaloneSteps } from './steps-standalone.js';
import { transactionalSteps } from './steps-transactional.js';
import { supportsTransactions } from './topology.js';
import { transactionRunner } from './transaction.js';
import { standaloneWallet, storedBalance, transactionalWallet } from './wallet.js';

/** Options of {@link createMongoStore}. */
export interface MongoStoreOptions {
  /** The database holding clickcredit's collections (run `ensureIndexes(db)` first). */
  db: Db;
  /** The client `db` came from, for transaction sessions. Default: `db.client`. */
  client?: MongoClient;
  /** Prefix of the collection names (default `clickcredit_`); same as given to `ensureIndexes`. */
  collectionPrefix?: string;
  /**
   * `auto` (default): transactions when the server is a replica set member or a mongos (asked
   * once with `hello`), the standalone path otherwise; `always`: transactions, refused at
   * creation on a standalone server; `never`: the standalone path everywhere.
   */
  transactions?: 'auto' | 'always' | 'never';
}

/** A MongoDB store (raw reads of its documents, for tests: {@link createMongoRawReads}). */
export interface MongoStore extends ClickStore {
  /** Whether each step runs in a multi-document transaction (otherwise the standalone path). */
  readonly transactional: boolean;
}

/**
 * Creates a store on `options.db`. Asks the server once (`hello`) whether it supports
 * transactions unless `transactions` says. Never closes the client: that stays the host's.
 */
export async function createMongoStore(options: MongoStoreOptions): Promise<MongoStore> {
  const c = openCollections(options.db, options.collectionPrefix);
  const transactional = await useTransactions(options);
  const client = options.client ?? (options.db as { client?: MongoClient }).client;
  if (transactional && !client) throw new TypeError('clickcredit/mongodb: transactions need the MongoClient: pass options.client');
  const run = transactionRunner(client as MongoClient, c);
  const steps = transactional ? transactionalSteps(c, run) : standaloneSteps(c);
  const wallet = transactional ? transactionalWallet(c, run) : standaloneWallet(c);
  const leases = mongoLeases(c, collectionNames(options.collectionPrefix).workerLeases);
  return {
    name: transactional ? 'mongodb' : 'mongodb-standalone',
    // Inline ledger needs the entries in the same atomic step as the earning: transactions only.
    supportsInlineLedger: transactional,
    transactional,
    wallet,
    admin: mongoAdmin(c, wallet, transactional ? run : null, leases),
    leases,
    events: mongoEvents(c),
    ...clickMethods(c),
    applyConversion: steps.applyConversion,
    decideApproval: steps.decideApproval,
    ...readMethods(c),
    recoverOwed: (limit) => recoverOwed(c, limit),
    listOwedOperations: (limit) => listOwedOperations(c, limit),
    settleOwedOperation: (key, at) => settleOwedOperation(c, key, at),
    async close() {},
  };
}

async function useTransactions(options: MongoStoreOptions): Promise<boolean> {
  const mode = options.transactions ?? 'auto';
  if (mode === 'never') return false;
  const supported = await supportsTransactions(options.db);
  if (mode === 'always' && !supported) {
    throw new Error('clickcredit/mongodb: transactions: "always" needs a replica set or a sharded cluster; this server is standalone');
  }
  return supported;
}

/** Clicks: insert, visits, expiry. Each is one single-document write (or one bulk of them). */
function clickMethods(c: StoreCollections): Pick<ClickStore, 'insertClick' | 'recordVisit' | 'getClick' | 'expireClicks' | 'recordPostbackAttempt'> {
  return {
    // The _id is the click id: the primary key refuses a second click with it. A user-keyed click
    // first claims its (network, transaction id), whose _id refuses a second claim of the pair.
    async insertClick(click) {
      asId(click.clickId, 'clickId');
      const claim = networkTransactionOf(click);
      let claimed = false;
      if (claim) {
        try {
          await c.networkTransactions.insertOne(claim);
          claimed = true;
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          const holder = await c.networkTransactions.findOne({ _id: asId(claim._id, 'networkTransaction') });
          if (holder?.clickId !== click.clickId) throw new ConflictError('Network transaction id already exists');
        }
      }
      try {
        await c.clicks.insertOne(clickToDocument(click, 1));
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // Another click has this id: the claim made just now is not held by a stored click.
        if (claimed && claim) await c.networkTransactions.deleteOne({ _id: asId(claim._id, 'networkTransaction'), clickId: click.clickId });
        throw new ConflictError('Click id already exists');
      }
    },

    // One update pipeline on one document: concurrent visits are all counted. It leaves the
    // version alone (visits never race a conversion: the claim sets only conversion fields).
    async recordVisit(clickId, at) {
      const when = { $literal: asDate(at, 'visitedAt') };
      const doc = await c.clicks.findOneAndUpdate(
        { _id: asId(clickId, 'clickId') },
        [{ $set: { visitCount: { $add: ['$visitCount', 1] }, firstVisitAt: { $ifNull: ['$firstVisitAt', when] }, lastVisitAt: when, updatedAt: when } }],
        { returnDocument: 'after', includeResultMetadata: false },
      );
      return doc ? clickFromDocument(doc) : null;
    },

    async getClick(clickId) {
      const doc = await c.clicks.findOne({ _id: asId(clickId, 'clickId') });
      return doc ? clickFromDocument(doc) : null;
    },

    // Each click expires by its own conditional update (still pending, still due) with a
    // version move, so a postback that claimed the click first wins and one that read it
    // before the expiry loses its compare-and-set and sees it expired.
    async expireClicks(now, limit) {
      const at = asDate(now, 'now');
      const due = await c.clicks.find({ status: 'pending', expiresAt: { $lte: at } }, { projection: { _id: 1 } }).limit(asLimit(limit)).toArray();
      if (due.length === 0) return 0;
      const result = await c.clicks.bulkWrite(
        due.map(({ _id }) => ({
          updateOne: {
            filter: { _id, status: 'pending' as const, expiresAt: { $lte: at } },
            update: { $set: { status: 'expired' as const, updatedAt: at }, $inc: { version: 1 } },
          },
        })),
        { ordered: false },
      );
      return result.modifiedCount;
    },

    async recordPostbackAttempt(attempt) {
      await c.attempts.insertOne(attemptToDocument(attempt));
    },
  };
}

/** Reads: audit rows, earnings, keyset pages. */
function readMethods(c: StoreCollections): Pick<ClickStore, 'listPostbackAttempts' | 'getEarning' | 'listEarnings'> {
  return {
    async listPostbackAttempts(clickId) {
      const docs = await c.attempts.find({ clickId: asId(clickId, 'clickId') }).sort({ receivedAt: 1, order: 1 }).toArray();
      return docs.map(attemptFromDocument);
    },

    async getEarning(earningId) {
      const doc = await c.earnings.findOne({ _id: asId(earningId, 'earningId') });
      return doc ? earningFromDocument(doc) : null;
    },

    async listEarnings({ userId, limit, after }) {
      const user = asId(userId, 'userId');
      const filter = after
        ? {
            userId: user,
            $or: [
              { createdAt: { $lt: asDate(after.createdAt, 'cursor') } },
              { createdAt: asDate(after.createdAt, 'cursor'), _id: { $lt: asId(after.earningId, 'cursor') } },
            ],
          }
        : { userId: user };
      const docs = await c.earnings.find(filter).sort({ createdAt: -1, _id: -1 }).limit(asLimit(limit)).toArray();
      return docs.map(earningFromDocument);
    },
  };
}

/**
 * Test hook: raw reads of the documents in `db` (collections named with `collectionPrefix`) for
 * the conformance suite, straight from the documents rather than through the store's answers.
 * Not part of the storage port nor of the store object.
 */
export function createMongoRawReads(options: Pick<MongoStoreOptions, 'db' | 'collectionPrefix'>): RawReads {
  const c = openCollections(options.db, options.collectionPrefix);
  return {
    async ledgerEntries(userId) {
      const docs = await c.ledger.find({ userId: asId(userId, 'userId') }).sort({ _id: 1 }).toArray();
      return docs.map(ledgerFromDocument);
    },
    cachedBalance: (userId) => storedBalance(c, userId),
    async earningsOfClick(clickId) {
      return (await c.earnings.find({ clickId: asId(clickId, 'clickId') }).toArray()).map(earningFromDocument);
    },
    async clickOf(clickId) {
      const doc = await c.clicks.findOne({ _id: asId(clickId, 'clickId') });
      return doc ? clickFromDocument(doc) : null;
    },
    async outboxOfEarning(earningId) {
      const doc = await c.earnings.findOne({ _id: asId(earningId, 'earningId') }, { projection: { owed: 1 } });
      return (doc?.owed ?? []).map(owedFromDocument);
    },
  };
}
