/**
 * `npm run bench [-- --quick]`: clickcredit beside same-run baselines, as ratios.
 * Writes bench/results/latest.json. See docs in the README's Performance section.
 */
import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { v4 as uuidv4 } from 'uuid';
import type pg from 'pg';
import type { ClickTracker } from 'clickcredit';
import { createMemoryStore } from 'clickcredit/memory';
import {
  allWritesPostback, bareClickInsert, createShapedTables, evalshaStats, floorPostback, minimalClickInsert, minimalFloor, naivePostback,
  redisFloor, seedShapedClicks,
} from './baselines.js';
import { FRAMEWORKS, startLoadGenerator, type HttpResult } from './http.js';
import { eventsSection, statsSection } from './events-admin.js';
import { measure, median, table, verdict, type Measurement } from './measure.js';
import { BENCH_CPX_SECRET, benchTracker, benchUser, freshPostgres, notMeasured, openStores, REFERRED_SHARE, RUN, type BenchStore } from './stores.js';

const quick = process.argv.includes('--quick');
/** `--only=http,size`: run just these sections (roundtrips, postbacks, createclick, http, size). */
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const wanted = (section: string) => !only || only.includes(section);
/** `--stores=postgres,redis`: measure just these stores (memory, pglite, postgres, redis, mongodb). */
const onlyStores = process.argv.find((a) => a.startsWith('--stores='))?.slice(9).split(',');
const PER_RUN = quick ? 300 : 1500;
const ROUNDS = quick ? 1 : 3;
const CLICK_ROUNDS = quick ? 3 : 5;
const LEVELS = [1, 16, 64];
const HTTP_SECONDS = quick ? 1.5 : 2.5;
const HTTP_ROUNDS = quick ? 2 : 4;
const SIZE_ROWS = quick ? 5_000 : 100_000;
/** The commit measured, and any uncommitted changes under src/ or adapters/ (they are measured too). */
function codeVersion() {
  try {
    const commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
    const dirty = execSync('git status --porcelain -- src adapters', { encoding: 'utf8' }).split('\n').filter(Boolean);
    return { commit, uncommitted: dirty };
  } catch {
    return { commit: 'unknown', uncommitted: [] };
  }
}
const version = codeVersion();
const results: Record<string, unknown> = { quick, startedAt: new Date().toISOString(), loadAverageAtStart: loadavg(), code: version };
const out: string[] = [];
const print = (text: string) => {
  out.push(text);
  console.log(text);
};

const TASK_URL = 'https://advertiser.example/offer';
const POSTBACK_BODY = { amount: '10.00', status: 'completed', conversionId: 'c' };
const postbackOf = (tracker: ClickTracker, clickId: string) => tracker.handlePostback({ query: { click_id: clickId }, body: POSTBACK_BODY });

async function pendingClicks(tracker: ClickTracker, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 64) {
    const batch = await Promise.all(Array.from({ length: Math.min(64, count - i) }, (_, j) =>
      tracker.createClick({ userId: benchUser(i + j), productId: 'bench', taskUrl: TASK_URL })));
    ids.push(...batch.map((c) => c.clickId));
  }
  return ids;
}

const median1 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const row = (m: Measurement) => [Math.round(m.perSecond), m.p50ms, m.p99ms];
/** Runs the named measurements in an order rotated by round, so drift hits every side alike. */
async function rotated(round: number, runs: [string, () => Promise<Measurement>][]): Promise<Record<string, Measurement>> {
  const out: Record<string, Measurement> = {};
  for (let k = 0; k < runs.length; k += 1) {
    const [name, run] = runs[(k + round) % runs.length]!;
    out[name] = await run();
  }
  return out;
}
/** The median over rounds of a/b, each round's pair measured back to back (drift cancels within a pair). */
const pairedRatio = (rounds: Record<string, Measurement>[], a: string, b: string) => {
  const r = rounds.filter((x) => x[a] && x[b]).map((x) => x[a]!.perSecond / x[b]!.perSecond);
  return r.length ? median1(r) : null;
};
const collect = (rounds: Record<string, Measurement>[], name: string) => {
  const runs = rounds.map((r) => r[name]).filter((m): m is Measurement => Boolean(m));
  return runs.length ? median(runs) : null;
};

