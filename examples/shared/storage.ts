/**
 * Picks the example's store from the environment: MONGODB_URL, REDIS_URL, DATABASE_URL, or by
 * default embedded PGlite persisted under ./.data (no server needed).
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ClickStore } from 'clickcredit';

/** A store plus what must be closed on shutdown and a label for the start banner. */
export interface ExampleStorage {
  storage: ClickStore;
  label: string;
  close(): Promise<void>;
}

export async function openExampleStorage(env: NodeJS.ProcessEnv = process.env): Promise<ExampleStorage> {
  if (env.MONGODB_URL) {
    const { MongoClient } = await import('mongodb');
    const { createMongoStore, ensureIndexes } = await import('clickcredit/mongodb');
    const client = await new MongoClient(env.MONGODB_URL).connect();
    const db = client.db();
    await ensureIndexes(db);
    const storage = await createMongoStore({ db, client });
    return { storage, label: `MongoDB (${redact(env.MONGODB_URL)}, ${storage.transactional ? 'transactions' : 'standalone'})`, close: () => client.close() };
  }
  if (env.REDIS_URL) {
    const { Redis } = await import('ioredis');
    const { createRedisStore } = await import('clickcredit/redis');
    const client = new Redis(env.REDIS_URL);
    return { storage: createRedisStore({ client, prefix: 'clickcredit-example' }), label: `Redis (${redact(env.REDIS_URL)})`, close: async () => void client.disconnect() };
  }
  if (env.DATABASE_URL) {
    const { default: pg } = await import('pg');
    const { createPostgresStore, migrate } = await import('clickcredit/postgres');
    const pool = new pg.Pool({ connectionString: env.DATABASE_URL });
    await migrate(pool);
    return { storage: createPostgresStore({ client: pool }), label: `Postgres (${redact(env.DATABASE_URL)})`, close: () => pool.end() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { createPostgresStore, migrate } = await import('clickcredit/postgres');
  const dataDir = resolve(env.DATA_DIR ?? '.data', 'pglite');
  mkdirSync(dataDir, { recursive: true });
  const db = new PGlite(dataDir);
  await migrate(db);
  return { storage: createPostgresStore({ client: db }), label: `embedded PGlite (${dataDir})`, close: () => db.close() };
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
