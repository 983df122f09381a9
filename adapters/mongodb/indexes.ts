/**
 * Collection names and the indexes that back the guarantees. The unique indexes are the last
 * line of defence of exactly-once: one earning per (click, conversion), one ledger entry per
 * idempotency key, whatever any code path does.
 * @module
 */
import type { Db } from 'mongodb';

/** The collections of one clickcredit installation. */
export interface CollectionNames {
  clicks: string;
  earnings: string;
  ledger: string;
  wallets: string;
  attempts: string;
  /** Day counters of the risk daily caps. */
  riskCounters: string;
  /** The unique (network, transaction id) claims of user-keyed clicks. */
  networkTransactions: string;
  /** Worker leases (`_id` is the lease name). */
  workerLeases: string;
  /** The event outbox with each event's webhook delivery state (`_id` is the event id). */
  events: string;
}

/** Collection names under a prefix (default `clickcredit_`). */
export function collectionNames(prefix = 'clickcredit_'): CollectionNames {
  if (!/^[A-Za-z0-9_.-]{0,64}$/.test(prefix)) throw new TypeError('clickcredit/mongodb: collectionPrefix may hold letters, digits, _ . - only');
  return {
    clicks: `${prefix}clicks`,
    earnings: `${prefix}earnings`,
    ledger: `${prefix}ledger`,
    wallets: `${prefix}wallets`,
    attempts: `${prefix}postback_attempts`,
    riskCounters: `${prefix}risk_counters`,
    networkTransactions: `${prefix}network_transactions`,
    workerLeases: `${prefix}worker_leases`,
    events: `${prefix}events`,
  };
}

/** Options of {@link ensureIndexes}. */
export interface EnsureIndexesOptions {
  /** Same prefix as given to `createMongoStore`. */
  collectionPrefix?: string;
}

/**
 * Creates the collections' indexes (idempotent: `createIndexes` with an existing identical
 * index is a no-op). Run it at deploy or start-up time, like a migration, before
 * `createMongoStore`; it also creates the collections, which transactions on a sharded cluster
 * cannot do themselves.
 */
export async function ensureIndexes(db: Db, options: EnsureIndexesOptions = {}): Promise<void> {
  const names = collectionNames(options.collectionPrefix);
  // clicks: _id is the click id (unique by itself).
  await db.collection(names.clicks).createIndexes([
    { key: { status: 1, expiresAt: 1 }, name: 'clicks_by_status_expiry' },
    // Standalone path: steps a crash interrupted, found by retryPendingCredits().
    { key: { 'journal.at': 1 }, name: 'clicks_with_journal', partialFilterExpression: { 'journal.at': { $exists: true } } },
    // Admin lists, each ending in the list order; the first also serves the statistics' window.
    { key: { createdAt: -1, _id: -1 }, name: 'clicks_recent' },
    { key: { userId: 1, createdAt: -1, _id: -1 }, name: 'clicks_by_user' },
    { key: { productId: 1, createdAt: -1, _id: -1 }, name: 'clicks_by_product' },
    { key: { status: 1, createdAt: -1, _id: -1 }, name: 'clicks_by_status' },
  ]);
  await db.collection(names.earnings).createIndexes([
    { key: { clickId: 1, conversionId: 1 }, name: 'one_earning_per_conversion', unique: true },
    { key: { userId: 1, createdAt: -1, _id: -1 }, name: 'earnings_by_user_newest' },
    { key: { 'owed.key': 1 }, name: 'outbox_key' },
    { key: { updatedAt: 1 }, name: 'earnings_owing', partialFilterExpression: { owing: true } },
    { key: { createdAt: -1, _id: -1 }, name: 'earnings_recent' },
    { key: { approvalStatus: 1, createdAt: -1, _id: -1 }, name: 'earnings_by_approval' },
    { key: { status: 1, createdAt: -1, _id: -1 }, name: 'earnings_by_status' },
    { key: { productId: 1, createdAt: -1, _id: -1 }, name: 'earnings_by_product' },
    { key: { creditedAt: 1 }, name: 'earnings_credited_at', partialFilterExpression: { credited: true } },
    { key: { cancelledAt: 1 }, name: 'earnings_cancelled_at', partialFilterExpression: { credited: true, status: 'cancelled' } },
  ]);
  await db.collection(names.ledger).createIndexes([
    { key: { key: 1 }, name: 'ledger_idempotency_key', unique: true },
    { key: { userId: 1, _id: 1 }, name: 'ledger_by_user' },
    { key: { userId: 1, folded: 1 }, name: 'ledger_unfolded', partialFilterExpression: { folded: false } },
  ]);
  // wallets: _id is the user id.
  await db.createCollection(names.wallets).catch(ignoreExisting);
  // Day counters go once their day (plus one) is over; the TTL monitor runs about every minute.
  await db.collection(names.riskCounters).createIndexes([
    { key: { expiresAt: 1 }, name: 'risk_counters_expiry', expireAfterSeconds: 0 },
  ]);
  // network_transactions: _id is the (network, transaction id) pair (unique by itself).
  await db.createCollection(names.networkTransactions).catch(ignoreExisting);
  await db.collection(names.attempts).createIndexes([
    { key: { clickId: 1, receivedAt: 1, order: 1 }, name: 'attempts_by_click' },
    { key: { receivedAt: -1, _id: -1 }, name: 'attempts_recent' },
    { key: { decision: 1, receivedAt: -1, _id: -1 }, name: 'attempts_by_decision' },
    { key: { conversionId: 1, receivedAt: -1, _id: -1 }, name: 'attempts_by_conversion' },
    { key: { sourceIp: 1, receivedAt: -1, _id: -1 }, name: 'attempts_by_source_ip' },
    { key: { earningId: 1 }, name: 'attempts_by_earning' },
  ]);
  // worker_leases: _id is the lease name.
  await db.createCollection(names.workerLeases).catch(ignoreExisting);
  // events: _id is the event id (unique by itself: a replayed step's event is a duplicate key).
  await db.collection(names.events).createIndexes([
    // The delivery worker's queue, in recording order; only pending events are in it.
    { key: { createdAt: 1, order: 1 }, name: 'events_pending', partialFilterExpression: { state: 'pending' } },
    // A user's events in recording order.
    { key: { userId: 1, createdAt: 1, order: 1 }, name: 'events_by_user' },
    // The admin delivery list, newest first, all states or one.
    { key: { createdAt: -1, _id: -1 }, name: 'events_recent' },
    { key: { state: 1, createdAt: -1, _id: -1 }, name: 'events_by_state' },
  ]);
}

/** Same as {@link ensureIndexes}, named like the Postgres adapter's `migrate()`. */
export const migrate = ensureIndexes;

/** `createCollection` on an existing collection fails with NamespaceExists (48): that is the goal reached. */
function ignoreExisting(error: unknown): void {
  if ((error as { code?: unknown }).code !== 48) throw error;
}
