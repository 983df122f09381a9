/**
 * The admin queries at 1M rows on the Postgres server: every list query, the earning detail, the
 * ledger statement and the statistics are planned on an index (no sequential scan), checked with
 * EXPLAIN ANALYZE on the exact SQL the store sends. The rows are made on the server with
 * generate_series (seconds, not a million round trips).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminListQuery, AdminStore } from 'clickcredit';
import { createPostgresStore, migrate } from 'clickcredit/postgres';
import { DATABASE_URL, postgresAvailable, uniqueSchema } from '../support/services.js';

const available = await postgresAvailable();
/** Rows per table; `EXPLAIN_ROWS` runs it smaller while working on a query. */
const ROWS = Number(process.env.EXPLAIN_ROWS ?? 1_000_000);
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
const schema = uniqueSchema('cc_explain');
const s = `"${schema}"`;
const T0 = Date.parse('2025-01-01T00:00:00Z');
/** Every row i is 30 s after row i-1: 1M rows span about 347 days. */
const at = (i: number) => new Date(T0 + i * 30_000);

/** The store's SQL, captured so that the very statements it sends are explained. */
const sent: Array<{ sql: string; params: unknown[] }> = [];
const recording = {
  query: (sql: string, params?: unknown[]) => {
    sent.push({ sql, params: params ?? [] });
    return pool.query(sql, params);
  },
  on: pool.on.bind(pool),
  listenerCount: pool.listenerCount.bind(pool),
} as unknown as pg.Pool;

afterAll(async () => {
  if (process.env.EXPLAIN_KEEP_SCHEMA) console.info(`kept schema ${schema}`);
  else await pool.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`).catch(() => undefined);
  await pool.end();
});

interface PlanNode { 'Node Type': string; 'Index Name'?: string; 'Relation Name'?: string; Plans?: PlanNode[] }

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

async function explain(call: () => Promise<unknown>): Promise<{ indexes: string[]; seqScans: string[]; ms: number }> {
  sent.length = 0;
  await call();
  const statement = sent.at(-1)!;
  const result = await pool.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement.sql}`, statement.params);
  const [explained] = result.rows[0]['QUERY PLAN'] as Array<{ Plan: PlanNode; 'Execution Time': number }>;
  const { Plan, 'Execution Time': ms } = explained!;
  const all = nodes(Plan);
  return {
    indexes: [...new Set(all.filter((n) => n['Index Name']).map((n) => n['Index Name']!))],
    seqScans: all.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name'] ?? '?'),
    ms,
  };
}

