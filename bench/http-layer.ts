/**
 * `npx tsx bench/http-layer.ts [--seconds=2.5] [--rounds=4] [--frameworks=fastify,express]`: where
 * an HTTP postback's server time goes, split three ways on the memory store. Each framework serves
 * the bare JSON route, the postback endpoint over a tracker that answers at once (the HTTP layer
 * alone: routing, body capture and parsing, the envelope and its serialisation) and the postback
 * endpoint over the real tracker, in alternating rounds; the server's CPU time per request is
 * printed for each (median of rounds), with the differences: HTTP layer = stub - bare, core and
 * store = postback - stub. CPU time, unlike requests per second, does not depend on how fast the
 * load generator is, so the split stays readable on a busy machine. Run it under the bench lock.
 */
import type { ClickTracker, PostbackResult } from 'clickcredit';
import { createMemoryStore } from 'clickcredit/memory';
import { FRAMEWORKS, startLoadGenerator, type HttpResult } from './http.js';
import { benchTracker, benchUser } from './stores.js';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const SECONDS = Number(arg('seconds', '2.5'));
const ROUNDS = Number(arg('rounds', '4'));
const WANTED = arg('frameworks', 'fastify,express').split(',');
const POSTBACK_BODY = JSON.stringify({ amount: '10.00', status: 'completed', conversionId: 'c' });

/** What the memory store answers for a first credit, answered at once for any postback. */
const ANSWER: PostbackResult = {
  earningId: '5bf3cab2-42f6-49cc-9a18-4fdb0eb2bbc6', clickId: 'd2097b67-66ac-4ec4-a628-79997ccf60a9', conversionId: 'c',
  status: 'completed', approvalStatus: 'auto_approved', amount: '10.00', duplicate: false, decision: 'credited',
};

/** `tracker` with a `handlePostback` that does nothing: what is left is the HTTP layer. */
function answeringAtOnce(tracker: ClickTracker): ClickTracker {
  return Object.create(tracker, { handlePostback: { value: () => Promise.resolve({ ...ANSWER }) } }) as ClickTracker;
}

async function pendingClicks(tracker: ClickTracker, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 64) {
    const batch = await Promise.all(Array.from({ length: Math.min(64, count - i) }, (_, j) =>
      tracker.createClick({ userId: benchUser(i + j), productId: 'bench', taskUrl: 'https://advertiser.example/offer' })));
    ids.push(...batch.map((c) => c.clickId));
  }
  return ids;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const tracker = benchTracker(createMemoryStore());
const load = startLoadGenerator();
try {
  for (const framework of WANTED) {
    const start = FRAMEWORKS[framework as keyof typeof FRAMEWORKS];
    const bare = await start(null);
    const stub = await start(answeringAtOnce(tracker));
    const real = await start(tracker);
    // Any id the route accepts will do for the stub: it never reads the store.
    const stubPaths = Array.from({ length: 20_000 }, (_, i) => `/api/v1/earn/postback?click_id=d2097b67-66ac-4ec4-a628-${String(i).padStart(12, '0')}`);
    const runs: Record<'bare' | 'stub' | 'postback', HttpResult[]> = { bare: [], stub: [], postback: [] };
    let expected = 12_000;
    const drive = {
      bare: () => load.drive(bare.url, SECONDS, { method: 'POST', body: '{"hello":"world"}', paths: ['/hello'] }),
      stub: () => load.drive(stub.url, SECONDS, { method: 'POST', body: POSTBACK_BODY, paths: stubPaths }),
      postback: async () => {
        const ids = await pendingClicks(tracker, Math.ceil(expected * SECONDS * 1.5));
        const result = await load.drive(real.url, SECONDS, { method: 'POST', body: POSTBACK_BODY, paths: ids.map((id) => `/api/v1/earn/postback?click_id=${id}`) });
        expected = result.sent / SECONDS;
        return result;
      },
    };
    const kinds = ['bare', 'stub', 'postback'] as const;
    // A short warm-up of each (JIT), then rounds in alternating order.
    for (const kind of kinds) await load.drive(kind === 'bare' ? bare.url : stub.url, 1, kind === 'bare' ? { method: 'POST', body: '{"hello":"world"}', paths: ['/hello'] } : { method: 'POST', body: POSTBACK_BODY, paths: stubPaths });
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const kind of round % 2 === 0 ? kinds : [...kinds].reverse()) runs[kind].push(await drive[kind]());
    }
    await Promise.all([bare.close(), stub.close(), real.close()]);
    const cpu = (kind: keyof typeof runs) => median(runs[kind].map((r) => r.serverCpuMicrosPerRequest));
    const rate = (kind: keyof typeof runs) => median(runs[kind].map((r) => r.requestsPerSecond));
    const non2xx = kinds.reduce((n, kind) => n + runs[kind].reduce((m, r) => m + r.non2xx, 0), 0);
    console.log(`${framework}: server CPU per request (median of ${ROUNDS} rounds of ${SECONDS}s)${non2xx ? `, ${non2xx} responses not 2xx` : ''}`);
    for (const kind of kinds) console.log(`  ${kind.padEnd(9)} ${cpu(kind).toFixed(1).padStart(7)} us  ${Math.round(rate(kind)).toString().padStart(6)} req/s  [${runs[kind].map((r) => r.serverCpuMicrosPerRequest.toFixed(0)).join(' ')}]`);
    console.log(`  HTTP layer (stub - bare) ${(cpu('stub') - cpu('bare')).toFixed(1)} us; core and store (postback - stub) ${(cpu('postback') - cpu('stub')).toFixed(1)} us`);
  }
} finally {
  load.close();
}
