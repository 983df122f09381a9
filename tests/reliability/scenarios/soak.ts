/**
 * Soak: mixed traffic for a while (clicks, postbacks, replays, reversals, and reads of wallets,
 * earnings pages, clicks and the tracking redirect) from concurrent clients; reports throughput,
 * p99 and the server's resident memory at start and end, and checks every answer and, at the
 * end, the money against the stored ledger.
 */
import { makeAgent, percentile, send, type Reply } from '../support/http.js';
import { CAP_MINOR, FRIEND, REFERRER, createClick, fromMinor, sendPostback, walletMinor } from '../support/demo.js';
import { startExample, type Framework } from '../support/example-server.js';
import { verifyLedger, type ClickExpectation } from '../support/ledger.js';
import { seededRandom } from '../support/random.js';
import { Problems, type Case, type Mode, type Outcome } from '../support/scenario.js';
import { openStore, type StoreKind } from '../support/stores.js';
import { withRaw } from '../support/cluster.js';

export function soakCases(): Case[] {
  const all: Array<[StoreKind, Framework]> = [['postgres', 'express'], ['redis', 'fastify'], ['pglite', 'fastify']];
  return all.map(([kind, framework], index) => ({
    name: `soak/${kind} (${framework})`,
    // Quick mode soaks one store for ~15 s; full mode soaks all three for 60 s each.
    fullOnly: index > 0,
    run: (mode: Mode) => soak(kind, framework, mode.quick ? 15 : 60),
  }));
}

interface SoakClick {
  clickId: string;
  amount: bigint;
  state: 'fresh' | 'sending' | 'credited' | 'reversing' | 'reversed';
}

