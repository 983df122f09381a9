/**
 * Property-based fuzzing of every route with fast-check: each generated hostile request is sent
 * to an Express and a Fastify example (each on a store of its own of the same kind), and both
 * answers must hold the properties: no 5xx, the JSON envelope with a stable code that matches
 * the status, no stack trace or driver text, a redirect only to an absolute http(s) URL, the
 * oracle's refusals and amounts, and the same status and code from both frameworks. At the end
 * both servers still answer, the user the fuzzer never legitimately credits (demo-friend) has an
 * empty ledger, and every earning of demo-user nets in the stored ledger to what its state owes.
 */
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { makeAgent, send, type Reply } from '../support/http.js';
import { CAP_MINOR, FRIEND, REFERRER, createClick, fromMinor, toMinor, walletMinor } from '../support/demo.js';
import { startExample, type ExampleServer } from '../support/example-server.js';
import { LEAK_PATTERNS, hostileRequest, type HostileRequest } from '../support/hostile.js';
import { Problems, type Case, type Mode, type Outcome } from '../support/scenario.js';
import { pgliteStore, postgresStore, redisStore, startRedisServer, type StoreKind, type SuiteStore } from '../support/stores.js';
import { withRaw } from '../support/cluster.js';

const STATUS_OF_CODE: Record<string, number> = {
  VALIDATION_ERROR: 400, UNAUTHORIZED: 401, POSTBACK_FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, CLICK_EXPIRED: 410, PAYLOAD_TOO_LARGE: 413, UNAVAILABLE: 503,
};
// A redirect or stored task URL must carry no whitespace or control characters (deliberate control-character class).
// eslint-disable-next-line no-control-regex
const ABSOLUTE_URL = /^https?:\/\/[^\s\u0000-\u001f\u007f]+$/i;
const WORKERS = 6;

export function fuzzCases(): Case[] {
  return (['postgres', 'redis', 'pglite'] as StoreKind[]).map((kind) => ({
    name: `fuzz/${kind} (express vs fastify)`,
    // PGlite is slow to open twice; quick mode fuzzes the Postgres server and Redis pairs only.
    fullOnly: kind === 'pglite',
    run: (mode) => fuzz(kind, mode),
  }));
}

/** One side of the pair: a server, its store and the clicks the fuzzer may aim at. */
interface Target {
  server: ExampleServer;
  store: SuiteStore;
  agent: ReturnType<typeof makeAgent>;
  userPools: string[][];
  friendPools: string[][];
  /** Every demo-user click the fuzzer could have credited. */
  userClicks: string[];
  /** Clicks that already had a 200 postback (later ones are updates, not fresh credits). */
  touched: Set<string>;
  /** The amount the first credit of a click reported, checked against the stored earning. */
  reported: Map<string, bigint>;
}

async function openPair(kind: StoreKind): Promise<{ stores: [SuiteStore, SuiteStore]; close(): Promise<void> }> {
  if (kind === 'postgres') return { stores: [await postgresStore(), await postgresStore()], close: async () => undefined };
  if (kind === 'pglite') return { stores: [await pgliteStore(), await pgliteStore()], close: async () => undefined };
  const own = await startRedisServer();
  return { stores: [await redisStore(own, 1), await redisStore(own, 2)], close: () => own.stop() };
}

