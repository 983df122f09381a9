/**
 * The stores the example runs on in this suite, each fresh per scenario and removed after:
 * PGlite in a temporary DATA_DIR, a database of its own on the shared Postgres server (created
 * and dropped here, never the shared `test` database), and a redis-server of the suite's own on
 * a free port (the shared Redis is never written to, let alone flushed). Each also opens the
 * library's raw reads of its stored data, to check money against the ledger as stored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { Redis } from 'ioredis';
import type { RawReads } from 'clickcredit/testing';
import { createPostgresRawReads } from 'clickcredit/postgres';
import { createRedisRawReads } from 'clickcredit/redis';
import type { StoreEnv } from './example-server.js';
import { startOwnRedis } from '../../support/own-services.js';

export type StoreKind = 'pglite' | 'postgres' | 'redis';

/** The shared Postgres server (trust auth); only used to create and drop the suite's own databases. */
export const SHARED_POSTGRES = process.env.RELIABILITY_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The prefix the example uses on Redis (examples/shared/storage.ts). */
export const EXAMPLE_REDIS_PREFIX = 'clickcredit-example';

export interface SuiteStore {
  kind: StoreKind;
  /** Whether several server processes may share it (PGlite is one process's files). */
  multiProcess: boolean;
  /** The example's environment for this store; `slot` picks one of several isolated stores (Redis db number, PGlite dir, database). */
  env(): StoreEnv;
  /** Opens raw reads of the stored data; close them before a PGlite server starts again. */
  openRaw(): Promise<{ raw: RawReads; close(): Promise<void> }>;
  /** Removes what was created (database, files, own redis-server). */
  cleanup(): Promise<void>;
}

function randomName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** PGlite under a fresh temporary DATA_DIR. */
export async function pgliteStore(): Promise<SuiteStore> {
  const dir = mkdtempSync(join(tmpdir(), 'clickcredit-reliability-'));
  return {
    kind: 'pglite',
    multiProcess: false,
    env: () => ({ DATA_DIR: dir }),
    openRaw: async () => {
      const db = new PGlite(join(dir, 'pglite'));
      return { raw: createPostgresRawReads({ client: db }), close: () => db.close() };
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A database of its own on the shared Postgres server, dropped (FORCE) afterwards. */
export async function postgresStore(): Promise<SuiteStore> {
  const name = randomName('rel');
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(SHARED_POSTGRES);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    multiProcess: true,
    env: () => ({ DATABASE_URL: url.toString() }),
    openRaw: async () => {
      const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
      return { raw: createPostgresRawReads({ client: pool }), close: () => pool.end() };
    },
    cleanup: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: SHARED_POSTGRES, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A redis-server of the suite's own on a free port (tests/support/own-services.ts). */
export interface OwnRedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startRedisServer(): Promise<OwnRedisServer> {
  const own = await startOwnRedis();
  return { url: own.url, port: own.port, stop: () => own.close() };
}

/** The suite's own redis-server; `db` picks a database number on it (isolated stores on one server). */
export async function redisStore(own?: OwnRedisServer, db = 0): Promise<SuiteStore> {
  const server = own ?? (await startRedisServer());
  const url = `${server.url}/${db}`;
  return {
    kind: 'redis',
    multiProcess: true,
    env: () => ({ REDIS_URL: url }),
    openRaw: async () => {
      const client = new Redis(url, { maxRetriesPerRequest: 1 });
      client.on('error', () => undefined); // a failed read rejects its own promise
      return { raw: createRedisRawReads({ client, prefix: EXAMPLE_REDIS_PREFIX }), close: async () => void client.disconnect() };
    },
    cleanup: async () => {
      if (!own) await server.stop();
    },
  };
}

export async function openStore(kind: StoreKind): Promise<SuiteStore> {
  if (kind === 'pglite') return pgliteStore();
  if (kind === 'postgres') return postgresStore();
  return redisStore();
}
