/**
 * The MongoDB store's admin side, on the indexes of indexes.ts (one per filter, each ending in
 * the list order `time desc, _id desc`). Attempts and earnings do not carry their click's user
 * or network, so those filters join the click by `_id` (`$lookup`, one primary-key read per row
 * walked in list order). Statistics read time-index ranges of the window only. Adjustments are
 * balance-checked inside a transaction (write conflicts on the wallet document serialise
 * concurrent debits); on the standalone path, where there are no transactions, a balance-checked
 * debit takes the wallet's adjustment lease first (one at a time per wallet; a crashed holder
 * blocks it for at most {@link ADJUST_LOCK_MS}), then checks the folded balance and writes the
 * entry. An applied adjustment's `wallet.adjusted` event is written in the transaction, or on the
 * standalone path in the ledger entry's own insert (moved to the outbox by the fold, see
 * wallet.ts). Leases are one conditional upsert.
 * @module
 */
import {
  REFUSED_DECISIONS,
  type AdminListQuery,
  type AdminStore,
  type LeaseStore,
  type PostbackDecisionCode,
  type StatsRow,
  type AdjustmentOutcome,
  type TimeRange,
  type StoredEvent,
  type WalletOperation,
  type WalletPort,
} from 'clickcredit';
import { eventOfAdjustment } from 'clickcredit/store';
import { ObjectId, type Document, type Filter } from 'mongodb';
import type { StoreCollections } from './collections.js';
import { attemptFromDocument, clickFromDocument, earningFromDocument, ledgerFromDocument, type AttemptDocument, type ClickDocument, type EarningDocument } from './documents.js';
import { backoffMs, isDuplicateKey, sleep } from './errors.js';
import { eventToDocument, insertEventInTransaction } from './events.js';
import { asDate, asId, asLimit } from './guards.js';
import { fromLong } from './int64.js';
import { applyStandalone, postInTransaction, storedBalance, type TransactionRunner } from './wallet.js';

/** The keyset and time range of a page on `timeField`, as a filter. */
function pageFilter(timeField: string, query: AdminListQuery<TimeRange>): Document {
  const and: Document[] = [];
  const { from, to } = query.filter;
  if (from) and.push({ [timeField]: { $gte: asDate(from, 'from') } });
  if (to) and.push({ [timeField]: { $lt: asDate(to, 'to') } });
  if (query.after) {
    const at = asDate(query.after.at, 'cursor');
    and.push({ $or: [{ [timeField]: { $lt: at } }, { [timeField]: at, _id: { $lt: asId(query.after.id, 'cursor') } }] });
  }
  return and.length === 0 ? {} : { $and: and };
}

/** Equality filters with their values checked (strings only: no operator objects reach a query). */
function equal(fields: Record<string, string | undefined>): Document {
  const out: Document = {};
  for (const [field, value] of Object.entries(fields)) if (value !== undefined) out[field] = asId(value, field);
  return out;
}

/** `$lookup` of the click behind a row, then the click-side filters. */
function clickJoin(click: Record<string, string | undefined>, collection: string): Document[] {
  const match = equal(Object.fromEntries(Object.entries(click).map(([k, v]) => [`click.${k}`, v])));
  if (Object.keys(match).length === 0) return [];
  return [{ $lookup: { from: collection, localField: 'clickId', foreignField: '_id', as: 'click' } }, { $unwind: '$click' }, { $match: match }, { $unset: 'click' }];
}

const STATS_DECISIONS: readonly PostbackDecisionCode[] = ['held', ...REFUSED_DECISIONS];

