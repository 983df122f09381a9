/**
 * `clickcredit/mongodb`: MongoDB storage and ledger wallet (official driver). Run
 * {@link ensureIndexes} once, then {@link createMongoStore}.
 * @module
 */
export { createMongoStore, supportsTransactions, type MongoStore, type MongoStoreOptions } from './store.js';
export { ensureIndexes, migrate, collectionNames } from './indexes.js';
export { asId } from './guards.js';
