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
    // Fail in seconds when the server is away (the driver's default server selection waits 30 s);
    // the tracker's own storageTimeoutMs bounds each request either way.
    const client = await new MongoClient(env.MONGODB_URL, { serverSelectionTimeoutMS: 2000, connectTimeoutMS: 2000 }).connect();
    const db = client.db();
    await ensureIndexes(db);
    const storage = await createMongoStore({ db, client });
    return { storage, label: `MongoDB (${redact(env.MONGODB_URL)}, ${storage.transactional ? 'transactions' : 'standalone'})`, close: () => client.close() };
  }
  if (env.REDIS_URL) {
    const { Redis } = await import('ioredis');
    const { createRedisStore } = await import('clickcredit/redis');
    const client = new Redis(env.REDIS_URL, {
      // While disconnected, fail at once (503, the advertiser retries) instead of queueing commands
      // until the reconnection; a command whose reply does not come within 2 s fails too.
      enableOfflineQueue: false,
      commandTimeout: 2000,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      // Reconnect forever, at most one second apart, so service resumes soon after Redis is back.
      retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    });
    reportOutages(client, 'Redis');
    // Without the offline queue a command before the connection is ready fails: wait for it, but
    // start anyway after 2 s (answering 503 until Redis is there) rather than refuse to start.
    // (Not events.once: it rejects on the first 'error', i.e. on the first refused connection.)
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      client.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return { storage: createRedisStore({ client, prefix: 'clickcredit-example' }), label: `Redis (${redact(env.REDIS_URL)})`, close: async () => void client.disconnect() };
  }
  if (env.DATABASE_URL) {
    const { default: pg } = await import('pg');
    const { createPostgresStore, migrate } = await import('clickcredit/postgres');
    const pool = new pg.Pool({
      connectionString: env.DATABASE_URL,
      // No request waits more than 2 s for a connection (the default waits forever).
      connectionTimeoutMillis: 2000,
      // TCP keep-alive notices a dead server on an idle connection; the server ends a runaway statement.
      keepAlive: true,
      statement_timeout: 10_000,
    });
    // A lost idle connection (failover, PgBouncer restart, the server stopping) is an 'error' event
    // on the pool; unheard, it would end the process. The pool replaces the connection by itself.
    pool.on('error', (error) => console.error(`[clickcredit-example] Postgres connection lost: ${error.message} (the pool reconnects)`));
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

/** One line when the store goes away and one when it is back, not one per reconnection attempt. */
function reportOutages(client: { on(event: string, listener: (error?: Error) => void): unknown }, name: string): void {
  let down = false;
  client.on('error', (error) => {
    if (down) return;
    down = true;
    console.error(`[clickcredit-example] ${name} unreachable (${error?.message}): answering 503 until it is back`);
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    console.info(`[clickcredit-example] ${name} is back`);
  });
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