/** Checks a side really credited every postback (rows written), so no side is fast by doing nothing. */
async function credited(pool: pg.Pool, schema: string, expected: number, side: string) {
  const n = Number((await pool.query(`SELECT count(*) AS n FROM "${schema}".earnings WHERE credited`)).rows[0].n);
  if (n < expected) throw new Error(`${side}: ${n} of ${expected} postbacks credited`);
}

/** One Postgres round at one level: clickcredit, floor, naive (and diagnostics) on fresh same-shape tables. */
async function postgresRound(pool: pg.Pool, level: number, round: number, diagnostics: boolean) {
  const base = `${RUN}_pb${level}_${round}`;
  const cc = await freshPostgres(pool, `${base}_cc`);
  const template = (await cc.tracker.createClick({ userId: benchUser(1), productId: 'bench', taskUrl: TASK_URL })).clickId;
  const schemas = [`${base}_cc`];
  const shaped = async (name: string) => {
    const schema = `${base}_${name}`;
    schemas.push(schema);
    await createShapedTables(pool, schema, `${base}_cc`);
    return { schema, ids: await seedShapedClicks(pool, schema, `${base}_cc`, template, PER_RUN) };
  };
  const ccIds = await seedShapedClicks(pool, `${base}_cc`, `${base}_cc`, template, PER_RUN);
  const floor = await shaped('floor');
  const naive = await shaped('naive');
  const runs: [string, () => Promise<Measurement>][] = [
    ['clickcredit', () => measure(PER_RUN, level, (i) => postbackOf(cc.tracker, ccIds[i]!))],
    ['floor', () => { const f = floorPostback(pool, floor.schema); return measure(PER_RUN, level, (i) => f(floor.ids[i]!, uuidv4())); }],
    ['naive', () => { const n = naivePostback(pool, naive.schema); return measure(PER_RUN, level, (i) => n(naive.ids[i]!, uuidv4())); }],
  ];
  if (diagnostics) {
    const all = await shaped('all');
    const naiveAll = await shaped('naiveall');
    runs.push(['naiveAll', () => { const n = naivePostback(pool, naiveAll.schema, true); return measure(PER_RUN, level, (i) => n(naiveAll.ids[i]!, uuidv4())); }]);
    schemas.push(`${base}_min`);
    const min = await minimalFloor(pool, `${base}_min`, PER_RUN);
    runs.push(['allWrites', () => { const f = allWritesPostback(pool, all.schema); return measure(PER_RUN, level, (i) => f(all.ids[i]!, uuidv4())); }]);
    runs.push(['minimal', () => measure(PER_RUN, level, (i) => min.run(min.ids[i]!, uuidv4()))]);
  }
  try {
    const result = await rotated(round, runs);
    await credited(pool, `${base}_cc`, PER_RUN, 'clickcredit');
    await credited(pool, floor.schema, PER_RUN, 'floor');
    await credited(pool, naive.schema, PER_RUN, 'naive');
    return result;
  } finally {
    for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  }
}

/** One Redis round: clickcredit and the Lua floor, with the server's own time per postback. */
async function redisRound(store: BenchStore, level: number, round: number, earningJson: string) {
  const redis = store.redis!;
  const floorIds = Array.from({ length: PER_RUN }, () => uuidv4());
  const floor = await redisFloor(redis, `${RUN}:r${level}_${round}`, floorIds, earningJson);
  const ccIds = await pendingClicks(store.tracker, PER_RUN);
  const serverUs: Record<string, number> = {};
  const timed = async (name: string, run: () => Promise<Measurement>) => {
    const before = await evalshaStats(redis);
    const m = await run();
    const after = await evalshaStats(redis);
    // Per postback, not per EVALSHA: a store that needs two scripts per postback pays both.
    serverUs[name] = (after.usec - before.usec) / m.ops;
    return m;
  };
  const result = await rotated(round, [
    ['clickcredit', () => timed('clickcredit', () => measure(PER_RUN, level, (i) => postbackOf(store.tracker, ccIds[i]!)))],
    ['floor', () => timed('floor', () => measure(PER_RUN, level, (i) => floor(i, uuidv4())))],
  ]);
  return { result, serverUs };
}

