/**
 * The store going away under load and coming back: the suite's own Postgres or Redis instance
 * (tests/support/own-services.ts, free ports, never the shared servers) is stopped while clicks,
 * postbacks, replays and wallet reads keep coming, and started again. While it is down every
 * answer must be a prompt 503 UNAVAILABLE (within the bound), the server must stay up, and once
 * the store is back it must recover by itself; the advertiser's retries then credit every
 * conversion exactly once (Redis runs with AOF `appendfsync always`, so nothing acknowledged is
 * lost by the restart), checked against the stored ledger.
 */
import { startOwnPostgres, startOwnRedis, type OwnService } from '../../support/own-services.js';
import { makeAgent, postJson, send, type Reply } from '../support/http.js';
import { CAP_MINOR, FRIEND, REFERRER, fromMinor, sendPostback, walletMinor } from '../support/demo.js';
import { startExample, type Framework } from '../support/example-server.js';
import { verifyLedger, type ClickExpectation } from '../support/ledger.js';
import { sleep } from '../support/processes.js';
import { seededRandom } from '../support/random.js';
import { Problems, type Case, type Mode, type Outcome } from '../support/scenario.js';
import { EXAMPLE_REDIS_PREFIX } from '../support/stores.js';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createPostgresRawReads } from 'clickcredit/postgres';
import { createRedisRawReads } from 'clickcredit/redis';

/** Longest acceptable answer while the store is down ("promptly": a few seconds at most). */
const BOUND_MS = 5_000;
/** How long the server may take to serve again once the store is back. */
const RECOVERY_MS = 15_000;

type Kind = 'postgres' | 'redis';

export function outageCases(): Case[] {
  const all: Array<[Kind, Framework, boolean]> = [['postgres', 'express', false], ['redis', 'fastify', false], ['postgres', 'fastify', true], ['redis', 'express', true]];
  return all.map(([kind, framework, fullOnly]) => ({
    name: `store-outage/${kind} (${framework})`,
    fullOnly,
    run: (mode: Mode) => outage(kind, framework, mode),
  }));
}

interface Logged {
  kind: 'click' | 'postback' | 'replay' | 'wallet';
  started: number;
  ended: number;
  reply: Reply;
}

interface Conversion {
  clickId: string;
  amount: bigint;
  credited: boolean;
}

