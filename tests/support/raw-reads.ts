/**
 * Test-side registry of raw reads: the stores no longer carry their raw reads (test-only hooks are
 * not part of the production objects), so a test that makes a store registers the adapter's raw
 * reads of the same data beside it, and reads them back with {@link rawOf}.
 */
import { createMemoryRawReads, createMemoryStore, type MemoryStore } from 'clickcredit/memory';
import { createPostgresRawReads, createPostgresStore, type PostgresStore, type PostgresStoreOptions } from 'clickcredit/postgres';
import { createRedisRawReads, createRedisStore, type RedisStore, type RedisStoreOptions } from 'clickcredit/redis';
import type { RawReads } from 'clickcredit/testing';

const raws = new WeakMap<object, RawReads>();

/** Registers `raw` as the raw reads of `store`; returns the store. */
export function withRawReads<S extends object>(store: S, raw: RawReads): S {
  raws.set(store, raw);
  return store;
}

/** The raw reads registered for `store`. */
export function rawOf(store: object): RawReads {
  const raw = raws.get(store);
  if (!raw) throw new TypeError('no raw reads registered for this store (withRawReads)');
  return raw;
}

/** A memory store with its raw reads registered. */
export function memoryStoreWithRaw(): MemoryStore {
  const store = createMemoryStore();
  return withRawReads(store, createMemoryRawReads(store));
}

/** A Postgres store with the raw reads of the same schema registered. */
export function postgresStoreWithRaw(options: PostgresStoreOptions): PostgresStore {
  return withRawReads(createPostgresStore(options), createPostgresRawReads(options));
}

/** A Redis store with the raw reads of the same prefix and shards registered. */
export function redisStoreWithRaw(options: RedisStoreOptions): RedisStore {
  return withRawReads(createRedisStore(options), createRedisRawReads(options));
}
