/**
 * The stores under benchmark, each with a tracker and a way to clean up after itself.
 */
import { PGlite } from '@electric-sql/pglite';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createClickTracker, type ClickStore, type ClickTracker } from 'clickcredit';
import { createMemoryStore } from 'clickcredit/memory';
import { createPostgresStore, migrate, type SqlClient } from 'clickcredit/postgres';
import { createRedisStore } from 'clickcredit/redis';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const RUN = `ccbench_${process.pid}_${Date.now().toString(36)}`;

export interface BenchStore {
  name: string;
  storage: ClickStore;
  tracker: ClickTracker;
  pool?: pg.Pool;
  redis?: Redis;
  schema?: string;
  /** Counts statements/commands sent, for the round-trip section. */
  counter: { count: number };
  close(): Promise<void>;
}

export function benchTracker(storage: ClickStore): ClickTracker {
  return createClickTracker({
    storage,
    products: { getProduct: (id) => ({ productId: id, earnUpTo: '50.00', active: true }) },
    publicUrl: 'http://localhost:3000/api/v1/earn',
    referrals: { referrerOf: (userId) => (userId.endsWith('3') ? 'bench-referrer' : null) }, // a share of users is referred
    referralCommission: '10%',
    allowUnverifiedPostbacks: true,
    logger: { info() {}, warn() {}, error: (m) => console.error(m) },
  });
}

function countingSql(client: SqlClient, counter: { count: number }): SqlClient {
  return { query: (text: string, params?: unknown[]) => ((counter.count += 1), client.query(text, params)) } as SqlClient;
}

export async function openStores(): Promise<BenchStore[]> {
  const stores: BenchStore[] = [];
  const memory = createMemoryStore();
  stores.push({ name: 'memory', storage: memory, tracker: benchTracker(memory), counter: { count: 0 }, close: async () => undefined });

  const lite = new PGlite();
  await migrate(lite);
  const liteCounter = { count: 0 };
  const liteStore = createPostgresStore({ client: countingSql(lite, liteCounter) });
  stores.push({ name: 'pglite', storage: liteStore, tracker: benchTracker(liteStore), counter: liteCounter, close: () => lite.close() });

  try {
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 20 });
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
    console.log(`postgres: not measured (${(error as Error).message})`);
  }

  try {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    await redis.ping();
    const counter = { count: 0 };
    const original = redis.sendCommand.bind(redis);
    redis.sendCommand = ((command: Parameters<Redis['sendCommand']>[0]) => ((counter.count += 1), original(command))) as Redis['sendCommand'];
    const store = createRedisStore({ client: redis, prefix: RUN });
    stores.push({
      name: 'redis', storage: store, tracker: benchTracker(store), redis, counter,
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
    console.log(`redis: not measured (${(error as Error).message})`);
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
      console.log(`mongodb: not measured (${(error as Error).message})`);
    }
  } else {
    console.log('mongodb: not measured (MONGODB_URL not set)');
  }
  return stores;
}
