/**
 * `npm run bench [-- --quick]`: clickcredit beside same-run baselines, as ratios.
 * Writes bench/results/latest.json. See docs in the README's Performance section.
 */
import { writeFileSync } from 'node:fs';
import { v4 as uuidv4 } from 'uuid';
import { createBaselineTables, floorPostback, naivePostback, redisFloor, seedBaselineClicks } from './baselines.js';
import { drive, FRAMEWORKS, type HttpResult } from './http.js';
import { measure, median, table, verdict, type Measurement } from './measure.js';
import { benchTracker, openStores, RUN, type BenchStore } from './stores.js';
import { createMemoryStore } from 'clickcredit/memory';

const quick = process.argv.includes('--quick');
/** `--only=http,size`: run just these sections (roundtrips, postbacks, createclick, http, size). */
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const wanted = (section: string) => !only || only.includes(section);
const PER_RUN = quick ? 300 : 1500;
const ROUNDS = quick ? 1 : 3;
const LEVELS = [1, 16, 64];
const HTTP_SECONDS = quick ? 2 : 4;
const HTTP_ROUNDS = 3;
const SIZE_ROWS = quick ? 5_000 : 100_000;
const results: Record<string, unknown> = { quick, startedAt: new Date().toISOString() };
const out: string[] = [];
const print = (text: string) => {
  out.push(text);
  console.log(text);
};

const users = (i: number) => `bench-user-${i % 100}`; // 100 wallets, as in the baselines
async function pendingClicks(store: BenchStore, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 64) {
    const batch = await Promise.all(Array.from({ length: Math.min(64, count - i) }, (_, j) =>
      store.tracker.createClick({ userId: users(i + j), productId: 'bench', taskUrl: 'https://advertiser.example/offer' })));
    ids.push(...batch.map((c) => c.clickId));
  }
  return ids;
}

const row = (m: Measurement) => [Math.round(m.perSecond), m.p50ms, m.p99ms];

async function postbackSection(stores: BenchStore[]) {
  const rows: (string | number)[][] = [];
  const ratios: Record<string, unknown> = {};
  for (const store of stores) {
    for (const level of LEVELS) {
      if (store.name === 'pglite' && level === 64 && quick) continue;
      const cc: Measurement[] = [];
      const floor: Measurement[] = [];
      const naive: Measurement[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        // Alternate baseline and clickcredit runs so machine drift hits both alike.
        if (store.pool) {
          const schema = `${RUN}_base_${level}_${round}`;
          await createBaselineTables(store.pool, schema);
          const floorIds = Array.from({ length: PER_RUN }, () => uuidv4());
          const naiveIds = Array.from({ length: PER_RUN }, () => uuidv4());
          await seedBaselineClicks(store.pool, schema, [...floorIds, ...naiveIds]);
          const f = floorPostback(store.pool, schema);
          floor.push(await measure(PER_RUN, level, (i) => f(floorIds[i]!, uuidv4())));
          const n = naivePostback(store.pool, schema);
          naive.push(await measure(PER_RUN, level, (i) => n(naiveIds[i]!, uuidv4())));
          await store.pool.query(`DROP SCHEMA "${schema}" CASCADE`);
        }
        if (store.redis) {
          const ids = Array.from({ length: PER_RUN }, () => uuidv4());
          const f = await redisFloor(store.redis, RUN, ids);
          floor.push(await measure(PER_RUN, level, (i) => f(ids[i]!, uuidv4())));
        }
        const clicks = await pendingClicks(store, PER_RUN);
        cc.push(await measure(PER_RUN, level, (i) =>
          store.tracker.handlePostback({ query: { click_id: clicks[i]! }, body: { amount: '10.00', status: 'completed', conversionId: 'c' } })));
      }
      const m = median(cc);
      const f = floor.length ? median(floor) : null;
      const n = naive.length ? median(naive) : null;
      rows.push([store.name, level, ...row(m), f ? Math.round(f.perSecond) : '-', n ? Math.round(n.perSecond) : '-',
        f ? (m.perSecond / f.perSecond).toFixed(2) : '-', n ? (m.perSecond / n.perSecond).toFixed(2) : '-']);
      ratios[`${store.name}@${level}`] = { clickcredit: m, floor: f, naive: n };
    }
  }
  print(table('Storage-level handlePostback (credits, 20% referred)', ['store', 'in flight', 'conv/s', 'p50 ms', 'p99 ms', 'floor/s', 'naive/s', 'cc/floor', 'cc/naive'], rows));
  const pg = ratios['postgres@16'] as { clickcredit: Measurement; floor: Measurement; naive: Measurement } | undefined;
  const rd = ratios['redis@16'] as { clickcredit: Measurement; floor: Measurement } | undefined;
  if (pg) {
    print(`Postgres @16 vs floor: ${verdict(pg.clickcredit.perSecond / pg.floor.perSecond, 0.85)}`);
    print(`Postgres @16 vs naive: ${verdict(pg.clickcredit.perSecond / pg.naive.perSecond, 1.6)}`);
  }
  if (rd) print(`Redis @16 vs Lua floor: ${verdict(rd.clickcredit.perSecond / rd.floor.perSecond, 0.7)}`);
  results.postbacks = ratios;
}