async function soak(kind: StoreKind, framework: Framework, seconds: number): Promise<Outcome> {
  const problems = new Problems();
  const store = await openStore(kind);
  const server = await startExample(framework, store.env());
  try {
    const agent = makeAgent(64);
    const random = seededRandom(seconds * 31 + kind.length);
    const rssStart = server.rssKiB();
    const clicks: SoakClick[] = [];
    const latencies: number[] = [];
    const counts = { click: 0, postback: 0, replay: 0, reversal: 0, read: 0 };
    let requests = 0;
    let fiveXx = 0;
    const expect = (what: string, reply: Reply, ok: (reply: Reply) => boolean) => {
      requests += 1;
      latencies.push(reply.ms);
      if (reply.status >= 500) fiveXx += 1;
      if (!ok(reply)) problems.add(`${what} answered ${reply.status} ${reply.error ?? reply.text.slice(0, 200)}`);
    };
    const pick = (state: SoakClick['state']) => {
      const candidates = clicks.filter((c) => c.state === state);
      return candidates.length === 0 ? undefined : candidates[Math.floor(random() * candidates.length)];
    };
    const deadline = Date.now() + seconds * 1000;
    const worker = async () => {
      while (Date.now() < deadline && server.alive()) {
        const roll = random();
        if (roll < 0.2 || clicks.length === 0) {
          const started = performance.now();
          const clickId = await createClick(server.base, FRIEND.token, agent);
          latencies.push(performance.now() - started);
          requests += 1;
          counts.click += 1;
          clicks.push({ clickId, amount: BigInt(1 + Math.floor(random() * Number(CAP_MINOR))), state: 'fresh' });
        } else if (roll < 0.5) {
          const click = pick('fresh');
          if (!click) continue;
          click.state = 'sending';
          counts.postback += 1;
          const reply = await sendPostback(server.base, { clickId: click.clickId, conversionId: 'c', amount: fromMinor(click.amount), status: 'completed' }, random() < 0.5 ? 'json' : 'get', agent);
          expect('postback', reply, (r) => r.status === 200 && r.json?.data?.duplicate === false);
          click.state = reply.status === 200 ? 'credited' : 'fresh';
        } else if (roll < 0.7) {
          const click = pick('credited') ?? pick('reversed');
          if (!click) continue;
          counts.replay += 1;
          const reply = await sendPostback(server.base, { clickId: click.clickId, conversionId: 'c', amount: fromMinor(click.amount), status: 'completed' }, 'form', agent);
          expect('replay', reply, (r) => r.status === 200 && r.json?.data?.duplicate === true);
        } else if (roll < 0.75) {
          const click = pick('credited');
          if (!click) continue;
          click.state = 'reversing';
          counts.reversal += 1;
          const reply = await sendPostback(server.base, { clickId: click.clickId, conversionId: 'c', amount: fromMinor(click.amount), status: 'reversed' }, 'json', agent);
          expect('reversal', reply, (r) => r.status === 200);
          click.state = reply.status === 200 ? 'reversed' : 'credited';
        } else {
          counts.read += 1;
          const which = Math.floor(random() * 4);
          const click = clicks[Math.floor(random() * clicks.length)]!;
          const auth = { authorization: `Bearer ${FRIEND.token}` };
          if (which === 0) expect('wallet', await send({ url: `${server.base}/wallet`, headers: auth }, agent), (r) => r.status === 200);
          else if (which === 1) {
            const first = await send({ url: `${server.base}/earnings?limit=5`, headers: auth }, agent);
            expect('earnings', first, (r) => r.status === 200);
            const cursor = first.json?.data?.nextCursor as string | undefined;
            if (cursor) expect('earnings page 2', await send({ url: `${server.base}/earnings?limit=5&cursor=${encodeURIComponent(cursor)}`, headers: auth }, agent), (r) => r.status === 200);
          } else if (which === 2) expect('click', await send({ url: `${server.base}/clicks/${click.clickId}`, headers: auth }, agent), (r) => r.status === 200);
          else expect('track', await send({ url: `${server.base}/track/${click.clickId}?redirect=1` }, agent), (r) => r.status === 302);
        }
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: 16 }, worker));
    const elapsed = (performance.now() - started) / 1000;
    problems.check(server.alive(), `the server died during the soak:\n${server.output().slice(-1500)}`);
    const rssEnd = server.rssKiB();
    const expectations: ClickExpectation[] = clicks
      .filter((c) => c.state === 'credited' || c.state === 'reversed')
      .map((c) => ({ clickId: c.clickId, amounts: new Map([['c', c.amount]]), reversed: new Set(c.state === 'reversed' ? ['c'] : []) }));
    const wallets = { friend: await walletMinor(server.base, FRIEND.token, agent), referrer: await walletMinor(server.base, REFERRER.token, agent) };
    if (!store.multiProcess) await server.stop();
    const verdict = await withRaw(store, (raw) => verifyLedger(raw, expectations));
    verdict.problems.forEach((text) => problems.add(text));
    problems.check(wallets.friend === verdict.friendMinor, `API wallet of demo-friend ${fromMinor(wallets.friend)}, ledger owes ${fromMinor(verdict.friendMinor)}`);
    problems.check(wallets.referrer === verdict.referrerMinor, `API wallet of demo-user ${fromMinor(wallets.referrer)}, ledger owes ${fromMinor(verdict.referrerMinor)}`);
    agent.destroy();
    return {
      figures: {
        requests,
        faults: 0,
        lost: verdict.lost,
        doubled: verdict.doubled,
        fiveXx,
        seconds: Math.round(elapsed),
        'req/s': Math.round(requests / elapsed),
        p50ms: Math.round(percentile(latencies, 50)),
        p99ms: Math.round(percentile(latencies, 99)),
        rssStartMiB: Math.round(rssStart / 1024),
        rssEndMiB: Math.round(rssEnd / 1024),
        mix: `${counts.click}c/${counts.postback}p/${counts.replay}r/${counts.reversal}v/${counts.read}g`,
      },
      problems: problems.done(),
    };
  } finally {
    await server.stop();
    await store.cleanup();
  }
}