(available ? describe : describe.skip)('postgres admin queries at 1M rows: EXPLAIN', () => {
  let admin: AdminStore;
  const results: Array<{ query: string; indexes: string; ms: string }> = [];

  beforeAll(async () => {
    await migrate(pool, { schema });
    // Seeding fills the click fields itself; the audit insert trigger is for rows that come without them.
    await pool.query(`ALTER TABLE ${s}.postback_attempts DISABLE TRIGGER postback_attempts_click_fields`);
    // The migrations' secondary indexes are set aside and rebuilt from their own definitions after
    // the rows are in (one sorted build each is much cheaper than a million index inserts).
    const tables = ['clicks', 'earnings', 'postback_attempts', 'ledger_entries'];
    const { rows: indexes } = await pool.query<{ indexname: string; indexdef: string }>(
      `SELECT i.indexname, i.indexdef FROM pg_indexes i
       WHERE i.schemaname = $1 AND i.tablename = ANY($2)
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.connamespace = $1::regnamespace)`,
      [schema, tables],
    );
    for (const { indexname } of indexes) await pool.query(`DROP INDEX ${s}."${indexname}"`);
    const t = (i: string) => `timestamptz '2025-01-01T00:00:00Z' + ${i} * interval '30 seconds'`;
    await pool.query(`INSERT INTO ${s}.clicks (click_id, user_id, product_id, task_url, redirect_url, postback_url, clicked_at, expires_at,
        status, created_at, updated_at, earn_up_to, commission_ppm, network, network_transaction_id)
      SELECT 'c' || i, 'u' || (i % 50000), 'p' || (i % 20), 'https://a.example/', 'https://a.example/', 'https://api.example/postback',
        ${t('i')}, ${t('i')} + interval '1 day', (ARRAY['pending', 'converted', 'expired', 'rejected'])[1 + i % 4],
        ${t('i')}, ${t('i')}, 5000, 0, CASE WHEN i % 3 = 0 THEN 'tapjoy' END, CASE WHEN i % 3 = 0 THEN 't' || i END
      FROM generate_series(1, ${ROWS}) i`);
    await pool.query(`INSERT INTO ${s}.earnings (earning_id, user_id, product_id, click_id, conversion_id, amount, status, approval_status, type,
        credited, credited_at, cancelled_at, cancel_reason, reversed_before_credit, commission, last_postback_status, postback_received,
        postback_received_at, earned_at, created_at, updated_at, network)
      SELECT 'e' || i, 'u' || (i % 50000), 'p' || (i % 20), 'c' || i, 'conv' || i, 100 + i % 900,
        CASE WHEN i % 10 = 0 THEN 'cancelled' WHEN i % 97 = 0 THEN 'pending' ELSE 'completed' END,
        CASE WHEN i % 500 = 0 THEN 'pending' WHEN i % 10 = 0 THEN 'rejected' ELSE 'auto_approved' END, 'postback',
        i % 500 <> 0, CASE WHEN i % 500 <> 0 THEN ${t('i')} END, CASE WHEN i % 10 = 0 THEN ${t('i')} + interval '1 hour' END,
        CASE WHEN i % 10 = 0 THEN 'reversed' END, false, 0, 'completed', true, ${t('i')}, ${t('i')}, ${t('i')}, ${t('i')},
        CASE WHEN i % 3 = 0 THEN 'tapjoy' END
      FROM generate_series(1, ${ROWS}) i`);
    await pool.query(`INSERT INTO ${s}.postback_attempts (attempt_id, click_id, conversion_id, postback_status, amount, source_ip, raw_data,
        decision, earning_id, received_at, user_id, product_id, network)
      SELECT 'a' || i, CASE WHEN i % 50 = 0 THEN NULL ELSE 'c' || i END, 'conv' || i, 'completed', '1.00',
        '10.' || (i % 250) || '.' || (i / 250 % 250) || '.1', '{}'::jsonb,
        CASE WHEN i % 50 = 0 THEN 'invalid_input' WHEN i % 7 = 0 THEN 'duplicate' WHEN i % 500 = 0 THEN 'held' ELSE 'credited' END,
        CASE WHEN i % 50 = 0 THEN NULL ELSE 'e' || i END, ${t('i')},
        CASE WHEN i % 50 = 0 THEN NULL ELSE 'u' || (i % 50000) END, CASE WHEN i % 50 = 0 THEN NULL ELSE 'p' || (i % 20) END,
        CASE WHEN i % 3 = 0 AND i % 50 <> 0 THEN 'tapjoy' END
      FROM generate_series(1, ${ROWS}) i`);
    await pool.query(`INSERT INTO ${s}.ledger_entries (idempotency_key, user_id, kind, amount, earning_id, created_at)
      SELECT 'earning:e' || i || ':credit', 'u' || (i % 50000), 'credit', 100 + i % 900, 'e' || i, ${t('i')}
      FROM generate_series(1, ${ROWS}) i`);
    await pool.query(`INSERT INTO ${s}.wallets (user_id, balance, updated_at)
      SELECT user_id, sum(amount), max(created_at) FROM ${s}.ledger_entries GROUP BY user_id`);
    await pool.query(`SET maintenance_work_mem = '256MB'`).catch(() => undefined);
    for (const { indexdef } of indexes) await pool.query(indexdef);
    for (const table of [...tables, 'wallets']) await pool.query(`ANALYZE ${s}.${table}`);
    admin = createPostgresStore({ client: recording, schema }).admin;
  }, 900_000);

  afterAll(() => {
    console.info(`admin queries at ${ROWS} rows per table (EXPLAIN ANALYZE, execution time):`);
    console.table(results);
  });

  const page = <F>(filter: F, after: { at: Date; id: string } | null = null): AdminListQuery<F> => ({ filter, limit: 51, after });
  const first = Math.floor(ROWS * 0.4);
  const window = { from: at(first), to: at(first + 2880) };
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['attempts: newest', () => admin.listAttempts(page({}))],
    ['attempts: next page', () => admin.listAttempts(page({}, { at: at(700_000), id: 'a700000' }))],
    ['attempts: decision', () => admin.listAttempts(page({ decision: 'held' as const }))],
    ['attempts: user', () => admin.listAttempts(page({ userId: 'u4242' }))],
    ['attempts: network', () => admin.listAttempts(page({ network: 'tapjoy' }))],
    ['attempts: click', () => admin.listAttempts(page({ clickId: 'c123456' }))],
    ['attempts: conversion', () => admin.listAttempts(page({ conversionId: 'conv123456' }))],
    ['attempts: source ip', () => admin.listAttempts(page({ sourceIp: '10.7.9.1' }))],
    ['attempts: time range', () => admin.listAttempts(page(window))],
    ['earnings: newest', () => admin.listEarnings(page({}))],
    ['earnings: hold queue', () => admin.listEarnings(page({ approvalStatus: 'pending' as const, status: 'completed' as const }))],
    ['earnings: status', () => admin.listEarnings(page({ status: 'pending' as const }))],
    ['earnings: user', () => admin.listEarnings(page({ userId: 'u4242' }))],
    ['earnings: network', () => admin.listEarnings(page({ network: 'tapjoy' }))],
    ['earnings: product', () => admin.listEarnings(page({ productId: 'p7' }))],
    ['earnings: time range', () => admin.listEarnings(page(window))],
    ['earning detail: attempts', () => admin.attemptsOfEarning({ earningId: 'e123456', clickId: 'c123456', conversionId: 'conv123456' } as never)],
    ['clicks: newest', () => admin.listClicks(page({}))],
    ['clicks: user', () => admin.listClicks(page({ userId: 'u4242' }))],
    ['clicks: product', () => admin.listClicks(page({ productId: 'p7' }))],
    ['clicks: status', () => admin.listClicks(page({ status: 'expired' as const }))],
    ['clicks: time range', () => admin.listClicks(page(window))],
    ['ledger statement', () => admin.ledgerPage({ userId: 'u4242', limit: 51, after: null })],
    ['ledger statement: next page', () => admin.ledgerPage({ userId: 'u4242', limit: 51, after: '500000' })],
    ['stats: one day by hour', () => admin.stats({ ...window, bucket: 'hour' })],
  ];

  for (const [name, call] of cases) {
    it(`${name}: planned on an index, no sequential scan`, async () => {
      const { indexes, seqScans, ms } = await explain(call);
      results.push({ query: name, indexes: indexes.join(', '), ms: ms.toFixed(2) });
      expect(seqScans).toEqual([]);
      expect(indexes.length).toBeGreaterThan(0);
    }, 60_000);
  }

  it('answers the statistics of the window from the seeded rows', async () => {
    const rows = await admin.stats({ ...window, bucket: 'day' });
    const clicks = rows.reduce((sum, row) => sum + row.clicks, 0);
    expect(clicks).toBe(2880);
    expect(rows.reduce((sum, row) => sum + (row.refused.invalid_input ?? 0), 0)).toBe(58);
  }, 60_000);
});
