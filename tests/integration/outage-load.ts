/**
 * The outage scenario the outage-*.test.ts files share: steady click + postback traffic over real
 * HTTP, the store taken away while it runs and given back, then the advertiser retries every
 * postback that did not get a 200, and the stored ledger is checked cent by cent.
 *
 * Figures: time from the store going away to the first 503, the slowest answer while it was away,
 * time from its return to the first success, and lost / doubled conversions counted from the
 * stored data (earnings per click, ledger entries per user), never from the tracker's answers.
 * The tests allow the storage deadline (3 s by default) plus up to 1 s of scheduling slack:
 * CI runs the test files in parallel on two cores, and a late timer is not a late store.
 */
import type { ClickStore, ClickTracker } from 'clickcredit';
import type { RawReads } from 'clickcredit/testing';
import { expressTarget } from '../support/http-targets.js';
import { referredTracker } from '../support/trackers.js';

/** What a scenario measured. */
export interface OutageFigures {
  requests: number;
  unavailable: number;
  /** Answers other than 2xx/404/409/503, and requests that got no HTTP answer at all. */
  otherFailures: string[];
  /** ms from the store going away to the first 503 answer. */
  firstUnavailableMs: number | null;
  /** Slowest answer of a request in flight while the store was away, ms. */
  maxOutageLatencyMs: number;
  /** Slowest 503 answer, ms (one store call's deadline at most). */
  max503LatencyMs: number;
  /** ms from the store being back (its `up()` resolved) to the first 2xx. */
  recoveryMs: number | null;
  conversions: number;
  lost: number;
  doubled: number;
  /** Postbacks the advertiser had to send again after a 503. */
  retried: number;
}

/** How a scenario takes its store away and gives it back. */
export interface Outage {
  name: string;
  down(): Promise<void>;
  up(): Promise<void>;
  /** How long the store stays away, ms. */
  downMs: number;
}

/** Who makes the clicks: a bearer token per user, each user's referrer (10%) if any. */
export interface LoadIdentity {
  productId: string;
  users: ReadonlyArray<{ userId: string; token: string; referrer: string | null }>;
}

/** The default identity: what {@link serveTracker} accepts (token = user id, all referred by `referrer`). */
export const REFERRED_USERS: LoadIdentity = {
  productId: 'offer',
  users: Array.from({ length: 5 }, (_, i) => ({ userId: `user-${i}`, token: `user-${i}`, referrer: 'referrer' })),
};

interface Conversion {
  clickId: string;
  userId: string;
  referrer: string | null;
  amountMinor: bigint;
  acknowledged: boolean;
}

const AUTH = (authorization: string | undefined) => authorization?.replace(/^Bearer /, '') || null;

/** A referred tracker (10% to `referrer`) served by the Express helper on a loopback port. */
export async function serveTracker(storage: ClickStore, overrides: Parameters<typeof referredTracker>[1] = {}) {
  const tracker: ClickTracker = referredTracker(storage, overrides);
  const server = await expressTarget.start(tracker, { trustProxy: false, authenticate: AUTH, onError: () => undefined });
  return { tracker, baseUrl: `${server.baseUrl}/api/v1/earn`, close: server.close };
}

/**
 * Runs traffic, takes the store away for `outage.downMs`, gives it back, retries what failed and
 * checks the ledger. `settle` runs after the retries (e.g. `retryPendingCredits` for outbox mode).
 */