async function createClickSection(stores: BenchStore[]) {
  const rows: (string | number)[][] = [];
  const data: Record<string, unknown> = {};
  for (const store of stores) {
    const cc: Measurement[] = [];
    const bare: Measurement[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      if (store.pool) {
        const schema = `${RUN}_ins_${round}`;
        await createBaselineTables(store.pool, schema);
        bare.push(await measure(PER_RUN, 16, () => store.pool!.query(`INSERT INTO "${schema}".clicks VALUES ($1, $2, 'pending', 5000, now() + interval '1 day')`, [uuidv4(), 'u'])));
        await store.pool.query(`DROP SCHEMA "${schema}" CASCADE`);
      }
      cc.push(await measure(PER_RUN, 16, (i) => store.tracker.createClick({ userId: users(i), productId: 'bench', taskUrl: 'https://advertiser.example/offer' })));
    }
    const m = median(cc);
    const b = bare.length ? median(bare) : null;
    rows.push([store.name, ...row(m), b ? Math.round(b.perSecond) : '-', b ? (m.perSecond / b.perSecond).toFixed(2) : '-']);
    data[store.name] = { clickcredit: m, bareInsert: b };
    if (store.name === 'postgres' && b) print(`createClick on Postgres vs bare INSERT: ${verdict(m.perSecond / b.perSecond, 0.85)}`);
  }
  print(table('createClick (16 in flight)', ['store', 'clicks/s', 'p50 ms', 'p99 ms', 'bare INSERT/s', 'cc/bare'], rows));
  results.createClick = data;
}

async function httpSection(stores: BenchStore[]) {
  const rows: (string | number)[][] = [];
  const data: Record<string, unknown> = {};
  const memoryStore = createMemoryStore();
  const targets = [{ name: 'memory', tracker: benchTracker(memoryStore) },
    ...stores.filter((s) => s.name === 'pglite' || s.name === 'postgres').map((s) => ({ name: s.name, tracker: s.tracker }))];
  const byRate = (a: HttpResult, b: HttpResult) => a.requestsPerSecond - b.requestsPerSecond;
  const mid = (runs: HttpResult[]) => [...runs].sort(byRate)[Math.floor(runs.length / 2)]!;
  for (const [framework, start] of Object.entries(FRAMEWORKS)) {
    const bareServer = await start(null);
    for (const target of targets) {
      if (quick && target.name !== 'memory') continue;
      const pool = await Promise.all(Array.from({ length: 2000 }, (_, i) =>
        target.tracker.createClick({ userId: users(i), productId: 'bench', taskUrl: 'https://advertiser.example/offer' })));
      let next = 0;
      const server = await start(target.tracker);
      const bare: HttpResult[] = [];
      const postback: HttpResult[] = [];
      const click: HttpResult[] = [];
      // Bare route and clickcredit routes alternate, so drift on this shared machine hits both.
      for (let round = 0; round < HTTP_ROUNDS; round += 1) {
        bare.push(await drive(bareServer.url, HTTP_SECONDS, { method: 'POST', body: '{"hello":"world"}', nextPath: () => '/hello' }));
        postback.push(await drive(server.url, HTTP_SECONDS, {
          method: 'POST', body: '{"amount":"10.00","status":"completed","conversionId":"c"}',
          nextPath: () => `/api/v1/earn/postback?click_id=${pool[next++ % pool.length]!.clickId}`,
        }));
        click.push(await drive(server.url, HTTP_SECONDS, {
          method: 'POST', body: '{"taskUrl":"https://advertiser.example/offer"}', headers: { authorization: 'Bearer bench' },
          nextPath: () => '/api/v1/earn/products/bench/click',
        }));
      }
      await server.close();
      const b = mid(bare);
      const p = mid(postback);
      const c = mid(click);
      rows.push([framework, 'bare JSON POST', target.name, Math.round(b.requestsPerSecond), b.p50ms, b.p99ms, '-']);
      rows.push([framework, 'POST /postback', target.name, Math.round(p.requestsPerSecond), p.p50ms, p.p99ms, (p.requestsPerSecond / b.requestsPerSecond).toFixed(2)]);
      rows.push([framework, 'POST /products/:id/click', target.name, Math.round(c.requestsPerSecond), c.p50ms, c.p99ms, (c.requestsPerSecond / b.requestsPerSecond).toFixed(2)]);
      data[`${framework}:${target.name}`] = { bare: b, postback: p, click: c };
      if (target.name === 'memory') print(`${framework} postback endpoint on memory vs bare ${framework}: ${verdict(p.requestsPerSecond / b.requestsPerSecond, 0.6)}`);
    }
    await bareServer.close();
  }
  print(table(`HTTP (autocannon, 16 connections, median of ${HTTP_ROUNDS} alternating rounds; postbacks cycle over 2000 clicks: first pass credits, then replays)`, ['framework', 'route', 'store', 'req/s', 'p50 ms', 'p99 ms', 'vs bare'], rows));
  results.http = data;
}

