/**
 * Bench sections of the events outbox and of the admin statistics:
 * - the postback rate with events on beside events off, on the same store (target >= 0.85x);
 * - the admin statistics query for one fixed window at 10k and at 1M conversions of history on
 *   Postgres, and their ratio (target < 3x: the cost follows the window, not the history).
 */
import type pg from 'pg';
import type { ClickTracker } from 'clickcredit';
import { measure, table, verdict, type Measurement } from './measure.js';

const middle = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? 0 : sorted.length % 2 === 1 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2;
};
import { benchTracker, benchUser, freshPostgres, RUN, type BenchStore } from './stores.js';

export interface SectionContext {
  quick: boolean;
  perRun: number;
  rounds: number;
  print: (text: string) => void;
  results: Record<string, unknown>;
}

const TASK_URL = 'https://advertiser.example/offer';
const BODY = { amount: '10.00', status: 'completed', conversionId: 'c' };

async function clicksOf(tracker: ClickTracker, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 64) {
    const batch = await Promise.all(Array.from({ length: Math.min(64, count - i) }, (_, j) =>
      tracker.createClick({ userId: benchUser(i + j), productId: 'bench', taskUrl: TASK_URL })));
    ids.push(...batch.map((c) => c.clickId));
  }
  return ids;
}

/** Postbacks per second with events on and off (16 in flight, rotated rounds, paired ratio). */
export async function eventsSection(stores: BenchStore[], c: SectionContext): Promise<void> {
  const rows: (string | number)[][] = [];
  const data: Record<string, unknown> = {};
  const verdicts: string[] = [];
  for (const store of stores) {
    const on = benchTracker(store.storage);
    const off = benchTracker(store.storage, { events: false });
    const ratios: number[] = [];
    const ons: Measurement[] = [];
    const offs: Measurement[] = [];
    // Both paths warmed first (JIT, pools), and at least two rounds so each side runs first once.
    for (const t of [on, off]) {
      const ids = await clicksOf(t, 200);
      await measure(ids.length, 16, (i) => t.handlePostback({ query: { click_id: ids[i]! }, body: BODY }));
    }
    // An even number of rounds, so each side runs first (right after both rounds' clicks were
    // created, with the garbage collection that leaves) as often as the other: with the full
    // run's 3 rounds the events-on side ran first twice.
    const rounds = Math.max(2, c.rounds + (c.rounds % 2));
    for (let round = 0; round < rounds; round += 1) {
      const onIds = await clicksOf(on, c.perRun);
      const offIds = await clicksOf(off, c.perRun);
      const runOn = () => measure(c.perRun, 16, (i) => on.handlePostback({ query: { click_id: onIds[i]! }, body: BODY }));
      const runOff = () => measure(c.perRun, 16, (i) => off.handlePostback({ query: { click_id: offIds[i]! }, body: BODY }));
      // Rotated, so drift of the machine hits both sides alike.
      let a: Measurement;
      let b: Measurement;
      if (round % 2 === 0) {
        a = await runOn();
        b = await runOff();
      } else {
        b = await runOff();
        a = await runOn();
      }
      ons.push(a);
      offs.push(b);
      ratios.push(a.perSecond / b.perSecond);
    }
    const ratio = middle(ratios);
    const mOn = ons.sort((x, y) => x.perSecond - y.perSecond)[Math.floor(ons.length / 2)]!;
    const mOff = offs.sort((x, y) => x.perSecond - y.perSecond)[Math.floor(offs.length / 2)]!;
    const outbox = store.storage.events ? 'yes' : 'no outbox';
    rows.push([store.name, outbox, Math.round(mOn.perSecond), mOn.p50ms, Math.round(mOff.perSecond), mOff.p50ms, ratio.toFixed(2)]);
    data[store.name] = { on: mOn, off: mOff, onOverOff: ratio, outbox: Boolean(store.storage.events) };
    if (store.storage.events) verdicts.push(`events on/off on ${store.name}: ${verdict(ratio, 0.85)}`);
  }
  c.print(table(`Postbacks with events on beside events off (16 in flight, median of ${Math.max(2, c.rounds + (c.rounds % 2))} rotated rounds of ${c.perRun})`,
    ['store', 'outbox', 'on conv/s', 'on p50 ms', 'off conv/s', 'off p50 ms', 'on/off'], rows));
  for (const v of verdicts) c.print(v);
  c.results.events = data;
}

/**
 * Seeds `total` credited conversions (click, earning, audit row each): `inWindow` of them inside
 * the measured day, the rest spread over the year before it. Set-based inserts from a template
 * row, so the triggers and indexes of the real schema are all paid.
 */