export async function runOutage(options: {
  /** Where the tracker answers; a function when `outage.up()` moves it (a reopened store). */
  baseUrl: string | (() => string);
  raw: () => RawReads;
  outage: Outage;
  concurrency?: number;
  identity?: LoadIdentity;
  warmUpMs?: number;
  settle?: () => Promise<void>;
}): Promise<OutageFigures> {
  const { outage } = options;
  const base = typeof options.baseUrl === 'function' ? options.baseUrl : () => options.baseUrl as string;
  const concurrency = options.concurrency ?? 8;
  const identity = options.identity ?? REFERRED_USERS;
  const conversions: Conversion[] = [];
  const otherFailures: string[] = [];
  let requests = 0;
  let unavailable = 0;
  let downAt: number | null = null;
  let upAt: number | null = null;
  let firstUnavailableAt: number | null = null;
  let recoveredAt: number | null = null;
  let maxOutageLatencyMs = 0;
  let max503LatencyMs = 0;
  let stopping = false;

  const send = async (path: string, init: RequestInit): Promise<{ status: number; body: any } | null> => {
    const sentAt = Date.now();
    requests += 1;
    let status: number;
    let body: any = null;
    try {
      const response = await fetch(`${base()}${path}`, init);
      status = response.status;
      body = await response.json().catch(() => null);
    } catch (error) {
      otherFailures.push(`${path.split('?')[0]}: no answer (${(error as Error).message})`);
      return null;
    }
    const doneAt = Date.now();
    // Any request in flight while the store was away counts, those sent just before it went too.
    if (downAt !== null && doneAt >= downAt && (upAt === null || sentAt <= upAt)) maxOutageLatencyMs = Math.max(maxOutageLatencyMs, doneAt - sentAt);
    if (status === 503) {
      unavailable += 1;
      max503LatencyMs = Math.max(max503LatencyMs, doneAt - sentAt);
      if (body?.error?.code !== 'UNAVAILABLE') otherFailures.push(`503 without UNAVAILABLE: ${JSON.stringify(body)}`);
      if (downAt !== null && firstUnavailableAt === null) firstUnavailableAt = doneAt;
    } else if (status >= 200 && status < 300) {
      if (upAt !== null && recoveredAt === null && sentAt >= upAt) recoveredAt = doneAt;
    } else {
      otherFailures.push(`${path.split('?')[0]}: ${status} ${JSON.stringify(body)}`);
    }
    return { status, body };
  };

  const postback = (c: Conversion) =>
    send(`/postback?click_id=${c.clickId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount: formatMinor(c.amountMinor), status: 'completed' }),
    });

  let sequence = 0;
  const worker = async () => {
    while (!stopping) {
      const n = sequence++;
      const user = identity.users[n % identity.users.length]!;
      const click = await send(`/products/${identity.productId}/click`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ taskUrl: 'https://advertiser.example/task' }),
      });
      if (click?.status !== 201) continue;
      // Amounts in tens of minor units: the 10% commission is exact, so totals are exact.
      const conversion: Conversion = { clickId: click.body.data.clickId, userId: user.userId, referrer: user.referrer, amountMinor: BigInt(10 * (1 + (n % 17))), acknowledged: false };
      conversions.push(conversion);
      conversion.acknowledged = (await postback(conversion))?.status === 200;
    }
  };

  const workers = Array.from({ length: concurrency }, worker);
  await sleep(options.warmUpMs ?? 800);
  downAt = Date.now();
  await outage.down();
  await sleep(outage.downMs);
  await outage.up();
  upAt = Date.now();
  const recoveryDeadline = Date.now() + 20_000;
  while (recoveredAt === null && Date.now() < recoveryDeadline) await sleep(20);
  await sleep(500);
  stopping = true;
  await Promise.all(workers);

  // The advertiser retries every postback that did not get a 200 until it does.
  let retried = 0;
  for (const c of conversions.filter((c) => !c.acknowledged)) {
    for (let attempt = 0; attempt < 50 && !c.acknowledged; attempt += 1) {
      retried += attempt === 0 ? 1 : 0;
      const answer = await postback(c);
      c.acknowledged = answer?.status === 200;
      if (!c.acknowledged) await sleep(100);
    }
  }
  await options.settle?.();

  const { lost, doubled } = await checkLedger(options.raw(), conversions, identity);
  return {
    requests,
    unavailable,
    otherFailures,
    firstUnavailableMs: firstUnavailableAt === null ? null : firstUnavailableAt - downAt,
    maxOutageLatencyMs,
    max503LatencyMs,
    recoveryMs: recoveredAt === null ? null : recoveredAt - upAt,
    conversions: conversions.length,
    lost: lost + conversions.filter((c) => !c.acknowledged).length,
    doubled,
    retried,
  };
}

/**
 * Counts from the stored data: each conversion must have exactly one earning of its amount, each
 * user's ledger must hold exactly their conversions, the referrer exactly 10% of everything, and
 * every cached balance must equal the sum of its entries.
 */
async function checkLedger(raw: RawReads, conversions: Conversion[], identity: LoadIdentity): Promise<{ lost: number; doubled: number }> {
  let lost = 0;
  let doubled = 0;
  for (const c of conversions) {
    const earnings = await raw.earningsOfClick(c.clickId);
    if (earnings.length === 0) lost += 1;
    if (earnings.length > 1) doubled += earnings.length - 1;
    if (earnings.length === 1 && earnings[0]!.amountMinor !== c.amountMinor) doubled += 1;
  }
  const expected = new Map<string, { minor: bigint; entries: number }>();
  const add = (userId: string, minor: bigint) => {
    const seen = expected.get(userId) ?? { minor: 0n, entries: 0 };
    expected.set(userId, { minor: seen.minor + minor, entries: seen.entries + 1 });
  };
  for (const c of conversions) {
    add(c.userId, c.amountMinor);
    if (c.referrer !== null) add(c.referrer, c.amountMinor / 10n);
  }
  const everyone = new Set(identity.users.flatMap((u) => (u.referrer === null ? [u.userId] : [u.userId, u.referrer])));
  for (const userId of everyone) {
    const entries = await raw.ledgerEntries(userId);
    const sum = entries.reduce((total, entry) => total + entry.amountMinor, 0n);
    const cached = await raw.cachedBalance(userId);
    const want = expected.get(userId)?.minor ?? 0n;
    const count = expected.get(userId)?.entries ?? 0;
    if (cached !== sum) throw new Error(`${userId}: cached balance ${cached} differs from its entries' sum ${sum}`);
    if (sum < want || entries.length < count) lost += 1;
    if (sum > want || entries.length > count) doubled += 1;
  }
  return { lost, doubled };
}

/** One line of figures, as the reliability suite prints them. */
export function describeFigures(name: string, f: OutageFigures): string {
  return `[outage] ${name}: requests=${f.requests} 503=${f.unavailable} first503=${f.firstUnavailableMs}ms ` +
    `maxLatencyWhileDown=${f.maxOutageLatencyMs}ms max503=${f.max503LatencyMs}ms recovery=${f.recoveryMs}ms conversions=${f.conversions} ` +
    `retried=${f.retried} lost=${f.lost} doubled=${f.doubled} otherFailures=${f.otherFailures.length}`;
}

function formatMinor(minor: bigint): string {
  return `${minor / 100n}.${(minor % 100n).toString().padStart(2, '0')}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
