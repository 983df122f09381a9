/**
 * The runnable examples (Express and Fastify) as an operator runs them, on stores of the test's
 * own: Postgres connections killed with `pg_terminate_backend()` used to end the process
 * ("Unhandled 'error' event … BoundPool", exit 1, connection refused from then on); Postgres and
 * Redis stopped under load must give 503 at once and full service after, with the stored ledger
 * exact. The example's Redis client fails fast while disconnected (no offline queue).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresRawReads } from 'clickcredit/postgres';
import { createRedisRawReads } from 'clickcredit/redis';
import { startExample as startProcess } from '../support/example-process.js';
import { startOwnPostgres, startOwnRedis, type OwnPostgres, type OwnRedis } from '../support/own-services.js';
import { describeFigures, runOutage, sleep, type LoadIdentity } from './outage-load.js';

const DEMO: LoadIdentity = {
  productId: 'demo-product',
  users: [
    { userId: 'demo-friend', token: 'demo-friend-token', referrer: 'demo-user' },
    { userId: 'demo-user', token: 'demo-token', referrer: null },
  ],
};

const dataDir = mkdtempSync(join(tmpdir(), 'clickcredit-outage-example-'));
const running: ChildProcess[] = [];
let postgres: OwnPostgres;
let redis: OwnRedis;
beforeAll(async () => {
  [postgres, redis] = await Promise.all([startOwnPostgres(), startOwnRedis({ appendOnly: true })]);
});
afterAll(async () => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all([postgres?.close(), redis?.close()]);
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts an example the way `npm start` does and waits for its banner. */
const startExample = (script: string, env: Record<string, string>) => startProcess(script, { DATA_DIR: dataDir, ...env }, running);

/** A fresh database on the own server, so each example run's ledger is its own. */
async function freshDatabase(name: string): Promise<string> {
  const admin = new pg.Client(postgres.url);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return postgres.url.replace(/\/test$/, `/${name}`);
}

async function terminateBackends(database: string): Promise<number> {
  const admin = new pg.Client(postgres.url);
  await admin.connect();
  const { rows } = await admin.query('SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS killed FROM pg_stat_activity WHERE datname = $1', [database]);
  await admin.end();
  return rows[0].killed as number;
}