async function seedHistory(pool: pg.Pool, schema: string, tracker: ClickTracker, total: number, inWindow: number, windowStart: Date): Promise<void> {
  const s = `"${schema}"`;
  const { clickId } = await tracker.createClick({ userId: 'stats-template', productId: 'bench', taskUrl: TASK_URL });
  await tracker.handlePostback({ query: { click_id: clickId }, body: BODY });
  // Secondary indexes are dropped for the load and built again after it (what a bulk import
  // does): the measured query then runs on the very indexes the migrations create.
  const indexes = (await pool.query(
    `SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = $1 AND i.tablename IN ('clicks', 'earnings', 'postback_attempts')
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    [schema],
  )).rows as Array<{ indexname: string; indexdef: string }>;
  for (const index of indexes) await pool.query(`DROP INDEX ${s}."${index.indexname}"`);
  const day = 86_400_000;
  const chunk = 100_000;
  // Copies of the template rows go through temporary tables (one connection: they are per
  // session), with the varying columns set by one UPDATE; row-by-row JSON rebuilding is ~40x slower.
  const db = await pool.connect();
  try {
    for (let from = 1; from <= total; from += chunk) {
      const to = Math.min(total, from + chunk - 1);
      // Row g: inside the window for g <= inWindow, else somewhere in the 365 days before it.
      const at = `(CASE WHEN g <= ${inWindow} THEN $1::timestamptz + ((g::bigint * 37) % ${day}) * interval '1 millisecond'
        ELSE $1::timestamptz - ((g::bigint * 7919) % (365::bigint * ${day})) * interval '1 millisecond' - interval '1 second' END)`;
      const params = [windowStart.toISOString(), from, to, clickId];
      await db.query(`CREATE TEMP TABLE seed_clicks AS SELECT c.*, g FROM ${s}.clicks c, generate_series($1::int, $2::int) g WHERE c.click_id = $3`, params.slice(1));
      await db.query(`UPDATE seed_clicks SET click_id = 'h-' || g, user_id = 'stats-user-' || (g % 1000),
        created_at = ${at}, updated_at = ${at}, clicked_at = ${at}`, [windowStart.toISOString()]);
      await db.query('ALTER TABLE seed_clicks DROP COLUMN g');
      await db.query(`INSERT INTO ${s}.clicks SELECT * FROM seed_clicks`);
      await db.query(`CREATE TEMP TABLE seed_earnings AS SELECT e.*, g FROM ${s}.earnings e, generate_series($1::int, $2::int) g WHERE e.click_id = $3`, params.slice(1));
      await db.query(`UPDATE seed_earnings SET earning_id = 'he-' || g, click_id = 'h-' || g, user_id = 'stats-user-' || (g % 1000),
        created_at = ${at}, updated_at = ${at}, earned_at = ${at}, credited_at = ${at}, postback_received_at = ${at}`, [windowStart.toISOString()]);
      await db.query('ALTER TABLE seed_earnings DROP COLUMN g');
      await db.query(`INSERT INTO ${s}.earnings SELECT * FROM seed_earnings`);
      await db.query('DROP TABLE seed_clicks; DROP TABLE seed_earnings');
      await db.query(
        `INSERT INTO ${s}.postback_attempts (attempt_id, click_id, conversion_id, postback_status, amount, source_ip, raw_data, decision,
           earning_id, message, received_at, rule)
         SELECT 'ha-' || g, 'h-' || g, 'c', 'completed', '10.00', '203.0.113.1', '{}'::jsonb,
           CASE WHEN g % 10 = 0 THEN 'duplicate' ELSE 'credited' END, 'he-' || g, NULL, ${at}, NULL
         FROM generate_series($2::int, $3::int) g`,
        params.slice(0, 3),
      );
    }
  } finally {
    db.release();
  }
  for (const index of indexes) await pool.query(index.indexdef);
  await pool.query(`ANALYZE ${s}.clicks; ANALYZE ${s}.earnings; ANALYZE ${s}.postback_attempts`);
}

/** Median ms of the statistics query of one day in hour buckets. */
async function timeStats(tracker: ClickTracker, from: Date, runs: number): Promise<number> {
  const query = { from: from.toISOString(), to: new Date(from.getTime() + 86_400_000).toISOString(), bucket: 'hour' as const };
  await tracker.admin.stats(query);
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t0 = process.hrtime.bigint();
    await tracker.admin.stats(query);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return middle(times);
}

/** The statistics query at a small and a large history, same window, on the Postgres server. */
export async function statsSection(stores: BenchStore[], c: SectionContext): Promise<void> {
  const postgres = stores.find((s) => s.pool);
  if (!postgres?.pool) return;
  const pool = postgres.pool;
  const small = 10_000;
  const large = c.quick ? 100_000 : 1_000_000;
  const inWindow = 2_000;
  const windowStart = new Date(Date.UTC(2026, 0, 15));
  const rows: (string | number)[][] = [];
  const timings: Record<string, number> = {};
  for (const total of [small, large]) {
    const schema = `${RUN}_stats_${total}`;
    const fresh = await freshPostgres(pool, schema);
    try {
      const t0 = Date.now();
      await seedHistory(pool, schema, fresh.tracker, total, inWindow, windowStart);
      const seeded = (Date.now() - t0) / 1000;
      const ms = await timeStats(fresh.tracker, windowStart, c.quick ? 10 : 30);
      timings[total] = ms;
      rows.push([total, inWindow, ms.toFixed(2), seeded.toFixed(0)]);
    } finally {
      await fresh.drop();
    }
  }
  const ratio = timings[large]! / timings[small]!;
  c.print(table('Admin statistics query (one day, hour buckets) on Postgres: history size vs cost', ['conversions in history', 'in the window', 'median ms', 'seeded in s'], rows));
  c.print(`statistics at ${large} vs ${small} conversions: ${ratio.toFixed(2)}x (target under 3x): ${ratio < 3 ? 'PASS' : 'MISS'}`);
  c.results.stats = { small, large, inWindow, ms: timings, ratio };
}
