/**
 * kill -9 mid-storm: the server is SIGKILLed while postbacks are in flight (once in quick mode,
 * three times in full mode), restarted on the same port and store, and the advertiser retries
 * everything until each postback has an answer. Every conversion is credited exactly once,
 * balances exact to the cent, checked against the stored ledger.
 */
import { makeAgent } from '../support/http.js';
import { CAP_MINOR, FRIEND, REFERRER, createClick, fromMinor, sendPostback, walletMinor, type Postback } from '../support/demo.js';
import { startExample, type ExampleServer, type Framework } from '../support/example-server.js';
import { verifyLedger, type ClickExpectation } from '../support/ledger.js';
import { sleep } from '../support/processes.js';
import { seededRandom, shuffle } from '../support/random.js';
import { Problems, type Case, type Mode, type Outcome } from '../support/scenario.js';
import { openStore, type StoreKind } from '../support/stores.js';
import { withRaw } from '../support/cluster.js';

const FRAMEWORK: Record<StoreKind, Framework> = { pglite: 'express', postgres: 'fastify', redis: 'express' };

export function killCases(): Case[] {
  return (['pglite', 'postgres', 'redis'] as StoreKind[]).map((kind) => ({
    name: `kill-9-mid-storm/${kind} (${FRAMEWORK[kind]})`,
    run: (mode) => killMidStorm(kind, mode),
  }));
}

interface Planned {
  postback: Postback;
  shape: 'json' | 'form' | 'get';
}

async function killMidStorm(kind: StoreKind, mode: Mode): Promise<Outcome> {
  const clicks = mode.quick ? 100 : 300;
  const kills = mode.quick ? 1 : 3;
  const random = seededRandom(4242 + kind.length);
  const problems = new Problems();
  const store = await openStore(kind);
  let server: ExampleServer | undefined;
  try {
    server = await startExample(FRAMEWORK[kind], store.env());
    const port = server.port;
    let agent = makeAgent(1024);
    const expectations: ClickExpectation[] = [];
    const planned: Planned[] = [];
    for (let i = 0; i < clicks; i++) {
      const clickId = await createClick(server.base, FRIEND.token, agent);
      const conversionId = `conv-${i}`;
      const amount = BigInt(1 + Math.floor(random() * Number(CAP_MINOR)));
      const reversed = new Set<string>();
      for (const shape of ['json', 'form', 'get'] as const) planned.push({ postback: { clickId, conversionId, amount: fromMinor(amount), status: 'completed' }, shape });
      if (i % 7 === 0) {
        reversed.add(conversionId);
        planned.push({ postback: { clickId, conversionId, amount: fromMinor(amount), status: 'reversed' }, shape: 'json' });
      }
      expectations.push({ clickId, amounts: new Map([[conversionId, amount]]), reversed });
    }
    let requests = 0;
    let interrupted = 0;
    let fiveXx = 0;
    let answeredBeforeKills = 0;
    // Storm rounds: every round sends all postbacks (the advertiser retries everything); the
    // first `kills` rounds end with a kill -9 once a share of the answers came back.
    for (let round = 0; round <= kills; round++) {
      const current = server!;
      const order = shuffle([...planned], random);
      let answered = 0;
      const killAt = Math.max(1, Math.floor(order.length * (0.15 + 0.2 * round)));
      let killing: Promise<void> | undefined;
      const replies = await Promise.all(order.map(async (p) => {
        const reply = await sendPostback(current.base, p.postback, p.shape, agent, 30_000);
        answered += 1;
        if (round < kills && answered === killAt) killing = current.kill9();
        return reply;
      }));
      await killing;
      requests += replies.length;
      fiveXx += replies.filter((r) => r.status >= 500).length;
      interrupted += replies.filter((r) => r.status === 0).length;
      if (round < kills) {
        answeredBeforeKills += replies.filter((r) => r.status === 200 || r.status === 409).length;
        agent.destroy();
        agent = makeAgent(1024);
        server = await startExample(FRAMEWORK[kind], store.env(), port);
      } else {
        // The advertiser keeps retrying what still failed (a 503 or a refused connection).
        let failing = order.filter((_, index) => replies[index]!.status !== 200);
        for (let retry = 0; retry < 5 && failing.length > 0; retry++) {
          await sleep(500);
          const again = await Promise.all(failing.map((p) => sendPostback(current.base, p.postback, p.shape, agent, 30_000)));
          requests += again.length;
          fiveXx += again.filter((r) => r.status >= 500).length;
          failing = failing.filter((_, index) => again[index]!.status !== 200);
        }
        problems.check(failing.length === 0, `${failing.length} postbacks still unanswered after the restart and 5 retries`);
      }
    }
    const wallets = { friend: await walletMinor(server!.base, FRIEND.token, agent), referrer: await walletMinor(server!.base, REFERRER.token, agent) };
    if (!store.multiProcess) await server!.stop();
    const verdict = await withRaw(store, (raw) => verifyLedger(raw, expectations));
    verdict.problems.forEach((text) => problems.add(text));
    problems.check(wallets.friend === verdict.friendMinor, `API wallet of demo-friend ${fromMinor(wallets.friend)}, ledger owes ${fromMinor(verdict.friendMinor)}`);
    problems.check(wallets.referrer === verdict.referrerMinor, `API wallet of demo-user ${fromMinor(wallets.referrer)}, ledger owes ${fromMinor(verdict.referrerMinor)}`);
    problems.check(interrupted > 0, 'no request was interrupted: the kill did not land mid-storm');
    await server!.stop();
    agent.destroy();
    return {
      figures: {
        requests,
        faults: kills,
        lost: verdict.lost,
        doubled: verdict.doubled,
        fiveXx,
        conversions: clicks,
        interrupted,
        answeredBeforeKills,
        balance: fromMinor(verdict.friendMinor),
      },
      problems: problems.done(),
    };
  } finally {
    await server?.kill9();
    await store.cleanup();
  }
}