/** The admin queries of a MongoDB store. */
export function mongoAdmin(c: StoreCollections, wallet: WalletPort, run: TransactionRunner | null, leases: LeaseStore): AdminStore {
  const clicksName = c.clicks.collectionName;
  return {
    async listAttempts(query) {
      const f = query.filter;
      const pipeline: Document[] = [
        { $match: { ...equal({ decision: f.decision, clickId: f.clickId, conversionId: f.conversionId, sourceIp: f.sourceIp }), ...pageFilter('receivedAt', query) } },
        { $sort: { receivedAt: -1, _id: -1 } },
        ...clickJoin({ userId: f.userId, network: f.network }, clicksName),
        { $limit: asLimit(query.limit) },
      ];
      return (await c.attempts.aggregate<AttemptDocument>(pipeline).toArray()).map(attemptFromDocument);
    },

    async listEarnings(query) {
      const f = query.filter;
      const pipeline: Document[] = [
        { $match: { ...equal({ approvalStatus: f.approvalStatus, status: f.status, userId: f.userId, productId: f.productId }), ...pageFilter('createdAt', query) } },
        { $sort: { createdAt: -1, _id: -1 } },
        ...clickJoin({ network: f.network }, clicksName),
        { $limit: asLimit(query.limit) },
      ];
      return (await c.earnings.aggregate<EarningDocument>(pipeline).toArray()).map(earningFromDocument);
    },

    async attemptsOfEarning(earning) {
      const docs = await c.attempts
        .find({ $or: [{ earningId: asId(earning.earningId, 'earningId') }, { clickId: asId(earning.clickId, 'clickId'), conversionId: asId(earning.conversionId, 'conversionId') }] })
        .sort({ receivedAt: 1, order: 1 })
        .toArray();
      return docs.map(attemptFromDocument);
    },

    async listClicks(query) {
      const f = query.filter;
      const filter = { ...equal({ userId: f.userId, productId: f.productId, status: f.status }), ...pageFilter('createdAt', query) } as Filter<ClickDocument>;
      const docs = await c.clicks.find(filter).sort({ createdAt: -1, _id: -1 }).limit(asLimit(query.limit)).toArray();
      return docs.map(clickFromDocument);
    },

    async ledgerPage({ userId, limit, after }) {
      const user = asId(userId, 'userId');
      if (after !== null && !ObjectId.isValid(after)) return { entries: [], balanceMinor: await wallet.getBalance(user) };
      const read = async (session?: import('mongodb').ClientSession) => {
        const docs = await c.ledger
          .find({ userId: user, ...(after === null ? {} : { _id: { $lt: new ObjectId(after) } }) }, { session })
          .sort({ _id: -1 })
          .limit(asLimit(limit))
          .toArray();
        const balanceMinor = session ? await storedBalance(c, user, session) : await wallet.getBalance(user);
        return { balanceMinor, entries: docs.map((d) => ({ ...ledgerFromDocument(d), position: String(d._id) })) };
      };
      // In a transaction both reads come from one snapshot.
      return run ? run((session) => read(session)) : read();
    },

    async adjustWallet({ op, allowOverdraft, eventId }) {
      const event = eventId === undefined ? null : eventOfAdjustment(op, eventId);
      if (!run) return standaloneAdjust(c, wallet, leases, op, allowOverdraft, event);
      return run(async (session) => {
        const existing = await c.ledger.findOne({ key: asId(op.key, 'key') }, { session });
        const balance = await storedBalance(c, op.userId, session);
        if (!existing && op.amountMinor < 0n && !allowOverdraft && balance + op.amountMinor < 0n) {
          return { decision: 'insufficient' as const, balanceMinor: balance };
        }
        // Writes the wallet document in this transaction: a concurrent debit's commit conflicts and is re-run.
        const result = await postInTransaction(c, op, session);
        if (result.duplicate) return { decision: 'duplicate' as const, balanceMinor: result.balanceMinor };
        if (event) await insertEventInTransaction(c, eventToDocument(event), session);
        return { decision: 'applied' as const, balanceMinor: result.balanceMinor, event };
      });
    },

    async stats(query) {
      const step = query.bucket === 'hour' ? 3_600_000 : 86_400_000;
      const range = (field: string) => ({ [field]: { $gte: asDate(query.from, 'from'), $lt: asDate(query.to, 'to') } });
      const out = new Map<string, StatsRow>();
      const rowOf = (at: Date, network: string | null, productId: string | null): StatsRow | null => {
        if (query.network !== undefined && network !== query.network) return null;
        if (query.productId !== undefined && productId !== query.productId) return null;
        const bucketStart = new Date(Math.floor(at.getTime() / step) * step);
        const key = `${bucketStart.getTime()}\u0000${network ?? ''}\u0000${productId ?? ''}`;
        let row = out.get(key);
        if (!row) {
          row = { bucketStart, network, productId, clicks: 0, conversions: 0, creditedMinor: 0n, reversedMinor: 0n, held: 0, refused: {} };
          out.set(key, row);
        }
        return row;
      };
      const clicks = await c.clicks.find(range('createdAt'), { projection: { createdAt: 1, network: 1, productId: 1 } }).toArray();
      for (const click of clicks) { const row = rowOf(click.createdAt, click.network ?? null, click.productId); if (row) row.clicks += 1; }
      const networkOf = new Map<string, string | null>();
      const earningParts: Array<[string, Document]> = [['createdAt', range('createdAt')], ['creditedAt', { ...range('creditedAt'), credited: true }], ['cancelledAt', { ...range('cancelledAt'), credited: true, status: 'cancelled' }]];
      const earnings = await Promise.all(earningParts.map(([, filter]) => c.earnings.find(filter as Filter<EarningDocument>).toArray()));
      const attempts = await c.attempts.find({ ...range('receivedAt'), decision: { $in: [...STATS_DECISIONS] } }).toArray();
      const clickIds = new Set<string>([...earnings.flat().map((e) => e.clickId), ...attempts.flatMap((a) => (a.clickId === null ? [] : [a.clickId]))]);
      const joined = await c.clicks.find({ _id: { $in: [...clickIds] } }, { projection: { network: 1, productId: 1 } }).toArray();
      const productOf = new Map<string, string>();
      for (const click of joined) { networkOf.set(click._id, click.network ?? null); productOf.set(click._id, click.productId); }
      earningParts.forEach(([field], i) => {
        for (const e of earnings[i]!) {
          const at = e[field as 'createdAt' | 'creditedAt' | 'cancelledAt'];
          const row = at ? rowOf(at, networkOf.get(e.clickId) ?? null, e.productId) : null;
          if (!row) continue;
          if (field === 'createdAt') row.conversions += 1;
          else if (field === 'creditedAt') row.creditedMinor += fromLong(e.amount);
          else row.reversedMinor += fromLong(e.amount);
        }
      });
      for (const a of attempts) {
        const row = rowOf(a.receivedAt, a.clickId === null ? null : (networkOf.get(a.clickId) ?? null), a.clickId === null ? null : (productOf.get(a.clickId) ?? null));
        if (!row) continue;
        if (a.decision === 'held') row.held += 1;
        else row.refused[a.decision] = (row.refused[a.decision] ?? 0) + 1;
      }
      return [...out.values()];
    },
  };
}