async function postbackSection(stores: BenchStore[]) {
  const rows: (string | number)[][] = [];
  const diagRows: (string | number)[][] = [];
  const ratios: Record<string, unknown> = {};
  const verdicts: string[] = [];
  let earningJson = '';
  for (const store of stores) {
    if (store.redis) {
      // The floor stores an earning of the same size as clickcredit's stored earning.
      const earning = await postbackOf(store.tracker, (await pendingClicks(store.tracker, 1))[0]!);
      const [, keys] = await store.redis.scan('0', 'MATCH', `${RUN}:*:earning:${earning.earningId}`, 'COUNT', 100_000);
      earningJson = (keys[0] && (await store.redis.get(keys[0]))) || JSON.stringify(earning);
    }
    for (const level of LEVELS) {
      if (store.name === 'pglite' && level === 64 && quick) continue;
      const rounds: Record<string, Measurement>[] = [];
      const serverUs: Record<string, number>[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        if (store.pool) rounds.push(await postgresRound(store.pool, level, round, level === 16));
        else if (store.redis) {
          const r = await redisRound(store, level, round, earningJson);
          rounds.push(r.result);
          serverUs.push(r.serverUs);
        } else {
          const clicks = await pendingClicks(store.tracker, PER_RUN);
          rounds.push({ clickcredit: await measure(PER_RUN, level, (i) => postbackOf(store.tracker, clicks[i]!)) });
        }
      }
      const m = collect(rounds, 'clickcredit')!;
      const f = collect(rounds, 'floor');
      const n = collect(rounds, 'naive');
      const vsFloor = pairedRatio(rounds, 'clickcredit', 'floor');
      const vsNaive = pairedRatio(rounds, 'clickcredit', 'naive');
      rows.push([store.name, level, ...row(m), f ? Math.round(f.perSecond) : '-', n ? Math.round(n.perSecond) : '-',
        vsFloor?.toFixed(2) ?? '-', vsNaive?.toFixed(2) ?? '-']);
      const entry: Record<string, unknown> = { clickcredit: m, floor: f, naive: n, ccOverFloor: vsFloor, ccOverNaive: vsNaive };
      if (store.pool && level === 16) {
        Object.assign(entry, { allWritesFloor: collect(rounds, 'allWrites'), allWritesNaive: collect(rounds, 'naiveAll'), minimalFloor: collect(rounds, 'minimal') });
        const sides = [['minimal floor: 3 writes, 5-column tables', 'minimal'], ['floor: 3 writes, clickcredit-shaped rows', 'floor'],
          ['all-writes floor: + ledger entries + audit row, one statement', 'allWrites'],
          ['naive: seed flow, 5-6 statements in a transaction', 'naive'],
          ['all-writes naive: + ledger entries + audit row, 7-9 statements', 'naiveAll'], ['clickcredit handlePostback', 'clickcredit']] as const;
        for (const [label, side] of sides) {
          const ratio = pairedRatio(rounds, 'clickcredit', side)!;
          diagRows.push(['postgres', label, ...row(collect(rounds, side)!), ratio.toFixed(2)]);
          entry[`ccOver_${side}`] = ratio;
        }
      }
      if (store.redis) {
        const us = (name: string) => median1(serverUs.map((s) => s[name]!));
        entry.serverMicrosPerPostback = { clickcredit: us('clickcredit'), floor: us('floor') };
        if (level === 16) {
          diagRows.push(['redis', `Lua floor (server ${us('floor').toFixed(1)} us/postback)`, ...row(f!), vsFloor!.toFixed(2)]);
          diagRows.push(['redis', `clickcredit (server ${us('clickcredit').toFixed(1)} us/postback)`, ...row(m), '1.00']);
        }
      }
      ratios[`${store.name}@${level}`] = entry;
      if (store.pool && level === 16) {
        verdicts.push(`Postgres @16 vs floor: ${verdict(vsFloor!, 0.85)}`);
        verdicts.push(`Postgres @16 vs naive: ${verdict(vsNaive!, 1.6)}`);
      }
      if (store.redis && level === 16) verdicts.push(`Redis @16 vs Lua floor: ${verdict(vsFloor!, 0.7)}`);
    }
  }
  print(table(`Storage-level handlePostback (credits, ${REFERRED_SHARE * 100}% referred; median of ${ROUNDS} rotated rounds of ${PER_RUN}; ratios = median of per-round ratios)`,
    ['store', 'in flight', 'conv/s', 'p50 ms', 'p99 ms', 'floor/s', 'naive/s', 'cc/floor', 'cc/naive'], rows));
  for (const v of verdicts) print(v);
  print(table('Where the time goes, 16 in flight (diagnostic)', ['store', 'what', 'ops/s', 'p50 ms', 'p99 ms', 'cc/this'], diagRows));
  results.postbacks = ratios;
}


