/**
 * What the Postgres adapter promises beyond the conformance suite: migrations, the database's own
 * guards (unique constraints, append-only ledger), schema handling, money past 2^53, and a host
 * client left open. Run on PGlite (pglite.test.ts) and on a server (postgres.test.ts).
 */
import { ConflictError, type WalletOperation } from 'clickcredit';
import { MIGRATIONS, createPostgresStore, migrate, type SqlClient } from 'clickcredit/postgres';
import { postgresStoreWithRaw, rawOf } from '../support/raw-reads.js';
import { describe, expect, it } from 'vitest';
import { referredTracker } from '../support/trackers.js';

/** A database to test on. */
export interface PostgresBackend {
  /** The client under test (a pg Pool or a PGlite instance). */
  client: SqlClient;
  /** A schema name unused so far in this database (dropped by the caller afterwards). */
  newSchema(): string;
}

const manual = (key: string, userId: string, amountMinor: bigint): WalletOperation => ({
  key, userId, kind: 'manual_credit', amountMinor, earningId: null, reversesKey: null, reason: null, createdAt: new Date(),
});

/** Registers the adapter-specific tests; `backend` is called lazily, inside the tests. */
export function postgresSpecifics(backend: () => PostgresBackend): void {
  const fresh = async () => {
    const { client, newSchema } = backend();
    const schema = newSchema();
    await migrate(client, { schema });
    return { client, schema, store: postgresStoreWithRaw({ client, schema }) };
  };

  describe('migrations', () => {
    it('apply once: a second migrate is a no-op', async () => {
      const { client, newSchema } = backend();
      const schema = newSchema();
      const versions = MIGRATIONS.map((m) => m.version);
      expect(versions.slice(0, 2)).toEqual([1, 2]);
      expect(await migrate(client, { schema })).toEqual(versions);
      expect(await migrate(client, { schema })).toEqual([]);
      const { rows } = await client.query(`SELECT version FROM "${schema}".clickcredit_migrations ORDER BY version`);
      expect(rows).toEqual(versions.map((version) => ({ version })));
    });

    it('upgrade from version 1: clicks issued before migration 002 still convert, once', async () => {
      const { client, newSchema } = backend();
      const schema = newSchema();
      const s = `"${schema}"`;
      // The schema as a version-1 install left it, with a click issued by that version.
      await client.query(`CREATE SCHEMA ${s}`);
      await client.query(`CREATE TABLE ${s}.clickcredit_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      for (const statement of [MIGRATIONS[0]!.sql(s)]) await execAll(client, statement);
      await client.query(`INSERT INTO ${s}.clickcredit_migrations (version, name) VALUES (1, 'init')`);
      const clickId = '0b9f2c4e-4a8e-4d1b-9c55-6d1f0a2b3c4d';
      await client.query(
        `INSERT INTO ${s}.clicks (click_id, user_id, product_id, task_url, redirect_url, postback_url, clicked_at, expires_at,
           status, created_at, updated_at, earn_up_to, commission_ppm)
         VALUES ($1, 'upgraded', 'p', 'https://advertiser.example/o', 'https://advertiser.example/o', 'https://api.example.test/earn/postback',
           now(), now() + interval '1 day', 'pending', now(), now(), 5000, 0)`,
        [clickId],
      );
      expect(await migrate(client, { schema })).toEqual(MIGRATIONS.filter((m) => m.version > 1).map((m) => m.version));
      const store = postgresStoreWithRaw({ client, schema });
      expect(await rawOf(store).clickOf(clickId)).toMatchObject({ network: null, networkTransactionId: null, goals: null, status: 'pending' });
      const t = referredTracker(store);
      expect((await t.handlePostback({ query: { click_id: clickId }, body: { amount: '2.00' } })).decision).toBe('credited');
      expect((await t.handlePostback({ query: { click_id: clickId }, body: { amount: '2.00' } })).decision).toBe('duplicate');
      expect((await t.getWallet('upgraded')).balance).toBe('2.00');
    });

    it('are safe when several callers run them at once (advisory lock)', async () => {
      const { client, newSchema } = backend();
      const schema = newSchema();
      const results = await Promise.all(Array.from({ length: 4 }, () => migrate(client, { schema })));
      expect(results.flat()).toEqual(MIGRATIONS.map((m) => m.version));
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM "${schema}".clickcredit_migrations`);
      expect(rows).toEqual([{ n: MIGRATIONS.length }]);
    });

    it('refuse an unsafe schema name, in migrate and in the store', async () => {
      const { client } = backend();
      await expect(migrate(client, { schema: 'x"; DROP TABLE y; --' })).rejects.toThrow(/invalid schema name/);
      expect(() => createPostgresStore({ client, schema: 'a.b' })).toThrow(/invalid schema name/);
    });
  });

  describe('database guards', () => {
    it('keep the ledger append-only and one earning per conversion, whatever the code does', async () => {
      const { client, schema, store } = await fresh();
      const tracker = referredTracker(store);
      const { clickId } = await tracker.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.example/' });
      await tracker.handlePostback({ query: { click_id: clickId }, body: { amount: '10.00', conversionId: 'c' } });
      const s = `"${schema}"`;
      await expect(client.query(`UPDATE ${s}.ledger_entries SET amount = 1`)).rejects.toThrow(/append-only/);
      await expect(client.query(`DELETE FROM ${s}.ledger_entries`)).rejects.toThrow(/append-only/);
      // A second earning for the same (click, conversion), and a second entry under a used key.
      await expect(client.query(
        `INSERT INTO ${s}.earnings SELECT (jsonb_populate_record(e, '{"earning_id": "dup"}')).* FROM ${s}.earnings e WHERE click_id = $1`,
        [clickId],
      )).rejects.toMatchObject({ code: '23505' });
      await expect(client.query(
        `INSERT INTO ${s}.ledger_entries (idempotency_key, user_id, kind, amount, created_at)
         SELECT idempotency_key, user_id, kind, amount, created_at FROM ${s}.ledger_entries WHERE user_id = 'u'`,
      )).rejects.toMatchObject({ code: '23505' });
      expect(await rawOf(store).earningsOfClick(clickId)).toHaveLength(1);
      expect(await store.wallet.getBalance('u')).toBe(1000n);
    });

    it('wallet.apply: a reused key moves nothing; with another user or amount it is a ConflictError', async () => {
      const { store } = await fresh();
      expect(await store.wallet.apply(manual('k', 'u', 250n))).toEqual({ duplicate: false, balanceMinor: 250n });
      expect(await store.wallet.apply(manual('k', 'u', 250n))).toEqual({ duplicate: true, balanceMinor: 250n });
      await expect(store.wallet.apply(manual('k', 'u', 251n))).rejects.toBeInstanceOf(ConflictError);
      await expect(store.wallet.apply(manual('k', 'v', 250n))).rejects.toBeInstanceOf(ConflictError);
      expect(await rawOf(store).ledgerEntries('u')).toHaveLength(1);
      expect(await rawOf(store).ledgerEntries('v')).toHaveLength(0);
      expect(await store.wallet.getBalance('u')).toBe(250n);
      expect(await store.wallet.getBalance('v')).toBe(0n);
    });

    it('hold (network, network_transaction_id) unique for user-keyed clicks only', async () => {
      const { client, schema, store } = await fresh();
      const s = `"${schema}"`;
      const tracker = referredTracker(store);
      // Our own clicks have no network: any number of them, no index entry.
      for (let i = 0; i < 3; i += 1) await tracker.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.example/' });
      const copy = (id: string) => client.query(
        `INSERT INTO ${s}.clicks SELECT (jsonb_populate_record(c, jsonb_build_object('click_id', $1::text, 'network', 'wall',
           'network_transaction_id', 't1'))).* FROM ${s}.clicks c LIMIT 1`,
        [id],
      );
      await copy('virtual-1');
      await expect(copy('virtual-2')).rejects.toMatchObject({ code: '23505' });
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${s}.clicks WHERE network = 'wall'`);
      expect(rows).toEqual([{ n: 1 }]);
    });
  });

  describe('concurrency', () => {
    it('credits two users who refer each other, concurrently, without deadlock or loss', async () => {
      const { store } = await fresh();
      // a's credits also lock b's wallet and the other way round: wallets are locked in one order.
      const tracker = referredTracker(store, { referrals: { referrerOf: (user) => (user === 'a' ? 'b' : 'a') } });
      const clicks = await Promise.all(Array.from({ length: 40 }, (_, i) =>
        tracker.createClick({ userId: i % 2 === 0 ? 'a' : 'b', productId: 'p', taskUrl: 'https://a.example/' })));
      const results = await Promise.allSettled(clicks.map(({ clickId }) =>
        tracker.handlePostback({ query: { click_id: clickId }, body: { amount: '10.00', conversionId: 'c' } })));
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      // Each gets 20 credits of 10.00 and 20 commissions of 1.00.
      for (const user of ['a', 'b']) {
        expect(await store.wallet.getBalance(user)).toBe(22_000n);
        const entries = await rawOf(store).ledgerEntries(user);
        expect(entries).toHaveLength(40);
        expect(entries.reduce((sum, e) => sum + e.amountMinor, 0n)).toBe(22_000n);
      }
    });
  });

  describe('risk counters', () => {
    it('count exactly the auto-credited conversions of a UTC day under concurrency; held ones are not counted', async () => {
      const { client, schema, store } = await fresh();
      const noon = new Date('2026-06-01T12:00:00.000Z');
      const tracker = referredTracker(store, { clock: { now: () => noon }, risk: { dailyCaps: { perUser: { count: 5 }, perIp: { amount: '1000.00' } } } });
      const clicks = await Promise.all(Array.from({ length: 24 }, () =>
        tracker.createClick({ userId: 'capped', productId: 'p', taskUrl: 'https://a.example/', ipAddress: '192.0.2.44' })));
      const results = await Promise.all(clicks.map(({ clickId }) =>
        tracker.handlePostback({ query: { click_id: clickId }, body: { amount: '3.00', conversionId: 'c' } })));
      expect(results.filter((r) => r.decision === 'credited')).toHaveLength(5);
      expect(results.filter((r) => r.decision === 'held')).toHaveLength(19);
      const { rows } = await client.query(
        `SELECT scope, subject, day::text AS day, conversions::int AS conversions, amount::text AS amount FROM "${schema}".risk_counters ORDER BY scope`,
      );
      const day = '2026-06-01';
      expect(rows).toEqual([
        { scope: 'ip', subject: '192.0.2.44', day, conversions: 5, amount: '1500' },
        { scope: 'user', subject: 'capped', day, conversions: 5, amount: '1500' },
      ]);
      expect(await store.wallet.getBalance('capped')).toBe(1500n);
    });
  });

  describe('money and clients', () => {
    it('keeps amounts past 2^53 exact and computes a large commission without overflow', async () => {
      const { store } = await fresh();
      // Scale 8 (the largest) and the largest default amount: 1e17 minor units, times a rate in ppm.
      const tracker = referredTracker(store, {
        money: { scale: 8 },
        products: { getProduct: (id) => ({ productId: id, earnUpTo: '1000000000', active: true }) },
      });
      const { clickId } = await tracker.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.example/' });
      const paid = await tracker.handlePostback({ query: { click_id: clickId }, body: { amount: '900719925.47409931', conversionId: 'c' } });
      expect(paid.amount).toBe('900719925.47409931');
      // 10% of 90071992547409931 minor units, rounded down: 2^53 + 1, which no double can hold.
      expect(await store.wallet.getBalance('u')).toBe(90071992547409931n);
      expect(await store.wallet.getBalance('referrer')).toBe(9007199254740993n);
      expect((await tracker.getWallet('referrer')).balance).toBe('90071992.54740993');
      await tracker.handlePostback({ query: { click_id: clickId }, body: { status: 'reversed', conversionId: 'c' } });
      expect(await store.wallet.getBalance('u')).toBe(0n);
      expect(await store.wallet.getBalance('referrer')).toBe(0n);
    });

    it('stores any raw postback data: NULs and lone surrogates are kept as U+FFFD in the audit row', async () => {
      const { store } = await fresh();
      const tracker = referredTracker(store);
      const { clickId } = await tracker.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.example/' });
      const body = { amount: '1.00', conversionId: 'c', note: 'a\u0000b', odd: '\ud800', path: 'C:\\u0000' };
      expect((await tracker.handlePostback({ query: { click_id: clickId }, body })).duplicate).toBe(false);
      // Refused before the store step (unknown status): its audit row is written all the same.
      await expect(tracker.handlePostback({ query: { click_id: clickId }, body: { status: 'x\u0000', conversionId: 'c' } }))
        .rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
      const attempts = await store.listPostbackAttempts(clickId);
      expect(attempts.map((a) => a.decision)).toEqual(['credited', 'invalid_input']);
      expect(attempts[0]!.rawData).toMatchObject({ note: 'a\ufffdb', odd: '\ufffd', path: 'C:\\u0000' });
      expect(attempts[1]!.postbackStatus).toBe('x\ufffd');
      expect(await store.wallet.getBalance('u')).toBe(100n);
    });

    it('answers a NUL in an identifier with a 400, not a 503, and moves no money', async () => {
      const { store } = await fresh();
      const tracker = referredTracker(store);
      const { clickId } = await tracker.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.example/' });
      await expect(tracker.handlePostback({ query: { click_id: clickId }, body: { amount: '1.00', conversionId: 'c\u0000' } }))
        .rejects.toMatchObject({ code: 'VALIDATION_ERROR', status: 400 });
      await expect(store.wallet.apply(manual('k\u0000', 'u', 1n))).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
      expect(await store.wallet.getBalance('u')).toBe(0n);
      expect(await rawOf(store).earningsOfClick(clickId)).toEqual([]);
    });

    it('keeps schemas apart and leaves the host client open on close()', async () => {
      const a = await fresh();
      const b = await fresh();
      await a.store.wallet.apply(manual('k', 'u', 100n));
      expect(await b.store.wallet.getBalance('u')).toBe(0n);
      expect(await b.store.wallet.apply(manual('k', 'u', 7n))).toEqual({ duplicate: false, balanceMinor: 7n });
      await a.store.close();
      expect((await a.client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      expect(await a.store.wallet.getBalance('u')).toBe(100n);
    });
  });
}

/** Runs a multi-statement script: PGlite has `exec`; a pg client runs several statements in one simple query. */
async function execAll(client: SqlClient, sql: string): Promise<void> {
  const multi = client as SqlClient & { exec?: (text: string) => Promise<unknown> };
  if (typeof multi.exec === 'function') await multi.exec(sql);
  else await client.query(sql);
}