/** Longest a crashed holder of a wallet's adjustment lease can block that wallet's checked debits. */
export const ADJUST_LOCK_MS = 10_000;

/**
 * The standalone path's adjustment. Credits and overdraft-allowed debits are plain wallet
 * applications (idempotent by key). A checked debit holds the wallet's `adjust:<user>` lease
 * while it reads the folded balance and writes its entry, so checked debits of one wallet run
 * one at a time and each sees the balance the previous one left.
 */
async function standaloneAdjust(
  c: StoreCollections,
  wallet: WalletPort,
  leases: LeaseStore,
  op: WalletOperation,
  allowOverdraft: boolean,
  event: StoredEvent | null,
): Promise<AdjustmentOutcome> {
  const known = async () => (await c.ledger.findOne({ key: asId(op.key, 'key') })) !== null;
  const applyNow = async (): Promise<AdjustmentOutcome> => {
    // The event rides in the entry's insert: only the caller whose insert wins records it.
    const result = await applyStandalone(c, op, event ? eventToDocument(event) : null); // a key reused for another user or amount is a ConflictError here
    if (result.duplicate) return { decision: 'duplicate', balanceMinor: result.balanceMinor };
    return { decision: 'applied', balanceMinor: result.balanceMinor, event };
  };
  if (op.amountMinor >= 0n || allowOverdraft || (await known())) return applyNow();
  const lock = `adjust:${asId(op.userId, 'userId')}`;
  const owner = new ObjectId().toHexString();
  for (let round = 1; !(await leases.acquire(lock, owner, ADJUST_LOCK_MS, new Date())); round += 1) {
    if (round > 200) throw new Error('clickcredit/mongodb: wallet adjustment lock stayed busy');
    await sleep(backoffMs(round));
  }
  try {
    if (await known()) return await applyNow();
    const balance = await wallet.getBalance(op.userId);
    if (balance + op.amountMinor < 0n) return { decision: 'insufficient', balanceMinor: balance };
    return await applyNow();
  } finally {
    await leases.release(lock, owner);
  }
}

interface LeaseDocument {
  _id: string;
  owner: string;
  expiresAt: Date;
}

/**
 * Leases as documents: one conditional upsert. When the lease is held by someone else and not
 * expired the filter matches nothing and the upsert's insert hits the `_id` index: not taken.
 */
export function mongoLeases(c: StoreCollections, leasesName: string): LeaseStore {
  const leases = c.clicks.db.collection<LeaseDocument>(leasesName);
  return {
    async acquire(name, owner, ttlMs, now) {
      const id = asId(name, 'lease');
      const holder = asId(owner, 'owner');
      try {
        await leases.updateOne(
          { _id: id, $or: [{ owner: holder }, { expiresAt: { $lte: asDate(now, 'now') } }] },
          { $set: { owner: holder, expiresAt: new Date(now.getTime() + ttlMs) } },
          { upsert: true },
        );
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },
    async release(name, owner) {
      await leases.deleteOne({ _id: asId(name, 'lease'), owner: asId(owner, 'owner') });
    },
  };
}
