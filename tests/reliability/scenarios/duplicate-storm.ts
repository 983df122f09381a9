/**
 * Duplicate storm: for every click, many identical postbacks plus conflicting ones (other
 * conversion ids, an older status, sometimes a reversal) all in flight at once, spread over four
 * server processes on one store (one on PGlite). Exactly one earning per click, each netting to
 * what its final state owes, balances exact to the cent against the stored ledger.
 */
import { makeAgent, percentile, type Reply } from '../support/http.js';
import { CAP_MINOR, FRIEND, REFERRER, createClick, fromMinor, sendPostback, walletMinor, type Postback } from '../support/demo.js';
import { verifyLedger, type ClickExpectation } from '../support/ledger.js';
import { Problems, type Case, type Mode, type Outcome } from '../support/scenario.js';
import { openStore, type StoreKind } from '../support/stores.js';
import { startServers, stopServers, withRaw } from '../support/cluster.js';
import { seededRandom, shuffle } from '../support/random.js';

export function stormCases(): Case[] {
  return (['pglite', 'postgres', 'redis'] as StoreKind[]).map((kind) => ({
    name: `duplicate-storm/${kind}`,
    run: (mode) => storm(kind, mode),
  }));
}

interface Planned {
  postback: Postback;
  shape: 'json' | 'form' | 'get';
  identical: boolean;
}

async function storm(kind: StoreKind, mode: Mode): Promise<Outcome> {
  const clicks = mode.quick ? 25 : 100;
  const copies = mode.quick ? 40 : 30; // identical copies of each click's conversion (>= 1,000 in all)
  // Conflicting, per click: 6 other conversion ids, the older status, and a reversal on every 5th click (8 in all).
  const random = seededRandom(kind.length * 7919 + clicks);
  const problems = new Problems();
  const store = await openStore(kind);
  try {
    const servers = await startServers(store, 4);
    const agents = servers.map(() => makeAgent(1024));
    const expectations: ClickExpectation[] = [];
    const planned: Planned[] = [];
    for (let i = 0; i < clicks; i++) {
      const clickId = await createClick(servers[i % servers.length]!.base, FRIEND.token, agents[i % servers.length]);
      const main = `conv-${i}`;
      const amount = BigInt(1 + Math.floor(random() * Number(CAP_MINOR)));
      const amounts = new Map<string, bigint>([[main, amount]]);
      const reversed = new Set<string>();
      const send = (conversionId: string, minor: bigint, status: string, shape: Planned['shape'], identical = false) =>
        planned.push({ postback: { clickId, conversionId, amount: fromMinor(minor), status }, shape, identical });
      for (let c = 0; c < copies; c++) send(main, amount, 'completed', 'json', true);
      for (let k = 0; k < 6; k++) {
        const other = BigInt(1 + Math.floor(random() * Number(CAP_MINOR)));
        amounts.set(`${main}-other-${k}`, other);
        send(`${main}-other-${k}`, other, 'completed', k % 2 === 0 ? 'get' : 'form');
      }
      send(main, amount, 'pending', 'form');
      if (i % 5 === 0) {
        reversed.add(main);
        send(main, amount, 'reversed', 'get');
      } else {
        send(main, amount, 'completed', 'get'); // the same conversion in another shape
      }
      expectations.push({ clickId, amounts, reversed });
    }
    shuffle(planned, random);
    const started = performance.now();
    const replies: Reply[] = await Promise.all(planned.map((p, index) =>
      sendPostback(servers[index % servers.length]!.base, p.postback, p.shape, agents[index % servers.length], 60_000)));
    const seconds = (performance.now() - started) / 1000;
    let fiveXx = 0;
    const statuses = new Map<number, number>();
    const tally = (reply: Reply) => {
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      if (reply.status >= 500) fiveXx += 1;
    };
    replies.forEach(tally);
    // A 503 is the contract's "retry later" (the store step hit its deadline under this load), and
    // a reset connection is no answer (one process on PGlite cannot accept 1,000 connections at
    // once: the kernel's accept queue overflows). The advertiser sends those again, until every
    // postback has its final answer.
    const resets = replies.filter((reply) => reply.status === 0).length;
    let retried = 0;
    for (let round = 0; round < 10; round++) {
      const again = planned.map((_, index) => index).filter((index) => replies[index]!.status === 503 || replies[index]!.status === 0);
      if (again.length === 0) break;
      retried += again.length;
      await new Promise((resolve) => setTimeout(resolve, 500));
      const answers = await Promise.all(again.map((index) => sendPostback(servers[index % servers.length]!.base, planned[index]!.postback, planned[index]!.shape, agents[index % servers.length], 60_000)));
      answers.forEach((reply, k) => {
        tally(reply);
        replies[again[k]!] = reply;
      });
    }
    replies.forEach((reply, index) => {
      if (reply.status !== 200 && reply.status !== 409) {
        problems.add(`${planned[index]!.shape} ${planned[index]!.postback.status} answered ${reply.status} ${reply.error ?? reply.text.slice(0, 200)} after ${Math.round(reply.ms)} ms`);
      }
    });
    const identicalFresh = replies.filter((reply, index) => planned[index]!.identical && reply.status === 200 && reply.json?.data?.duplicate === false).length;
    const wallets = { friend: await walletMinor(servers[0]!.base, FRIEND.token), referrer: await walletMinor(servers[0]!.base, REFERRER.token) };
    const alive = servers.filter((server) => server.alive()).length;
    problems.check(alive === servers.length, `${servers.length - alive} server(s) died during the storm`);
    if (!store.multiProcess) await stopServers(servers);
    const verdict = await withRaw(store, (raw) => verifyLedger(raw, expectations));
    verdict.problems.forEach((text) => problems.add(text));
    problems.check(wallets.friend === verdict.friendMinor, `API wallet of demo-friend ${fromMinor(wallets.friend)}, ledger owes ${fromMinor(verdict.friendMinor)}`);
    problems.check(wallets.referrer === verdict.referrerMinor, `API wallet of demo-user ${fromMinor(wallets.referrer)}, ledger owes ${fromMinor(verdict.referrerMinor)}`);
    problems.check(identicalFresh <= clicks, `${identicalFresh} identical copies answered as fresh credits (at most one per click)`);
    await stopServers(servers);
    const latencies = replies.map((reply) => reply.ms);
    return {
      figures: {
        requests: planned.length,
        faults: 0,
        lost: verdict.lost,
        doubled: verdict.doubled,
        fiveXx,
        '503': statuses.get(503) ?? 0,
        resets,
        retried,
        processes: servers.length,
        identical: planned.filter((p) => p.identical).length,
        conflicting: planned.filter((p) => !p.identical).length,
        '200': statuses.get(200) ?? 0,
        '409': statuses.get(409) ?? 0,
        'req/s': Math.round(planned.length / seconds),
        p99ms: Math.round(percentile(latencies, 99)),
        balance: fromMinor(verdict.friendMinor),
      },
      problems: problems.done(),
    };
  } finally {
    await store.cleanup();
  }
}
