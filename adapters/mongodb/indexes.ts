/**
 * Collections and the indexes that back the guarantees (unique keys are the last line of defence).
 * @module
 */
import type { Db } from 'mongodb';

/** Collection names under a prefix. */
export function collectionNames(prefix = 'clickcredit_') {
  return {
    clicks: `${prefix}clicks`,
    earnings: `${prefix}earnings`,
    ledger: `${prefix}ledger`,
    wallets: `${prefix}wallets`,
    attempts: `${prefix}postback_attempts`,
  };
}

/** Creates the indexes (idempotent). Run it at deploy time, like a migration. */
export async function ensureIndexes(db: Db, options: { collectionPrefix?: string } = {}): Promise<void> {
  const names = collectionNames(options.collectionPrefix);
  await db.collection(names.earnings).createIndexes([
    { key: { clickId: 1, conversionId: 1 }, name: 'one_earning_per_conversion', unique: true },
    { key: { userId: 1, createdAt: -1, _id: -1 }, name: 'earnings_by_user' },
    { key: { 'owed.settledAt': 1 }, name: 'owed_operations', sparse: true },
  ]);
  await db.collection(names.ledger).createIndexes([
    { key: { key: 1 }, name: 'ledger_idempotency_key', unique: true },
    { key: { userId: 1, _id: 1 }, name: 'ledger_by_user' },
  ]);
  await db.collection(names.clicks).createIndexes([{ key: { status: 1, expiresAt: 1 }, name: 'pending_by_expiry' }]);
  await db.collection(names.attempts).createIndexes([{ key: { clickId: 1, receivedAt: 1 }, name: 'attempts_by_click' }]);
}

/** Same as {@link ensureIndexes}, named like the Postgres adapter's migrate(). */
export const migrate = ensureIndexes;