async function creditOnce(base: string, amount: string): Promise<number> {
  const click = await fetch(`${base}/products/demo-product/click`, {
    method: 'POST',
    headers: { authorization: 'Bearer demo-friend-token', 'content-type': 'application/json' },
    body: JSON.stringify({ taskUrl: 'https://example.com/offer' }),
  });
  if (click.status !== 201) return click.status;
  const { data } = (await click.json()) as { data: { clickId: string } };
  const postback = await fetch(`${base}/postback?click_id=${data.clickId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ amount }) });
  return postback.status;
}

for (const [framework, script] of [['Express', 'examples/express/server.ts'], ['Fastify', 'examples/fastify/server.ts']] as const) {
  describe(`the ${framework} example when Postgres goes away`, () => {
    it('pg_terminate_backend() on its connections: the process stays up and the next postbacks are credited', async () => {
      const database = `terminate_${framework.toLowerCase()}`;
      const url = await freshDatabase(database);
      const example = await startExample(script, { DATABASE_URL: url });
      const pool = new pg.Pool({ connectionString: url, max: 2 });
      try {
        // Several connections in the example's pool, all idle, then all killed.
        expect((await Promise.all([1, 2, 3, 4].map(() => creditOnce(example.base, '1.00'))))).toEqual([200, 200, 200, 200]);
        expect(await terminateBackends(database)).toBeGreaterThan(0);
        await sleep(500);
        expect(example.child.exitCode).toBeNull();
        expect(await creditOnce(example.base, '2.00')).toBe(200);
        expect(example.child.exitCode).toBeNull();
        expect(example.output()).not.toMatch(/Unhandled 'error' event/);
        const raw = createPostgresRawReads({ client: pool });
        expect(await raw.cachedBalance('demo-friend')).toBe(600n);
        expect(await raw.cachedBalance('demo-user')).toBe(60n);
      } finally {
        await pool.end();
        await example.stop();
      }
    });

    it('the server stopped for 3 s under load: 503 at once, bounded, recovery, the stored ledger exact', async () => {
      const url = await freshDatabase(`stop_${framework.toLowerCase()}`);
      const example = await startExample(script, { DATABASE_URL: url });
      const pool = new pg.Pool({ connectionString: url, max: 2 });
      pool.on('error', () => undefined); // the test's own reader pool goes through the outage too
      try {
        const figures = await runOutage({
          baseUrl: example.base,
          raw: () => createPostgresRawReads({ client: pool }),
          identity: DEMO,
          outage: { name: 'postgres stop', downMs: 3000, down: () => postgres.stop(), up: () => postgres.start() },
        });
        console.info(describeFigures(`${framework} example, Postgres stop/start`, figures));
        expect(example.child.exitCode).toBeNull();
        expect(figures.otherFailures).toEqual([]);
        expect(figures.unavailable).toBeGreaterThan(0);
        expect(figures.firstUnavailableMs!).toBeLessThan(1500);
        expect(figures.maxOutageLatencyMs).toBeLessThan(3500);
        expect(figures.recoveryMs!).toBeLessThan(4000);
        expect(figures.lost).toBe(0);
        expect(figures.doubled).toBe(0);
      } finally {
        await pool.end();
        await example.stop();
      }
    });
  });
}

describe('the Express example when Redis goes away', () => {
  it('started while Redis is down: it starts, answers 503, and serves once Redis is up', async () => {
    await redis.stop();
    const example = await startExample('examples/express/server.ts', { REDIS_URL: redis.url });
    try {
      const started = Date.now();
      expect(await creditOnce(example.base, '1.00')).toBe(503);
      expect(Date.now() - started).toBeLessThan(1500);
      await redis.start();
      let status = 0;
      for (let i = 0; i < 40 && status !== 200; i += 1) {
        await sleep(100);
        status = await creditOnce(example.base, '1.00');
      }
      expect(status).toBe(200);
      expect(example.child.exitCode).toBeNull();
    } finally {
      await redis.start();
      await example.stop();
      // The next test checks the example's whole ledger against its own traffic: start it empty.
      const admin = new Redis(redis.url);
      await admin.flushall();
      admin.disconnect();
    }
  });

  it('stopped for 3 s under load: 503 at once (no offline queue), recovery, the stored ledger exact', async () => {
    const example = await startExample('examples/express/server.ts', { REDIS_URL: redis.url });
    const reader = new Redis(redis.url, { lazyConnect: true });
    reader.on('error', () => undefined); // the test's own reader goes through the outage too
    try {
      const figures = await runOutage({
        baseUrl: example.base,
        raw: () => createRedisRawReads({ client: reader, prefix: 'clickcredit-example' }),
        identity: DEMO,
        outage: { name: 'redis stop', downMs: 3000, down: () => redis.stop(), up: () => redis.start() },
      });
      console.info(describeFigures('Express example, Redis stop/start', figures));
      expect(example.child.exitCode).toBeNull();
      expect(figures.otherFailures).toEqual([]);
      expect(figures.unavailable).toBeGreaterThan(0);
      expect(figures.firstUnavailableMs!).toBeLessThan(1500);
      expect(figures.maxOutageLatencyMs).toBeLessThan(3000);
      expect(figures.recoveryMs!).toBeLessThan(4000);
      expect(figures.lost).toBe(0);
      expect(figures.doubled).toBe(0);
      expect(example.output()).toMatch(/Redis unreachable/);
      expect(example.output()).toMatch(/Redis is back/);
    } finally {
      reader.disconnect();
      await example.stop();
    }
  });
});