async function createClickSection(stores: BenchStore[]) {
  const rows: (string | number)[][] = [];
  const data: Record<string, unknown> = {};
  const verdicts: string[] = [];
  const clickOf = (tracker: ClickTracker) => (i: number) => tracker.createClick({ userId: benchUser(i), productId: 'bench', taskUrl: TASK_URL });
  for (const store of stores) {
    const rounds: Record<string, Measurement>[] = [];
    for (let round = 0; round < CLICK_ROUNDS; round += 1) {
      if (!store.pool) {
        rounds.push({ clickcredit: await measure(PER_RUN, 16, clickOf(store.tracker)) });
        continue;
      }
      // Fresh schemas per round: clickcredit's, a table of its shape for the bare INSERT, a minimal one.
      const pool = store.pool;
      const base = `${RUN}_ins_${round}`;
      const cc = await freshPostgres(pool, `${base}_cc`);
      await createShapedTables(pool, `${base}_bare`, `${base}_cc`);
      const bare = bareClickInsert(pool, `${base}_bare`, uuidv4);
      const minimal = await minimalClickInsert(pool, `${base}_min`, uuidv4);
      try {
        rounds.push(await rotated(round, [
          ['clickcredit', () => measure(PER_RUN, 16, clickOf(cc.tracker))],
          ['bare', () => measure(PER_RUN, 16, bare)],
          ['minimal', () => measure(PER_RUN, 16, minimal)],
        ]));
      } finally {
        for (const schema of [`${base}_cc`, `${base}_bare`, `${base}_min`]) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      }
    }
    const m = collect(rounds, 'clickcredit')!;
    const b = collect(rounds, 'bare');
    const min = collect(rounds, 'minimal');
    const vsBare = pairedRatio(rounds, 'clickcredit', 'bare');
    const vsMin = pairedRatio(rounds, 'clickcredit', 'minimal');
    rows.push([store.name, ...row(m), b ? Math.round(b.perSecond) : '-', vsBare?.toFixed(2) ?? '-',
      min ? Math.round(min.perSecond) : '-', vsMin?.toFixed(2) ?? '-']);
    data[store.name] = { clickcredit: m, bareInsert: b, minimalInsert: min, ccOverBare: vsBare, ccOverMinimal: vsMin };
    if (store.name === 'postgres' && vsBare) verdicts.push(`createClick on Postgres vs bare INSERT: ${verdict(vsBare, 0.85)}`);
  }
  print(table(`createClick (16 in flight, ${CLICK_ROUNDS} rotated rounds; bare INSERT = one hand-written INSERT of the same 26-column row; minimal = 5-column table)`,
    ['store', 'clicks/s', 'p50 ms', 'p99 ms', 'bare INSERT/s', 'cc/bare', 'minimal/s', 'cc/minimal'], rows));
  for (const v of verdicts) print(v);
  results.createClick = data;
}

/**
 * Signed CPX callbacks (user-keyed: each one a fresh transaction, so a fresh virtual click), for
 * the network-callback row: the same amount and referral share as the generic postback's.
 */
function cpxCallbackPaths(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const tx = `${prefix}-${i}`;
    const hash = createHash('md5').update(`${tx}-${BENCH_CPX_SECRET}`).digest('hex');
    return `/api/v1/earn/postback/cpx?status=1&trans_id=${tx}&user_id=${benchUser(i)}&amount_local=10.00&hash=${hash}`;
  });
}