async function sizeSection(stores: BenchStore[]) {
  const rows: (string | number)[][] = [];
  const data: Record<string, unknown> = {};
  const redis = stores.find((s) => s.name === 'redis');
  if (redis?.redis) {
    const used = async () => Number(/used_memory:(\d+)/.exec(await redis.redis!.info('memory'))![1]);
    const before = await used();
    await pendingClicks(redis, SIZE_ROWS);
    const bytes = (await used()) - before;
    rows.push(['redis', 'click (all its keys)', SIZE_ROWS, Math.round(bytes / SIZE_ROWS)]);
    data.redisBytesPerClick = bytes / SIZE_ROWS;
  }
  const pg = stores.find((s) => s.name === 'postgres');
  if (pg?.pool) {
    const s = `"${pg.schema}"`;
    const size = async (t: string) => Number((await pg.pool!.query(`SELECT pg_total_relation_size('${s}.${t}') AS b`)).rows[0].b);
    const rowsOf = async (t: string) => Number((await pg.pool!.query(`SELECT count(*) AS n FROM ${s}.${t}`)).rows[0].n);
    await pendingClicks(pg, SIZE_ROWS);
    const ids = (await pg.pool.query(`SELECT click_id FROM ${s}.clicks WHERE status = 'pending' LIMIT ${SIZE_ROWS}`)).rows.map((r) => r.click_id as string);
    await measure(ids.length, 32, (i) => pg.tracker.handlePostback({ query: { click_id: ids[i]! }, body: { amount: '1.00', conversionId: 'c' } }));
    for (const table of ['clicks', 'earnings', 'ledger_entries', 'postback_attempts']) {
      const n = await rowsOf(table);
      rows.push(['postgres', `${table} row (+indexes)`, n, Math.round((await size(table)) / n)]);
      data[`postgresBytesPer_${table}`] = (await size(table)) / n;
    }
  }
  print(table(`Memory and size (${SIZE_ROWS} clicks)`, ['store', 'what', 'rows', 'bytes each'], rows));
  results.size = data;
}

async function roundTripSection(stores: BenchStore[]) {
  const rows: (string | number)[][] = [];
  for (const store of stores.filter((s) => s.name === 'postgres' || s.name === 'redis' || s.name === 'pglite')) {
    const trips = async (work: () => Promise<unknown>) => {
      const before = store.counter.count;
      await work();
      return store.counter.count - before;
    };
    await store.tracker.createClick({ userId: 'warm', productId: 'bench', taskUrl: 'https://a.example/' });
    let clickId = '';
    const click = await trips(async () => { clickId = (await store.tracker.createClick({ userId: 'bench-user-3', productId: 'bench', taskUrl: 'https://a.example/' })).clickId; });
    const postback = await trips(() => store.tracker.handlePostback({ query: { click_id: clickId }, body: { amount: '5.00', conversionId: 'c' } }));
    rows.push([store.name, click, postback, postback === 1 ? 'PASS' : 'MISS']);
  }
  print(table('Round trips (statements or commands sent)', ['store', 'per click', 'per postback (with referral)', 'target 1'], rows));
  results.roundTrips = rows;
}

const started = Date.now();
const stores = await openStores();
try {
  if (wanted('roundtrips')) await roundTripSection(stores);
  if (wanted('postbacks')) await postbackSection(stores);
  if (wanted('createclick')) await createClickSection(stores);
  if (wanted('http')) await httpSection(stores);
  if (wanted('size')) await sizeSection(stores);
} finally {
  for (const store of stores) await store.close().catch(() => undefined);
}
results.seconds = (Date.now() - started) / 1000;
writeFileSync('bench/results/latest.json', JSON.stringify(results, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2));
writeFileSync('bench/results/latest.txt', out.join('\n'));
print(`\nbench finished in ${results.seconds}s (${quick ? 'quick' : 'full'}); results in bench/results/latest.json`);
process.exit(0);
