/**
 * The typed collection handles a store works with, all opened with the same options:
 * - `useBigInt64`: int64 money reads back as `bigint`, never as a JavaScript number;
 * - write concern `majority`: outside transactions every write is acknowledged only once it
 *   cannot be rolled back (on a standalone server: once it is in the on-disk journal). Inside a
 *   transaction the driver leaves per-operation write concerns out and the commit uses the
 *   transaction's own (`majority` as well).
 * @module
 */
import type { Collection, Db } from 'mongodb';
import type {
  AttemptDocument,
  ClickDocument,
  EarningDocument,
  LedgerDocument,
  NetworkTransactionDocument,
  RiskCounterDocument,
  WalletDocument,
} from './documents.js';
import type { EventDocument } from './events.js';
import { collectionNames } from './indexes.js';

/** The collections of a store. */
export interface StoreCollections {
  clicks: Collection<ClickDocument>;
  earnings: Collection<EarningDocument>;
  ledger: Collection<LedgerDocument>;
  wallets: Collection<WalletDocument>;
  attempts: Collection<AttemptDocument>;
  riskCounters: Collection<RiskCounterDocument>;
  networkTransactions: Collection<NetworkTransactionDocument>;
  /** The event outbox (events.ts). */
  events: Collection<EventDocument>;
}

/** Opens the store's collections under `prefix`. */
export function openCollections(db: Db, prefix?: string): StoreCollections {
  const names = collectionNames(prefix);
  const options = { useBigInt64: true, writeConcern: { w: 'majority' as const } };
  return {
    clicks: db.collection<ClickDocument>(names.clicks, options),
    earnings: db.collection<EarningDocument>(names.earnings, options),
    ledger: db.collection<LedgerDocument>(names.ledger, options),
    wallets: db.collection<WalletDocument>(names.wallets, options),
    attempts: db.collection<AttemptDocument>(names.attempts, options),
    riskCounters: db.collection<RiskCounterDocument>(names.riskCounters, options),
    networkTransactions: db.collection<NetworkTransactionDocument>(names.networkTransactions, options),
    events: db.collection<EventDocument>(names.events, options),
  };
}