async function httpSection(stores: BenchStore[]) {
  const rows: (string | number)[][] = [];
  const data: Record<string, unknown> = {};
  const verdicts: string[] = [];
  const memoryStore = createMemoryStore();
  const targets = [{ name: 'memory', tracker: benchTracker(memoryStore) },
    ...stores.filter((s) => s.name === 'pglite' || s.name === 'postgres').map((s) => ({ name: s.name, tracker: s.tracker }))];
  const byRate = (a: HttpResult, b: HttpResult) => a.requestsPerSecond - b.requestsPerSecond;
  const mid = (runs: HttpResult[]) => [...runs].sort(byRate)[Math.floor(runs.length / 2)]!;
  const load = startLoadGenerator();
  try {
    for (const [framework, start] of Object.entries(FRAMEWORKS)) {
      const bareServer = await start(null);
      for (const target of targets) {
        if (quick && target.name === 'pglite') continue;
        let server: Awaited<ReturnType<typeof start>>;
        try {
          server = await start(target.tracker);
        } catch (error) {
          print(`${framework} helper on ${target.name}: NOT MEASURED (${(error as Error).message.split('\n')[0]})`);
          notMeasured[`http:${framework}`] = (error as Error).message.split('\n')[0]!;
          rows.push([framework, 'helper NOT MEASURED', target.name, '-', '-', '-', '-', '-', '-']);
          continue;
        }
        const bare: HttpResult[] = [];
        const postback: HttpResult[] = [];
        const click: HttpResult[] = [];
        const network: HttpResult[] = [];
        // Every postback should credit a fresh click: before each round, create as many pending
        // clicks as the last round could use (with a margin); any shortfall shows as replays.
        let expected = target.name === 'memory' ? 15_000 : 3_000;
        let replays = 0;
        let sent = 0;
        // Bare route and clickcredit routes alternate, so drift on this shared machine hits both.
        for (let round = 0; round < HTTP_ROUNDS; round += 1) {
          const ids = await pendingClicks(target.tracker, Math.ceil(expected * HTTP_SECONDS * 1.5));
          bare.push(await load.drive(bareServer.url, HTTP_SECONDS, { method: 'POST', body: '{"hello":"world"}', paths: ['/hello'] }));
          const runPostback = async () => {
            const p = await load.drive(server.url, HTTP_SECONDS, {
              method: 'POST', body: JSON.stringify(POSTBACK_BODY), paths: ids.map((id) => `/api/v1/earn/postback?click_id=${id}`),
            });
            postback.push(p);
            expected = p.sent / HTTP_SECONDS;
            sent += p.sent;
            replays += Math.max(0, p.sent - ids.length);
          };
          // The network callback beside the generic postback, on the same store and server.
          const runNetwork = async () => {
            network.push(await load.drive(server.url, HTTP_SECONDS, {
              method: 'GET', paths: cpxCallbackPaths(`${RUN}-${framework}-${target.name}-${round}`, Math.ceil(expected * HTTP_SECONDS * 1.5)),
            }));
          };
          // Rotated inside the round: in even rounds the network run follows the postback run, in odd
          // rounds it precedes it. With a fixed order the network run always came right after the
          // postback run, on a heap that run had just grown (the memory store keeps every record), and
          // paid the garbage collection that growth brings; rotating spreads that over both sides.
          if (round % 2 === 0) {
            await runPostback();
            await runNetwork();
          } else {
            await runNetwork();
            await runPostback();
          }
          click.push(await load.drive(server.url, HTTP_SECONDS, {
            method: 'POST', body: JSON.stringify({ taskUrl: TASK_URL }), headers: { authorization: 'Bearer bench' },
            paths: ['/api/v1/earn/products/bench/click'],
          }));
        }
        await server.close();
        const b = mid(bare);
        const p = mid(postback);
        const c = mid(click);
        // Each round drives bare, postback (and network, order rotated) and click back to back: the ratio is the median of per-round ratios.
        const pr = median1(postback.map((x, i) => x.requestsPerSecond / bare[i]!.requestsPerSecond));
        const cr = median1(click.map((x, i) => x.requestsPerSecond / bare[i]!.requestsPerSecond));
        const cpu = (runs: HttpResult[]) => median1(runs.map((x) => x.serverCpuMicrosPerRequest));
        const net = mid(network);
        const nr = median1(network.map((x, i) => x.requestsPerSecond / bare[i]!.requestsPerSecond));
        // The target: a network callback costs about what a generic postback does (>= 0.9x).
        const np = median1(network.map((x, i) => x.requestsPerSecond / postback[i]!.requestsPerSecond));
        const non2xx = [...bare, ...postback, ...click, ...network].reduce((n, r) => n + r.non2xx, 0);
        if (non2xx) print(`WARNING ${framework}/${target.name}: ${non2xx} responses were not 2xx`);
        rows.push([framework, 'bare JSON POST', target.name, Math.round(b.requestsPerSecond), b.p50ms, b.p99ms, '-', Math.round(cpu(bare)), '-']);
        rows.push([framework, `POST /postback${replays ? ` (${Math.round((100 * replays) / sent)}% replays)` : ''}`, target.name,
          Math.round(p.requestsPerSecond), p.p50ms, p.p99ms, pr.toFixed(2), Math.round(cpu(postback)), (cpu(bare) / cpu(postback)).toFixed(2)]);
        rows.push([framework, `GET /postback/cpx (network, user-keyed; ${np.toFixed(2)}x postback)`, target.name, Math.round(net.requestsPerSecond), net.p50ms, net.p99ms,
          nr.toFixed(2), Math.round(cpu(network)), (cpu(bare) / cpu(network)).toFixed(2)]);
        rows.push([framework, 'POST /products/:id/click', target.name, Math.round(c.requestsPerSecond), c.p50ms, c.p99ms, cr.toFixed(2),
          Math.round(cpu(click)), (cpu(bare) / cpu(click)).toFixed(2)]);
        data[`${framework}:${target.name}`] = { bare: b, postback: p, click: c, postbackOverBare: pr,
          serverCpuMicrosPerRequest: { bare: cpu(bare), postback: cpu(postback), click: cpu(click) }, clickOverBare: cr, postbackReplays: replays, non2xx, rounds: { bare, postback, click } };
        // Targets of issue 12: Fastify at least 0.6x its bare route, Express (which costs far more per request itself) at least 0.85x.
        if (target.name === 'memory') verdicts.push(`${framework} postback endpoint on memory vs bare ${framework}: ${verdict(pr, framework === 'express' ? 0.85 : 0.6)}`);
        verdicts.push(`${framework} network callback vs generic postback on ${target.name}: ${verdict(np, 0.9)}`);
        (data[`${framework}:${target.name}`] as Record<string, unknown>).network = { result: net, overBare: nr, overPostback: np, serverCpuMicrosPerRequest: cpu(network), rounds: network };
      }
      await bareServer.close();
    }
  } finally {
    load.close();
  }
  print(table(`HTTP (autocannon in a child process, 16 connections, ${HTTP_ROUNDS} alternating rounds of ${HTTP_SECONDS}s, median; ratio = median of per-round ratios; every postback credits a fresh click)`,
    ['framework', 'route', 'store', 'req/s', 'p50 ms', 'p99 ms', 'vs bare', 'server CPU us/req', 'bare/this CPU'], rows));
  for (const v of verdicts) print(v);
  results.http = data;
}

