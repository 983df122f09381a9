/**
 * The stores under benchmark, each with a tracker and a way to clean up after itself.
 */
import { PGlite } from '@electric-sql/pglite';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createClickTracker, type ClickStore, type ClickTracker, type ClickTrackerOptions } from 'clickcredit';
import { createMemoryStore } from 'clickcredit/memory';
import { cpx } from 'clickcredit/networks';
import type { SqlClient } from 'clickcredit/postgres';

// Adapters load lazily: one that is missing or broken (being rewritten, say) costs its rows,
// which say so, never the whole run.
const postgresAdapter = () => import('clickcredit/postgres');
const redisAdapter = () => import('clickcredit/redis');
/** Stores (or sections) not measured, with the reason; printed and written to the results. */
export const notMeasured: Record<string, string> = {};
function skip(name: string, error: unknown) {
  notMeasured[name] = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  console.log(`${name}: NOT MEASURED (${notMeasured[name]})`);
}

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const RUN = `ccbench_${process.pid}_${Date.now().toString(36)}`;
/** Who refers the referred users, and at what commission (10%, in parts per million). */
export const REFERRER = 'bench-referrer';
export const REFERRAL_PPM = 100_000;
/** Users are `bench-user-0..99`; those ending in 3 or 7 (one in five) are referred. */
export const benchUser = (i: number) => `bench-user-${i % 100}`;
export const REFERRED_SHARE = 0.2;

export interface BenchStore {
  name: string;
  storage: ClickStore;
  tracker: ClickTracker;
  pool?: pg.Pool;
  redis?: Redis;
  schema?: string;
  /** Counts statements/commands sent, for the round-trip section. */
  counter: { count: number };
  /** Redis only: a tracker on the same server under another key prefix. */
  withPrefix?: (prefix: string) => ClickTracker;
  close(): Promise<void>;
}

/** The secret of the bench's network (CPX preset: md5(`trans_id-secret`), user-keyed). */
export const BENCH_CPX_SECRET = 'bench-cpx-secret';

export function benchTracker(storage: ClickStore, extra: Partial<ClickTrackerOptions> = {}): ClickTracker {
  return createClickTracker({
    storage,
    products: { getProduct: (id) => ({ productId: id, earnUpTo: '50.00', active: true }) },
    publicUrl: 'http://localhost:3000/api/v1/earn',
    referrals: { referrerOf: (userId) => (userId.endsWith('3') || userId.endsWith('7') ? REFERRER : null) },
    referralCommission: '10%',
    allowUnverifiedPostbacks: true,
    // A user-keyed network for the HTTP section's network-callback row.
    networks: { cpx: cpx(BENCH_CPX_SECRET) },
    logger: { info() {}, warn() {}, error: (m) => console.error(m) },
    ...extra,
  });
}

/** A fresh clickcredit schema on `pool` (migrated), with its store and tracker; dropped by `drop()`. */
export async function freshPostgres(pool: pg.Pool, schema: string) {
  const { createPostgresStore, migrate } = await postgresAdapter();
  await migrate(pool, { schema });
  const storage = createPostgresStore({ client: pool, schema });
  return { storage, tracker: benchTracker(storage), drop: () => pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`) };
}

export function countingSql(client: SqlClient, counter: { count: number }): SqlClient {
  return { query: (text: string, params?: unknown[]) => ((counter.count += 1), client.query(text, params)) } as SqlClient;
}

export async function openStores(): Promise<BenchStore[]> {
  const stores: BenchStore[] = [];
  const memory = createMemoryStore();
  stores.push({ name: 'memory', storage: memory, tracker: benchTracker(memory), counter: { count: 0 }, close: async () => undefined });

  try {
    const { createPostgresStore, migrate } = await postgresAdapter();
    const lite = new PGlite();
    await migrate(lite);
    const liteCounter = { count: 0 };
    const liteStore = createPostgresStore({ client: countingSql(lite, liteCounter) });
    stores.push({ name: 'pglite', storage: liteStore, tracker: benchTracker(liteStore), counter: liteCounter, close: () => lite.close() });
  } catch (error) {
    skip('pglite', error);
  }

  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 20 });
  try {
    const { createPostgresStore, migrate } = await postgresAdapter();
    await pool.query('SELECT 1');
    const schema = `${RUN}_cc`;
    await migrate(pool, { schema });
    const counter = { count: 0 };
    const store = createPostgresStore({ client: countingSql(pool, counter), schema });
    stores.push({
      name: 'postgres', storage: store, tracker: benchTracker(store), pool, schema, counter,
      close: async () => {
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await pool.end();
      },
    });
  } catch (error) {
    skip('postgres', error);
    await pool.end().catch(() => undefined);
  }

  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    const { createRedisStore } = await redisAdapter();
    await redis.connect();
    const counter = { count: 0 };
    const original = redis.sendCommand.bind(redis);
    redis.sendCommand = ((command: Parameters<Redis['sendCommand']>[0]) => ((counter.count += 1), original(command))) as Redis['sendCommand'];
    const store = createRedisStore({ client: redis, prefix: RUN });
    stores.push({
      name: 'redis', storage: store, tracker: benchTracker(store), redis, counter,
      withPrefix: (prefix) => benchTracker(createRedisStore({ client: redis, prefix: `${RUN}:${prefix}` })),
      close: async () => {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${RUN}*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length) await redis.unlink(...keys);
        } while (cursor !== '0');
        redis.disconnect();
      },
    });
  } catch (error) {
    skip('redis', error);
    redis.disconnect();
  }
  if (process.env.MONGODB_URL) {
    try {
      const { MongoClient } = await import('mongodb');
      const { createMongoStore, ensureIndexes } = await import('clickcredit/mongodb');
      const client = await new MongoClient(process.env.MONGODB_URL).connect();
      const db = client.db(RUN);
      await ensureIndexes(db);
      const store = await createMongoStore({ db, client });
      stores.push({
        name: 'mongodb', storage: store, tracker: benchTracker(store), counter: { count: 0 },
        close: async () => {
          await db.dropDatabase();
          await client.close();
        },
      });
    } catch (error) {
      skip('mongodb', error);
    }
  } else {
    skip('mongodb', 'MONGODB_URL not set');
  }
  return stores;
}
