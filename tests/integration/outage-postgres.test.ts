/**
 * Postgres going away, on a server of the test's own (never the shared one): connections killed
 * by `pg_terminate_backend()` (a failover, a PgBouncer restart, an idle timeout), the server
 * stopped under load and started again. The host process must live through it (a `pg` Pool with
 * no 'error' listener used to end it with "Unhandled 'error' event"), answer 503 while the
 * database is away, and recover by itself with every conversion credited exactly once.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresRawReads, createPostgresStore, migrate } from 'clickcredit/postgres';
import { startOwnPostgres, type OwnPostgres } from '../support/own-services.js';
import { describeFigures, runOutage, serveTracker, sleep } from './outage-load.js';

let server: OwnPostgres;
beforeAll(async () => {
  server = await startOwnPostgres();
  const admin = new pg.Client(server.url);
  await admin.connect();
  await admin.query('CREATE SCHEMA pool_a');
  for (const schema of ['pool_b', 'pool_c', 'pool_d']) await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.query('CREATE SCHEMA single');
  await admin.end();
});
afterAll(async () => server?.close());

/** Kills every connection of the `test` database except the admin's own. */
async function terminateBackends(): Promise<number> {
  const admin = new pg.Client(server.url);
  await admin.connect();
  const { rows } = await admin.query(
    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS killed FROM pg_stat_activity WHERE datname = 'test' AND pid <> pg_backend_pid()",
  );
  await admin.end();
  return rows[0].killed as number;
}

const quiet = { info() {}, warn() {}, error() {} };

describe('Postgres going away (own server)', () => {
  it('pg_terminate_backend() on the pool’s connections: no process exit, the error is logged, the next requests succeed', async () => {
    // A host Pool with NO 'error' listener, as most hosts write it.
    const pool = new pg.Pool({ connectionString: server.url, max: 4 });
    await migrate(pool, { schema: 'pool_a' });
    const logged: string[] = [];
    const storage = createPostgresStore({ client: pool, schema: 'pool_a', logger: { ...quiet, error: (message) => void logged.push(message) } });
    const { baseUrl, close } = await serveTracker(storage);
    try {
      // Four idle connections in the pool, then all killed at once.
      await Promise.all([1, 2, 3, 4].map(() => pool.query('SELECT pg_sleep(0.05)')));
      expect(pool.idleCount).toBe(4);
      expect(await terminateBackends()).toBeGreaterThanOrEqual(4);
      await sleep(300);
      expect(logged.some((line) => /connection/i.test(line))).toBe(true);
      const click = await fetch(`${baseUrl}/products/offer/click`, {
        method: 'POST',
        headers: { authorization: 'Bearer u1', 'content-type': 'application/json' },
        body: JSON.stringify({ taskUrl: 'https://advertiser.example/task' }),
      });
      expect(click.status).toBe(201);
      const { data } = (await click.json()) as { data: { clickId: string } };
      const postback = await fetch(`${baseUrl}/postback?click_id=${data.clickId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"amount":"1.00"}' });
      expect(postback.status).toBe(200);
      expect(await createPostgresRawReads({ client: pool, schema: 'pool_a' }).cachedBalance('u1')).toBe(100n);
    } finally {
      await close();
      await pool.end();
    }
  });

  it('a connection killed while checked out for a transaction (migrate waiting on its lock): the call fails, the process stays up', async () => {
    const pool = new pg.Pool({ connectionString: server.url, max: 2 }); // no 'error' listener, no store yet
    const holder = new pg.Client(server.url);
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['clickcredit:locked']);
      const migrating = migrate(pool, { schema: 'locked' });
      const outcome = migrating.then(() => 'migrated', (error: Error) => error.message);
      // Kill the migration's connection while its transaction waits for the lock.
      let killed = 0;
      for (let i = 0; i < 50 && killed === 0; i += 1) {
        await sleep(50);
        const { rows } = await holder.query(
          "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS killed FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
        );
        killed = rows[0].killed as number;
      }
      expect(killed).toBe(1);
      expect(await outcome).toMatch(/terminat/i);
      await holder.query('COMMIT');
      expect(await migrate(pool, { schema: 'locked' })).not.toHaveLength(0);
    } finally {
      await holder.end();
      await pool.end();
    }
  });

  it('a lone pg Client killed: no process exit, 503 from then on (a Client never reconnects: use a Pool)', async () => {
    const client = new pg.Client(server.url);
    await client.connect();
    await migrate(client, { schema: 'single' });
    const storage = createPostgresStore({ client, schema: 'single', logger: quiet });
    const { baseUrl, close } = await serveTracker(storage);
    try {
      await terminateBackends();
      await sleep(300);
      const started = Date.now();
      const click = await fetch(`${baseUrl}/products/offer/click`, {
        method: 'POST',
        headers: { authorization: 'Bearer u1', 'content-type': 'application/json' },
        body: JSON.stringify({ taskUrl: 'https://advertiser.example/task' }),
      });
      expect(click.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await close();
      await client.end().catch(() => undefined);
    }
  });

  it.each([
    ['stopped (fast shutdown)', 'pool_b', () => server.stop(), () => server.start()],
    ['crashed (immediate shutdown, recovery on start)', 'pool_c', () => server.stop({ mode: 'crash' }), () => server.start()],
    ['frozen (SIGSTOP: a hung host, nothing answers)', 'pool_d', () => server.pause(), () => server.resume()],
  ] as const)('server %s for 4 s under load: 503 within the bound, recovery, nothing lost or doubled', async (what, schema, down, up) => {
    const pool = new pg.Pool({ connectionString: server.url, max: 8 });
    await migrate(pool, { schema });
    const storage = createPostgresStore({ client: pool, schema, logger: quiet });
    const { baseUrl, close } = await serveTracker(storage);
    try {
      const figures = await runOutage({
        baseUrl,
        raw: () => createPostgresRawReads({ client: pool, schema }),
        outage: { name: `postgres ${what}`, downMs: 4000, down, up },
      });
      console.info(describeFigures(`postgres server ${what} (pg Pool, default settings)`, figures));
      expect(figures.otherFailures).toEqual([]);
      expect(figures.unavailable).toBeGreaterThan(0);
      expect(figures.firstUnavailableMs).not.toBeNull();
      // A frozen server refuses nothing: the first 503 is the deadline's (3 s by default).
      expect(figures.firstUnavailableMs!).toBeLessThan(schema === 'pool_d' ? 4000 : 1500);
      expect(figures.maxOutageLatencyMs).toBeLessThan(4000);
      expect(figures.recoveryMs).not.toBeNull();
      expect(figures.recoveryMs!).toBeLessThan(4000);
      expect(figures.lost).toBe(0);
      expect(figures.doubled).toBe(0);
    } finally {
      await close();
      await pool.end();
    }
  });
});