async function sizeSection(stores: BenchStore[]) {
  const rows: (string | number)[][] = [];
  const data: Record<string, unknown> = {};
  const redis = stores.find((s) => s.name === 'redis');
  if (redis?.redis) {
    // Own prefix, so only the measured clicks are counted (and deleted after, with the run's keys).
    const tracker = redis.withPrefix!('size');
    const used = async () => Number(/used_memory:(\d+)/.exec(await redis.redis!.info('memory'))![1]);
    const before = await used();
    await pendingClicks(tracker, SIZE_ROWS);
    // Every click's index entries as folded from the change log (an admin list folds it first),
    // not the log records that stand in for them until then.
    await tracker.admin.listClicks({ limit: 1 });
    const bytes = (await used()) - before;
    rows.push(['redis', 'pending click (all its keys)', SIZE_ROWS, Math.round(bytes / SIZE_ROWS)]);
    data.redisBytesPerClick = bytes / SIZE_ROWS;
  }
  const pg = stores.find((s) => s.name === 'postgres');
  if (pg?.pool) {
    // A fresh schema: SIZE_ROWS clicks, every one credited once (20% with a referral).
    const schema = `${RUN}_size`;
    const cc = await freshPostgres(pg.pool, schema);
    try {
      // Clicks are copies of one clickcredit made (same row shape), each then credited through handlePostback.
      const template = (await cc.tracker.createClick({ userId: benchUser(1), productId: 'bench', taskUrl: TASK_URL })).clickId;
      const ids = await seedShapedClicks(pg.pool, schema, schema, template, SIZE_ROWS - 1);
      ids.push(template);
      await measure(ids.length, 32, (i) => postbackOf(cc.tracker, ids[i]!));
      await pg.pool.query(`VACUUM ANALYZE "${schema}".clicks`);
      for (const t of ['clicks', 'earnings', 'ledger_entries', 'postback_attempts', 'wallets']) {
        const { rows: [r] } = await pg.pool.query(`SELECT pg_total_relation_size('"${schema}".${t}') AS b, (SELECT count(*) FROM "${schema}".${t}) AS n`);
        rows.push(['postgres', `${t} row (+indexes, TOAST)`, Number(r.n), Math.round(Number(r.b) / Number(r.n))]);
        data[`postgresBytesPer_${t}`] = Number(r.b) / Number(r.n);
      }
      const per = (await pg.pool.query(`SELECT (pg_total_relation_size('"${schema}".clicks') + pg_total_relation_size('"${schema}".earnings')
        + pg_total_relation_size('"${schema}".ledger_entries') + pg_total_relation_size('"${schema}".postback_attempts'))::float8 / $1 AS b`, [SIZE_ROWS])).rows[0].b;
      rows.push(['postgres', 'one credited click, everything (click, earning, ledger, audit)', SIZE_ROWS, Math.round(per)]);
      data.postgresBytesPerCreditedClick = per;
    } finally {
      await cc.drop();
    }
  }
  print(table(`Memory and size (${SIZE_ROWS} clicks)`, ['store', 'what', 'rows', 'bytes each'], rows));
  results.size = data;
}

