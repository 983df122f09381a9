/**
 * The MongoDB store. On a replica set or sharded cluster every state change is one
 * multi-document transaction (read, decide with the core's `decideConversion`, write). On a
 * standalone server there are no transactions, so it stays exactly-once another way:
 * - the click document is the serialisation point: every state change first moves its
 *   `version` by compare-and-set, so of two racing postbacks one wins and the other re-reads;
 * - an earning and the money it owes are one document (owed operations embedded), written by
 *   insert (unique (clickId, conversionId)) or compare-and-set on the earning's `version`;
 * - money always goes through the outbox: the ledger wallet applies an operation with a
 *   single-document conditional update (balance and applied key together), then records the
 *   ledger entry; `retryPendingCredits()` finishes whatever a crash interrupted.
 * @module
 */
import type { ClientSession, Db, MongoClient } from 'mongodb';
import {
  ConflictError,
  creditOperations,
  decideConversion,
  type ApprovalOutcome,
  type ClickStore,
  type ConversionCommand,
  type ConversionOutcome,
  type EarningRecord,
  type RawReads,
  type WalletOperation,
  type WalletPort,
} from 'clickcredit';
import {
  attemptFromDocument, attemptToDocument, clickFromDocument, clickToDocument, earningFromDocument, earningToDocument,
  ledgerFromDocument, ledgerToDocument, owedFromDocument, owedToDocument,
  type AttemptDocument, type ClickDocument, type EarningDocument, type LedgerDocument,
} from './documents.js';
import { asId, fromLong, toLong } from './guards.js';
import { collectionNames } from './indexes.js';

/** Options of {@link createMongoStore}. */
export interface MongoStoreOptions {
  /** The database holding clickcredit's collections (run {@link ensureIndexes} first). */
  db: Db;
  /** The client `db` came from (sessions for transactions). */
  client: MongoClient;
  /** Prefix of the collection names. Default `clickcredit_`. */
  collectionPrefix?: string;
  /** `auto` (default): transactions when the deployment supports them; `always`; `never`. */
  transactions?: 'auto' | 'always' | 'never';
}

/** A MongoDB store: the {@link ClickStore} plus raw reads for tests. */
export interface MongoStore extends ClickStore {
  readonly raw: RawReads;
  /** Whether this store runs each step in a multi-document transaction. */
  readonly transactional: boolean;
}

interface WalletDocument {
  _id: string;
  balance: ReturnType<typeof toLong>;
  /** Standalone path only: keys already applied, updated with the balance in one document write. */
  appliedKeys?: string[];
}

class LostRace extends Error {}
const DUPLICATE_KEY = 11000;
const isDuplicateKey = (error: unknown) => (error as { code?: number }).code === DUPLICATE_KEY;
const MAX_ATTEMPTS = 20;

/** Whether the deployment is a replica set or sharded cluster (transactions available). */
export async function supportsTransactions(db: Db): Promise<boolean> {
  const hello = await db.command({ hello: 1 });
  return typeof hello.setName === 'string' || hello.msg === 'isdbgrid';
}