async function outage(kind: Kind, framework: Framework, mode: Mode): Promise<Outcome> {
  const downMs = mode.quick ? 6_000 : 15_000;
  const problems = new Problems();
  const own: OwnService = kind === 'postgres' ? await startOwnPostgres() : await startOwnRedis({ appendOnly: true });
  const env = kind === 'postgres' ? { DATABASE_URL: own.url } : { REDIS_URL: own.url };
  const server = await startExample(framework, env);
  const agent = makeAgent(64);
  const random = seededRandom(downMs + kind.length);
  try {
    const log: Logged[] = [];
    const conversions: Conversion[] = [];
    const queue: Conversion[] = [];
    let stopping = false;
    const timed = async (kindOf: Logged['kind'], request: () => Promise<Reply>) => {
      const started = Date.now();
      const reply = await request();
      log.push({ kind: kindOf, started, ended: Date.now(), reply });
      return reply;
    };
    const clickWorker = async () => {
      while (!stopping) {
        const reply = await timed('click', () => postJson(`${server.base}/products/demo-product/click`, { taskUrl: 'https://example.com/offer' }, { authorization: `Bearer ${FRIEND.token}` }, agent));
        if (reply.status === 201) {
          const conversion = { clickId: reply.json.data.clickId as string, amount: BigInt(1 + Math.floor(random() * Number(CAP_MINOR))), credited: false };
          conversions.push(conversion);
          queue.push(conversion);
        }
        await sleep(reply.status === 201 ? 20 : 100);
      }
    };
    const postbackOf = (c: Conversion) => ({ clickId: c.clickId, conversionId: `conv-${c.clickId.slice(0, 8)}`, amount: fromMinor(c.amount), status: 'completed' });
    const advertiser = async () => {
      while (!stopping) {
        const next = queue.shift();
        if (next) {
          const reply = await timed('postback', () => sendPostback(server.base, postbackOf(next), 'json', agent, 30_000));
          if (reply.status === 200) next.credited = true;
          else {
            if (reply.status !== 503 && reply.status !== 0) problems.add(`postback answered ${reply.status} ${reply.text.slice(0, 200)}`);
            queue.push(next); // the advertiser retries later
            await sleep(100);
          }
        } else {
          const credited = conversions.filter((c) => c.credited);
          if (credited.length > 0) await timed('replay', () => sendPostback(server.base, postbackOf(credited[Math.floor(random() * credited.length)]!), 'get', agent, 30_000));
          await sleep(20);
        }
      }
    };
    const reader = async () => {
      while (!stopping) {
        await timed('wallet', () => send({ url: `${server.base}/wallet`, headers: { authorization: `Bearer ${FRIEND.token}` }, timeoutMs: 30_000 }, agent));
        await sleep(50);
      }
    };
    const load = Promise.all([clickWorker(), reader(), ...Array.from({ length: 6 }, advertiser)]);

    await sleep(3_000);
    const stopBegan = Date.now();
    await own.stop();
    const down = Date.now();
    await sleep(downMs);
    const startBegan = Date.now();
    await own.start();
    const up = Date.now();
    // Run on until the server has served again for a while (or the recovery bound passes).
    const deadline = up + RECOVERY_MS;
    let recoveredAt: number | undefined;
    while (Date.now() < deadline) {
      recoveredAt = log.find((entry) => entry.started >= up && (entry.reply.status === 200 || entry.reply.status === 201))?.ended;
      if (recoveredAt !== undefined && Date.now() - recoveredAt > 3_000) break;
      await sleep(200);
    }
    stopping = true;
    await load;
    // Whatever is still owed is retried until it is credited.
    for (let attempt = 0; attempt < 20 && conversions.some((c) => !c.credited); attempt++) {
      for (const c of conversions.filter((c) => !c.credited)) {
        const reply = await timed('postback', () => sendPostback(server.base, postbackOf(c), 'form', agent, 30_000));
        if (reply.status === 200) c.credited = true;
      }
      if (conversions.some((c) => !c.credited)) await sleep(500);
    }

    // While down: prompt 503s (with the envelope), never a hang, a refused connection or another 5xx.
    const whileDown = log.filter((entry) => entry.started >= down && entry.started < startBegan);
    const downStatuses = new Map<number, number>();
    for (const entry of whileDown) downStatuses.set(entry.reply.status, (downStatuses.get(entry.reply.status) ?? 0) + 1);
    const slow = whileDown.filter((entry) => entry.ended - entry.started > BOUND_MS);
    const maxDownMs = Math.max(0, ...whileDown.map((entry) => entry.ended - entry.started));
    problems.check(whileDown.length > 0, 'no request was sent while the store was down');
    problems.check(slow.length === 0, `${slow.length} of ${whileDown.length} requests sent while the store was down took longer than ${BOUND_MS} ms (max ${maxDownMs} ms)`);
    const notUnavailable = whileDown.filter((entry) => !(entry.reply.status === 503 && entry.reply.json?.error?.code === 'UNAVAILABLE'));
    if (notUnavailable.length > 0) {
      const sample = notUnavailable[0]!;
      problems.add(`${notUnavailable.length} of ${whileDown.length} requests while down were not 503 UNAVAILABLE (statuses ${[...downStatuses].map(([s, n]) => `${s}:${n}`).join(', ')}; e.g. ${sample.kind} ${sample.reply.status} ${sample.reply.error ?? sample.reply.text.slice(0, 120)})`);
    }
    problems.check(server.alive(), `the server exited:\n${server.output().slice(-1500)}`);
    problems.check(recoveredAt !== undefined, `no request succeeded within ${RECOVERY_MS} ms after the store came back`);
    const afterRecovery = recoveredAt === undefined ? [] : log.filter((entry) => entry.started > recoveredAt! + 2_000);
    const late = afterRecovery.filter((entry) => entry.reply.status >= 500 || entry.reply.status === 0);
    problems.check(late.length === 0, `${late.length} requests failed more than 2 s after the recovery (e.g. ${late[0]?.reply.status} ${late[0]?.reply.text.slice(0, 100)})`);
    const owed = conversions.filter((c) => !c.credited).length;
    problems.check(owed === 0, `${owed} conversions never credited after the store came back`);
    const other5xx = log.filter((entry) => entry.reply.status >= 500 && entry.reply.status !== 503).length;

    let verdict = { lost: 0, doubled: 0, problems: [] as string[], friendMinor: 0n, referrerMinor: 0n };
    if (server.alive()) {
      const wallets = { friend: await walletMinor(server.base, FRIEND.token, agent), referrer: await walletMinor(server.base, REFERRER.token, agent) };
      const expectations: ClickExpectation[] = conversions.filter((c) => c.credited).map((c) => ({ clickId: c.clickId, amounts: new Map([[`conv-${c.clickId.slice(0, 8)}`, c.amount]]) }));
      verdict = await readLedger(kind, own.url, expectations);
      verdict.problems.forEach((text) => problems.add(text));
      problems.check(wallets.friend === verdict.friendMinor, `API wallet of demo-friend ${fromMinor(wallets.friend)}, ledger owes ${fromMinor(verdict.friendMinor)}`);
      problems.check(wallets.referrer === verdict.referrerMinor, `API wallet of demo-user ${fromMinor(wallets.referrer)}, ledger owes ${fromMinor(verdict.referrerMinor)}`);
    }
    const downLatencies = whileDown.map((entry) => entry.ended - entry.started);
    return {
      figures: {
        requests: log.length,
        faults: 1,
        lost: verdict.lost + owed,
        doubled: verdict.doubled,
        fiveXx: other5xx,
        downSeconds: Math.round((startBegan - stopBegan) / 1000),
        whileDown: whileDown.length,
        '503whileDown': downStatuses.get(503) ?? 0,
        maxMsWhileDown: maxDownMs,
        p50MsWhileDown: downLatencies.length ? downLatencies.sort((a, b) => a - b)[Math.floor(downLatencies.length / 2)]! : 0,
        recoverySeconds: recoveredAt === undefined ? 'never' : ((recoveredAt - up) / 1000).toFixed(1),
        conversions: conversions.length,
      },
      problems: problems.done(),
    };
  } finally {
    agent.destroy();
    await server.kill9();
    await own.close();
  }
}

async function readLedger(kind: Kind, url: string, expectations: ClickExpectation[]) {
  if (kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    try {
      return await verifyLedger(createPostgresRawReads({ client: pool }), expectations);
    } finally {
      await pool.end();
    }
  }
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  try {
    return await verifyLedger(createRedisRawReads({ client, prefix: EXAMPLE_REDIS_PREFIX }), expectations);
  } finally {
    client.disconnect();
  }
}
