/**
 * `clickcredit/redis`: Redis storage and ledger wallet (ioredis), standalone and Redis Cluster.
 * @module
 */
export { createRedisStore, type RedisStore, type RedisStoreOptions, type RedisClientLike } from './store.js';
export { keyLayout, type KeyLayout } from './keys.js';
