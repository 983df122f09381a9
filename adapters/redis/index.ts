/**
 * `clickcredit/redis`: Redis storage and ledger wallet (ioredis), standalone and Redis Cluster.
 * @module
 */
export { createRedisStore, type RedisStore, type RedisStoreOptions } from './store.js';
export { createRedisRawReads } from './raw-reads.js';
export type { RedisArg, RedisClientLike } from './client.js';
export { keyLayout, type KeyLayout } from './keys.js';
