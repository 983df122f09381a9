/**
 * `clickcredit/mongodb`: MongoDB storage and ledger wallet on the official driver (`mongodb`
 * 6 or 7, an optional peer dependency). Run {@link ensureIndexes} once, then
 * {@link createMongoStore}. Transactions on replica sets and sharded clusters; an exactly-once
 * path without them on standalone servers.
 * @module
 */
export { createMongoStore, createMongoRawReads, type MongoStore, type MongoStoreOptions } from './store.js';
export { ensureIndexes, migrate, collectionNames, type CollectionNames, type EnsureIndexesOptions } from './indexes.js';
export { supportsTransactions } from './topology.js';
export { asId, asDate, asLimit } from './guards.js';