/** Creates a store; asks the server once whether it supports transactions (unless told). */
export async function createMongoStore(options: MongoStoreOptions): Promise<MongoStore> {
  const names = collectionNames(options.collectionPrefix);
  const clicks = options.db.collection<ClickDocument>(names.clicks);
  const earnings = options.db.collection<EarningDocument>(names.earnings);
  const ledger = options.db.collection<LedgerDocument>(names.ledger);
  const wallets = options.db.collection<WalletDocument>(names.wallets);
  const attempts = options.db.collection<AttemptDocument>(names.attempts);
  const mode = options.transactions ?? 'auto';
  const transactional = mode === 'always' || (mode === 'auto' && (await supportsTransactions(options.db)));

  /** Runs `step` in a transaction (transactional) or directly; retries lost races and duplicate inserts. */
  async function atomically<T>(step: (session: ClientSession | undefined) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        if (!transactional) return await step(undefined);
        const session = options.client.startSession();
        try {
          let result: T | undefined;
          await session.withTransaction(async () => {
            result = await step(session);
          }, { readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' }, readPreference: 'primary' });
          return result as T;
        } finally {
          await session.endSession();
        }
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !(error instanceof LostRace || isDuplicateKey(error))) throw error;
      }
    }
  }

  /** Compare-and-set on the click: the serialisation point of everything about one click. */
  async function claimClick(doc: ClickDocument, next: Partial<ClickDocument>, session: ClientSession | undefined) {
    const { _id: _ignored, version: _v, ...fields } = next as ClickDocument;
    const result = await clicks.updateOne({ _id: doc._id, version: doc.version }, { $set: fields, $inc: { version: 1 } }, { session });
    if (result.matchedCount === 0) throw new LostRace();
  }

  /** Writes a created or changed earning with its owed operations (inline: ledger entries in the same transaction). */
  async function saveEarning(
    earning: EarningRecord, created: boolean, previous: EarningDocument | null, operations: WalletOperation[],
    ledgerMode: 'inline' | 'outbox', session: ClientSession | undefined,
  ): Promise<WalletOperation[]> {
    const inline = ledgerMode === 'inline' && transactional;
    const owed = inline ? [] : operations.map(owedToDocument);
    if (created) {
      await earnings.insertOne(earningToDocument(earning, 1, owed), { session });
    } else {
      const { _id, version: _v, owed: _o, ...fields } = earningToDocument(earning, 0, []);
      const result = await earnings.updateOne(
        { _id, version: previous!.version },
        { $set: fields, $inc: { version: 1 }, $push: { owed: { $each: owed } } },
        { session },
      );
      if (result.matchedCount === 0) throw new LostRace();
    }
    if (inline) for (const op of operations) await postInTransaction(op, session!);
    return inline ? [] : operations;
  }

  /** Transactional path: the entry and the balance in one transaction. */
  async function postInTransaction(op: WalletOperation, session: ClientSession): Promise<{ duplicate: boolean }> {
    const existing = await ledger.findOne({ key: asId(op.key, 'key') }, { session });
    if (existing) {
      if (existing.userId !== op.userId || fromLong(existing.amount) !== op.amountMinor) throw new ConflictError('Idempotency key already used for a different wallet operation');
      return { duplicate: true };
    }
    await ledger.insertOne(ledgerToDocument(op), { session });
    await wallets.updateOne({ _id: asId(op.userId, 'userId') }, { $inc: { balance: toLong(op.amountMinor) } }, { upsert: true, session });
    return { duplicate: false };
  }

  /** Standalone path: balance and applied key move in one document write, then the entry is recorded. */
  async function postWithoutTransaction(op: WalletOperation): Promise<{ duplicate: boolean }> {
    const existing = await ledger.findOne({ key: asId(op.key, 'key') });
    if (existing) {
      if (existing.userId !== op.userId || fromLong(existing.amount) !== op.amountMinor) throw new ConflictError('Idempotency key already used for a different wallet operation');
      return { duplicate: true };
    }
    let duplicate = false;
    try {
      const result = await wallets.updateOne(
        { _id: asId(op.userId, 'userId'), appliedKeys: { $ne: op.key } },
        { $inc: { balance: toLong(op.amountMinor) }, $push: { appliedKeys: op.key } },
        { upsert: true },
      );
      duplicate = result.modifiedCount === 0 && result.upsertedCount === 0;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error; // the wallet exists and already holds the key
      duplicate = true;
    }
    try {
      await ledger.insertOne(ledgerToDocument(op));
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    return { duplicate };
  }

  const wallet: WalletPort = {
    async apply(op) {
      const result = transactional ? await atomically((session) => postInTransaction(op, session!)) : await postWithoutTransaction(op);
      return { ...result, balanceMinor: await wallet.getBalance(op.userId) };
    },
    async getBalance(userId) {
      const doc = await wallets.findOne({ _id: asId(userId, 'userId') }, { projection: { balance: 1 } });
      return doc ? fromLong(doc.balance) : 0n;
    },
  };

  async function applyConversion(command: ConversionCommand): Promise<ConversionOutcome> {
    return atomically(async (session) => {
      const clickDoc = await clicks.findOne({ _id: asId(command.clickId, 'clickId') }, { session });
      const earningDoc = clickDoc
        ? await earnings.findOne({ clickId: asId(command.clickId, 'clickId'), conversionId: asId(command.conversionId, 'conversionId') }, { session })
        : null;
      const t = decideConversion(clickDoc ? clickFromDocument(clickDoc) : null, earningDoc ? earningFromDocument(earningDoc) : null, command);
      let owed: WalletOperation[] = [];
      if (clickDoc && (t.click || t.earningChanged)) await claimClick(clickDoc, t.click ? clickToDocument(t.click, 0) : {}, session);
      if (t.earning && t.earningChanged) {
        owed = await saveEarning(t.earning, t.earningCreated, earningDoc, t.operations, command.ledger, session);
      }
      await attempts.insertOne(attemptToDocument({
        attemptId: command.attemptId, clickId: command.clickId, conversionId: command.conversionId, postbackStatus: command.postbackStatus,
        amount: command.rawAmount, sourceIp: command.sourceIp, rawData: command.rawData, decision: t.decision,
        earningId: t.earning?.earningId ?? null, message: null, receivedAt: command.now,
      }), { session });
      return { decision: t.decision, earning: t.earning, owed };
    });
  }

  async function decideApproval(command: { earningId: string; approve: boolean; now: Date; ledger: 'inline' | 'outbox' }): Promise<ApprovalOutcome> {
    return atomically(async (session) => {
      const earningDoc = await earnings.findOne({ _id: asId(command.earningId, 'earningId') }, { session });
      if (!earningDoc) return { decision: 'not_found', earning: null, owed: [] };
      const earning = earningFromDocument(earningDoc);
      const already = command.approve ? earning.approvalStatus === 'manual_approved' : earning.cancelReason === 'approval_rejected';
      if (already) return { decision: 'unchanged', earning, owed: [] };
      if (earning.status !== 'completed' || earning.approvalStatus !== 'pending') return { decision: 'not_held', earning, owed: [] };
      const clickDoc = await clicks.findOne({ _id: asId(earning.clickId, 'clickId') }, { session });
      if (clickDoc) await claimClick(clickDoc, {}, session); // same serialisation point as postbacks of this click
      const { now } = command;
      const decided: EarningRecord = command.approve
        ? { ...earning, approvalStatus: 'manual_approved', credited: true, creditedAt: now, updatedAt: now }
        : { ...earning, approvalStatus: 'rejected', status: 'cancelled', cancelReason: 'approval_rejected', cancelledAt: now, updatedAt: now };
      const operations = command.approve ? creditOperations(decided, now) : [];
      const owed = await saveEarning(decided, false, earningDoc, operations, command.ledger, session);
      return { decision: 'applied', earning: decided, owed };
    });
  }

  return {
    name: transactional ? 'mongodb' : 'mongodb-standalone',
    supportsInlineLedger: transactional,
    transactional,
    wallet,

    async insertClick(click) {
      try {
        await clicks.insertOne(clickToDocument(click, 1));
      } catch (error) {
        if (isDuplicateKey(error)) throw new ConflictError('Click id already exists');
        throw error;
      }
    },

    // One single-document update (an update pipeline): concurrent visits are all counted.
    async recordVisit(clickId, at) {
      const doc = await clicks.findOneAndUpdate(
        { _id: asId(clickId, 'clickId') },
        [{ $set: { visitCount: { $add: ['$visitCount', 1] }, firstVisitAt: { $ifNull: ['$firstVisitAt', at] }, lastVisitAt: at, updatedAt: at } }],
        { returnDocument: 'after' },
      );
      return doc ? clickFromDocument(doc) : null;
    },

    async getClick(clickId) {
      const doc = await clicks.findOne({ _id: asId(clickId, 'clickId') });
      return doc ? clickFromDocument(doc) : null;
    },

    applyConversion,

    async recordPostbackAttempt(attempt) {
      await attempts.insertOne(attemptToDocument(attempt));
    },

    async listPostbackAttempts(clickId) {
      const docs = await attempts.find({ clickId: asId(clickId, 'clickId') }).sort({ receivedAt: 1, _id: 1 }).toArray();
      return docs.map(attemptFromDocument);
    },

    async getEarning(earningId) {
      const doc = await earnings.findOne({ _id: asId(earningId, 'earningId') });
      return doc ? earningFromDocument(doc) : null;
    },

    async listEarnings({ userId, limit, after }) {
      const filter = after
        ? { userId: asId(userId, 'userId'), $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, _id: { $lt: asId(after.earningId, 'cursor') } }] }
        : { userId: asId(userId, 'userId') };
      const docs = await earnings.find(filter).sort({ createdAt: -1, _id: -1 }).limit(limit).toArray();
      return docs.map(earningFromDocument);
    },

    decideApproval,

    // Conditional single-document updates: a click a postback just converted is not expired.
    async expireClicks(now, limit) {
      const due = await clicks.find({ status: 'pending', expiresAt: { $lte: now } }, { projection: { _id: 1 } }).limit(limit).toArray();
      let expired = 0;
      for (const { _id } of due) {
        const result = await clicks.updateOne({ _id, status: 'pending' }, { $set: { status: 'expired', updatedAt: now }, $inc: { version: 1 } });
        expired += result.modifiedCount;
      }
      return expired;
    },

    async listOwedOperations(limit) {
      const docs = await earnings.find({ owed: { $elemMatch: { settledAt: null } } }).limit(limit).toArray();
      return docs
        .flatMap((doc) => doc.owed.filter((op) => op.settledAt === null).map(owedFromDocument))
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
        .slice(0, limit);
    },

    async settleOwedOperation(key, at) {
      const earningId = /^earning:(.+):[a-z_]+$/.exec(key)?.[1];
      if (!earningId) return;
      await earnings.updateOne(
        { _id: asId(earningId, 'earningId'), owed: { $elemMatch: { key: asId(key, 'key'), settledAt: null } } },
        { $set: { 'owed.$.settledAt': at } },
      );
    },

    async close() {},

    raw: {
      async ledgerEntries(userId) {
        return (await ledger.find({ userId: asId(userId, 'userId') }).sort({ _id: 1 }).toArray()).map(ledgerFromDocument);
      },
      cachedBalance: (userId) => wallet.getBalance(userId),
      async earningsOfClick(clickId) {
        return (await earnings.find({ clickId: asId(clickId, 'clickId') }).toArray()).map(earningFromDocument);
      },
      async outboxOfEarning(earningId) {
        const doc = await earnings.findOne({ _id: asId(earningId, 'earningId') });
        return (doc?.owed ?? []).map((op) => ({ ...owedFromDocument(op), settledAt: op.settledAt }));
      },
    },
  };
}