/** JIT warm-up of the core and each adapter's paths, so no measured round pays for compilation. */
async function warmUp(stores: BenchStore[]) {
  for (const store of stores) {
    const ids = await pendingClicks(store.tracker, store.name === 'pglite' ? 200 : 600);
    await measure(ids.length, 16, (i) => postbackOf(store.tracker, ids[i]!));
  }
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
print(`clickcredit bench (${quick ? 'quick' : 'full'}) at ${version.commit}${version.uncommitted.length ? ` + ${version.uncommitted.length} uncommitted file(s) under src/ or adapters/` : ''}, load average at start: ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${availableParallelism()} cores`);
const sectionContext = { quick, perRun: PER_RUN, rounds: ROUNDS, print, results };
const opened = await openStores();
const stores = opened.filter((s) => !onlyStores || onlyStores.includes(s.name));
try {
  await warmUp(stores);
  const sections: [string, (s: BenchStore[]) => Promise<void>][] = [['roundtrips', roundTripSection], ['postbacks', postbackSection],
    ['createclick', createClickSection], ['http', httpSection], ['size', sizeSection],
    ['events', (s) => eventsSection(s, sectionContext)], ['stats', (s) => statsSection(s, sectionContext)]];
  const took: Record<string, number> = {};
  for (const [name, run] of sections) {
    if (!wanted(name)) continue;
    const t0 = Date.now();
    await run(stores);
    took[name] = (Date.now() - t0) / 1000;
  }
  results.sectionSeconds = took;
  print(`\nsection times (s): ${Object.entries(took).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}; load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${availableParallelism()} cores`);
} finally {
  for (const store of opened) await store.close().catch(() => undefined);
}
results.notMeasured = notMeasured;
results.seconds = (Date.now() - started) / 1000;
writeFileSync('bench/results/latest.json', JSON.stringify(results, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2));
writeFileSync('bench/results/latest.txt', out.join('\n'));
print(`\nbench finished in ${results.seconds}s (${quick ? 'quick' : 'full'}); results in bench/results/latest.json`);
process.exit(0);