async function fuzz(kind: StoreKind, mode: Mode): Promise<Outcome> {
  const runs = mode.quick ? 500 : 2000; // per framework: x2 requests per pair, three pairs
  const seed = Number(process.env.FUZZ_SEED ?? 20261201 + kind.length);
  const problems = new Problems();
  const groups = new Map<string, { count: number; example: string }>();
  const fail = (key: string, example: string) => {
    const group = groups.get(key) ?? { count: 0, example };
    group.count += 1;
    groups.set(key, group);
  };
  const pair = await openPair(kind);
  const targets: Target[] = [];
  let requests = 0;
  let fiveXx = 0;
  let skipped = 0;
  let resent = 0;
  let headerTooLarge = 0;
  try {
    for (const [index, framework] of (['express', 'fastify'] as const).entries()) {
      const store = pair.stores[index]!;
      const server = await startExample(framework, store.env());
      const agent = makeAgent(32);
      const pools = async (token: string, size: number) => {
        const result: string[][] = [];
        for (let w = 0; w < WORKERS; w++) result.push(await Promise.all(Array.from({ length: size }, () => createClick(server.base, token, agent))));
        return result;
      };
      const userPools = await pools(REFERRER.token, 4);
      targets.push({ server, store, agent, userPools, friendPools: await pools(FRIEND.token, 2), userClicks: userPools.flat(), touched: new Set(), reported: new Map() });
    }
    const cases = fc.sample(hostileRequest, { numRuns: runs, seed });
    const unknownClick = randomUUID();
    const freshConnection = new Agent({ keepAlive: false });

    const clickFor = async (target: Target, request: HostileRequest, worker: number): Promise<string> => {
      const ref = request.click;
      if (ref.pool === 'friend') return target.friendPools[worker]![ref.slot]!;
      if (ref.pool === 'user' && ref.fresh) {
        const clickId = await createClick(target.server.base, REFERRER.token, target.agent);
        target.userClicks.push(clickId);
        return clickId;
      }
      if (ref.pool === 'user') return target.userPools[worker]![ref.slot]!;
      return unknownClick;
    };

    const sendTo = async (target: Target, request: HostileRequest, worker: number): Promise<{ reply: Reply; clickId: string }> => {
      const clickId = await clickFor(target, request, worker);
      const fill = (text: string) => text.replaceAll('@CLICK@', clickId);
      const body = typeof request.body === 'string' ? fill(request.body) : request.body;
      const url = `${target.server.base}${fill(request.path)}${request.query ? `?${fill(request.query)}` : ''}`;
      const out = { method: request.method, url, headers: request.headers, ...(body === undefined ? {} : { body }), timeoutMs: 20_000 };
      let reply = await send(out, target.agent);
      // A keep-alive socket the server closed after refusing a body early: resend once on a new
      // connection, as any HTTP client does. Failing twice is a real dropped connection.
      if (reply.status === 0 && (reply.error === 'ECONNRESET' || reply.error === 'EPIPE')) {
        resent += 1;
        reply = await send(out, freshConnection);
      }
      return { reply, clickId };
    };

    const checkReply = (target: Target, request: HostileRequest, reply: Reply, clickId: string, repro: string, created: string[] = []) => {
      const where = `${request.route} ${target.server.framework}`;
      if (reply.status === 0) return fail(`${where}: no answer (${reply.error})`, repro);
      if (reply.status >= 500) {
        fiveXx += 1;
        fail(`${where}: ${reply.status} ${reply.json?.error?.code ?? reply.text.slice(0, 60)}`, repro);
      }
      if (reply.status === 431) {
        // Node's HTTP parser refuses a request head over its limit before any framework sees it.
        headerTooLarge += 1;
        return;
      }
      if (reply.status === 302) {
        const location = String(reply.headers.location ?? '');
        if (!ABSOLUTE_URL.test(location)) fail(`${where}: redirect to a non-absolute or unclean URL`, `${repro}\n  Location: ${JSON.stringify(location.slice(0, 120))}`);
      } else if (reply.json === undefined || typeof reply.json !== 'object') {
        fail(`${where}: ${reply.status} body is not the JSON envelope`, `${repro}\n  body: ${JSON.stringify(reply.text.slice(0, 120))}`);
      } else if (reply.json.success === true) {
        if (reply.status < 200 || reply.status > 299) fail(`${where}: success envelope with ${reply.status}`, repro);
      } else {
        const { message, error } = reply.json as { message?: unknown; error?: { code?: unknown } };
        const code = String(error?.code);
        if (reply.json.success !== false || typeof message !== 'string' || !(code in STATUS_OF_CODE)) {
          fail(`${where}: ${reply.status} not the error envelope {success:false,message,error:{code}}`, `${repro}\n  body: ${reply.text.slice(0, 160)}`);
        } else if (STATUS_OF_CODE[code] !== reply.status) {
          fail(`${where}: code ${code} with status ${reply.status}`, repro);
        }
        const leak = LEAK_PATTERNS.find((pattern) => pattern.test(reply.text));
        if (leak) fail(`${where}: internal text in the body (${leak})`, `${repro}\n  body: ${reply.text.slice(0, 200)}`);
      }
      if (request.expect.status !== undefined && reply.status !== request.expect.status) {
        fail(`${where}: ${reply.status} where ${request.expect.status} is due (${request.label.replace(/amount=.*$/, '').slice(0, 60)})`, repro);
      }
      if (request.expect.noSuccess && reply.status >= 200 && reply.status < 400) fail(`${where}: ${reply.status} for a request that must not succeed`, repro);
      if (request.route === 'createClick' && reply.status === 201) {
        const redirectUrl = String(reply.json?.data?.redirectUrl ?? '');
        if (!ABSOLUTE_URL.test(redirectUrl)) fail(`${where}: click stored with a task URL that is not a clean absolute URL`, `${repro}\n  redirectUrl: ${JSON.stringify(redirectUrl.slice(0, 120))}`);
        created.push(String(reply.json?.data?.clickId));
      }
      if (request.route === 'postback' && reply.status === 200 && request.click.pool === 'user') {
        const data = reply.json?.data as { duplicate?: boolean; amount?: string; status?: string } | undefined;
        if (!target.touched.has(clickId) && data?.duplicate === false && data.amount !== undefined && (data.status === 'completed' || data.status === 'pending')) {
          const amount = toMinor(data.amount);
          target.reported.set(clickId, amount);
          if (request.expect.amountMinor !== undefined && amount !== request.expect.amountMinor) {
            fail(`${where}: credited ${data.amount} where the amount sent earns ${fromMinor(request.expect.amountMinor)}`, repro);
          }
          if (amount <= 0n || amount > CAP_MINOR) fail(`${where}: credited ${data.amount}, outside (0, cap]`, repro);
        }
        target.touched.add(clickId);
      }
    };

    const worker = async (w: number) => {
      for (let i = w; i < cases.length; i += WORKERS) {
        const request = cases[i]!;
        const [a, b] = await Promise.all(targets.map((target) => sendTo(target, request, w)));
        if (a!.reply.status === -1 || b!.reply.status === -1) {
          skipped += 1; // the client itself refused to send it (e.g. a header Node will not write)
          continue;
        }
        requests += 2;
        const repro = reproOf(request);
        const created: string[][] = [[], []];
        checkReply(targets[0]!, request, a!.reply, a!.clickId, repro, created[0]);
        checkReply(targets[1]!, request, b!.reply, b!.clickId, repro, created[1]);
        // A click the fuzzer managed to create is followed to its offer: the stored task URL
        // must come back as a clean absolute redirect (or a refusal in the envelope).
        for (const [side, ids] of created.entries()) {
          for (const id of ids) {
            const follow: HostileRequest = { route: 'track', label: 'GET /track ?redirect=1 of a fuzz-created click', method: 'GET', path: `/track/${id}`, query: 'redirect=1', headers: {}, click: { pool: 'none' }, expect: {} };
            const reply = await send({ url: `${targets[side]!.server.base}/track/${id}?redirect=1`, timeoutMs: 20_000 }, targets[side]!.agent);
            requests += 1;
            checkReply(targets[side]!, follow, reply, id, `${repro}\n  then GET $BASE/track/<its click id>?redirect=1`);
          }
        }
        if (a!.reply.status === 431 || b!.reply.status === 431) continue;
        const codeOf = (reply: Reply) => `${reply.status} ${reply.json?.error?.code ?? ''}`.trim();
        if (codeOf(a!.reply) !== codeOf(b!.reply)) fail(`${request.route}: Express ${codeOf(a!.reply)} vs Fastify ${codeOf(b!.reply)}`, repro);
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    const seconds = (performance.now() - started) / 1000;

    // After the storm of garbage: both still serve, and the money is exactly what was legitimately earned.
    let lost = 0;
    let doubled = 0;
    for (const target of targets) {
      const name = target.server.framework;
      if (!target.server.alive()) {
        problems.add(`${name} server died during fuzzing:\n${target.server.output().slice(-1500)}`);
        continue;
      }
      const friendApi = await walletMinor(target.server.base, FRIEND.token, target.agent);
      const userApi = await walletMinor(target.server.base, REFERRER.token, target.agent);
      if (!target.store.multiProcess) await target.server.stop();
      const ledger = await withRaw(target.store, async (raw) => {
        const friendEntries = await raw.ledgerEntries(FRIEND.userId);
        const friendCached = await raw.cachedBalance(FRIEND.userId);
        const userEntries = await raw.ledgerEntries(REFERRER.userId);
        const userCached = await raw.cachedBalance(REFERRER.userId);
        const netOf = new Map<string, bigint>();
        for (const entry of userEntries) netOf.set(entry.earningId ?? '-', (netOf.get(entry.earningId ?? '-') ?? 0n) + entry.amountMinor);
        const known = new Set<string>();
        let owed = 0n;
        for (const clickId of target.userClicks) {
          const earnings = await raw.earningsOfClick(clickId);
          if (earnings.length > 1) {
            doubled += earnings.length - 1;
            problems.add(`${name}: click ${clickId} has ${earnings.length} earnings`);
          }
          for (const earning of earnings) {
            known.add(earning.earningId);
            const pays = earning.credited && earning.status === 'completed' && (earning.approvalStatus === 'auto_approved' || earning.approvalStatus === 'manual_approved');
            const due = pays ? earning.amountMinor : 0n;
            const net = netOf.get(earning.earningId) ?? 0n;
            if (net !== due) {
              if (net > due) doubled += 1;
              else lost += 1;
              problems.add(`${name}: earning ${earning.earningId} (${earning.status}/${earning.approvalStatus}, credited ${earning.credited}) nets ${net}, owes ${due}`);
            }
            const reported = target.reported.get(clickId);
            if (reported !== undefined && reported !== earning.amountMinor) problems.add(`${name}: earning of click ${clickId} stores ${earning.amountMinor}, the credit answered ${reported}`);
            if (earning.amountMinor <= 0n || earning.amountMinor > CAP_MINOR) problems.add(`${name}: earning ${earning.earningId} amount ${earning.amountMinor} outside (0, cap]`);
            owed += due;
          }
        }
        for (const earningId of netOf.keys()) if (!known.has(earningId)) problems.add(`${name}: demo-user ledger entries for an earning of no fuzzed click (${earningId})`);
        const sum = userEntries.reduce((total, entry) => total + entry.amountMinor, 0n);
        return { friendEntries: friendEntries.length, friendCached, sum, userCached, owed };
      });
      if (ledger.friendEntries !== 0 || ledger.friendCached !== 0n || friendApi !== 0n) {
        doubled += 1;
        problems.add(`${name}: demo-friend (never legitimately credited) has ${ledger.friendEntries} ledger entries, cached ${ledger.friendCached}, API ${fromMinor(friendApi)}`);
      }
      if (ledger.sum !== ledger.owed || ledger.userCached !== ledger.owed || userApi !== ledger.owed) {
        problems.add(`${name}: demo-user ledger sums to ${ledger.sum}, cached ${ledger.userCached}, API ${userApi}, earnings owe ${ledger.owed}`);
      }
    }
    const sorted = [...groups.entries()].sort((x, y) => y[1].count - x[1].count);
    for (const [key, { count, example }] of sorted) problems.add(`${count}x ${key}\n  e.g. ${example}`);
    return {
      figures: {
        requests,
        faults: 0,
        lost,
        doubled,
        fiveXx,
        cases: cases.length,
        skipped,
        resent,
        '431': headerTooLarge,
        violations: sorted.reduce((total, [, group]) => total + group.count, 0),
        'req/s': Math.round(requests / seconds),
        seed,
      },
      problems: problems.done(),
    };
  } finally {
    for (const target of targets) await target.server.stop();
    for (const store of pair.stores) await store.cleanup();
    await pair.close();
  }
}

/** A curl line that replays the request (against the Express side's port placeholder). */
function reproOf(request: HostileRequest): string {
  const headers = Object.entries(request.headers).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => `-H ${JSON.stringify(`${name}: ${v}`)}`));
  const body = request.body === undefined ? '' : Buffer.isBuffer(request.body) ? ` --data-binary <${request.body.length} bytes>` : ` --data-binary ${JSON.stringify(request.body.length > 200 ? `${request.body.slice(0, 200)}…(${request.body.length} chars)` : request.body)}`;
  const url = `$BASE${request.path}${request.query ? `?${request.query}` : ''}`;
  return `curl -X ${request.method} '${url.length > 300 ? `${url.slice(0, 300)}…` : url}' ${headers.join(' ')}${body}   [@CLICK@ = a ${request.click.pool}${request.click.pool === 'user' && request.click.fresh ? ' (fresh)' : ''} click]`;
}
