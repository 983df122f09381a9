/**
 * Redis specifics of issue 9's conversion model, on the shared Redis server: round trips of
 * user-keyed and risk-checked postbacks, where the new records live (the :ntx claim, the day
 * counters and their expiry), that an ordinary click stores no new field, the exact Lua decimal
 * helpers, and the cluster layout's day-counter reservations (held exactly, given back when the
 * step does not count, kept on a crash so a cap is never passed).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userKeyedClick, userKeyedClickId, type ConversionCommand, type RiskPolicy } from 'clickcredit';
import { keyLayout, type RedisStore } from 'clickcredit/redis';
import { SCRIPTS } from '../../adapters/redis/commands.js';
import { counterKey, reserveCounters } from '../../adapters/redis/risk-reservations.js';
import { moneyPreludeLua } from '../../adapters/redis/scripts/prelude-money.lua.js';
import { deleteKeys, redisAvailable } from '../support/redis.js';
import { referredTracker } from '../support/trackers.js';
import { REDIS_URL, uniqueSchema } from '../support/services.js';
import { rawOf, redisStoreWithRaw } from '../support/raw-reads.js';

const available = await redisAvailable();
const client = new Redis(REDIS_URL, { lazyConnect: !available });
const prefixes: string[] = [];
afterAll(async () => {
  if (available) for (const prefix of prefixes) await deleteKeys(client, prefix);
  client.disconnect();
});

function newStore(layout: 'standalone' | 'cluster' = 'standalone'): { store: RedisStore; prefix: string } {
  const prefix = uniqueSchema('ccuk');
  prefixes.push(prefix);
  return { store: redisStoreWithRaw({ client, prefix, shards: 16, layout }), prefix };
}

const NO_RISK: RiskPolicy = {
  offerMismatch: null, minSecondsToConvert: null, maxSecondsToConvert: null, perUserDailyCap: null, perIpDailyCap: null, ipMismatch: null,
};

/** A user-keyed callback's command, as a network route builds it. */
function keyed(input: { txn: string; userId: string; amountMinor: bigint; now?: Date; risk?: RiskPolicy | null; ledger?: 'inline' | 'outbox'; ip?: string | null }): ConversionCommand {
  const now = input.now ?? new Date();
  const clickIfAbsent = userKeyedClick({
    network: 'wall', transactionId: input.txn, userId: input.userId, offerId: null, earnUpToMinor: 10_000n, referrerId: 'ref',
    commissionPpm: 100_000, holdAboveMinor: null, ipAddress: input.ip ?? null, now,
  });
  return {
    attemptId: randomUUID(), clickId: clickIfAbsent.clickId, conversionId: input.txn, action: 'credit', postbackStatus: 'completed',
    amountMinor: input.amountMinor, rawAmount: String(input.amountMinor), transactionId: input.txn, offerId: null, now,
    newEarningId: randomUUID(), ledger: input.ledger ?? 'inline', sourceIp: null, rawData: { txn: input.txn }, clickIfAbsent,
    risk: input.risk ?? null, conversionIp: input.ip ?? null,
  };
}

/** Counts the commands the client sends (each one a round trip: nothing is pipelined here). */
async function commandsOf<T>(work: () => Promise<T>): Promise<{ names: string[]; value: T }> {
  const names: string[] = [];
  const original = client.sendCommand.bind(client);
  client.sendCommand = ((command: Parameters<Redis['sendCommand']>[0]) => {
    names.push(command.name);
    return original(command);
  }) as Redis['sendCommand'];
  try {
    return { names, value: await work() };
  } finally {
    client.sendCommand = original;
  }
}

const capPolicy = (count: number | null, amountMinor: bigint | null): RiskPolicy => ({ ...NO_RISK, perUserDailyCap: { count, amountMinor } });

(available ? describe : describe.skip)('redis: user-keyed conversions, goals and risk rules', () => {
  it('a user-keyed credit is one EVALSHA (virtual click, earning, ledger, day counter, audit row), its replay one more', async () => {
    const { store } = newStore();
    const warm = keyed({ txn: randomUUID(), userId: 'w', amountMinor: 100n, risk: capPolicy(5, null) });
    await store.applyConversion(warm); // the script is cached on the server now
    const txn = randomUUID();
    const first = await commandsOf(() => store.applyConversion(keyed({ txn, userId: 'u', amountMinor: 3000n, risk: capPolicy(5, 100_000n) })));
    expect(first.value.decision).toBe('credited');
    expect(first.names).toEqual(['evalsha']);
    const replay = await commandsOf(() => store.applyConversion(keyed({ txn, userId: 'u', amountMinor: 3000n, risk: capPolicy(5, 100_000n) })));
    expect(replay.value.decision).toBe('duplicate');
    expect(replay.names).toEqual(['evalsha']);
    expect(await rawOf(store).cachedBalance('u')).toBe(3000n);
    expect(await rawOf(store).cachedBalance('ref')).toBe(310n); // 10% of w's 1.00 and of u's 30.00
  });

  it('keeps (network, transaction id) in the :ntx hash of the pair shard, and the day counter with its expiry', async () => {
    const { store, prefix } = newStore();
    const now = new Date('2031-05-06T12:00:00Z');
    const txn = randomUUID();
    expect((await store.applyConversion(keyed({ txn, userId: 'u', amountMinor: 1234n, now, risk: capPolicy(3, null) }))).decision).toBe('credited');
    const layout = keyLayout(prefix, 16);
    const clickId = userKeyedClickId('wall', txn);
    expect(await client.hget(`${layout.clickBase(clickId)}:ntx`, `wall\u0000${txn}`)).toBe(clickId);
    // A virtual click never expires: no TTL, and it is not in the pending index.
    expect(await client.pttl(`${layout.clickBase(clickId)}:click:${clickId}`)).toBe(-1);
    expect(await client.zscore(`${layout.clickBase(clickId)}:pending`, clickId)).toBeNull();
    const counter = counterKey(layout, 'u', 'u', '2031-05-06');
    expect(counter).toBe(`${prefix}:{u:u}:risk:2031-05-06`);
    expect(await client.hgetall(counter)).toEqual({ count: '1', amount: '1234' });
    expect(await client.pexpiretime(counter)).toBe(Date.parse('2031-05-08T00:00:00Z'));
  });

  it('stores no new field for an ordinary click, and no rule on an ordinary audit row', async () => {
    const { store, prefix } = newStore();
    const t = referredTracker(store);
    const { clickId } = await t.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.example/' });
    await t.handlePostback({ query: { click_id: clickId }, body: { amount: '1.00', conversionId: 'c' } });
    const base = keyLayout(prefix, 16).clickBase(clickId);
    // A click is a hash of short fields (records.ts clickToHash): network `n`, transaction id `nt`, goals `g`.
    const stored = await client.hgetall(`${base}:click:${clickId}`);
    expect(Object.keys(stored)).toContain('u');
    expect(Object.keys(stored)).not.toContain('n');
    expect(Object.keys(stored)).not.toContain('nt');
    expect(Object.keys(stored)).not.toContain('g');
    // Audit rows reach their list through the change log: a read of them folds it first.
    expect((await store.listPostbackAttempts(clickId))[0]!.rule).toBeNull();
    const [row] = await client.lrange(`${base}:audit:${clickId}`, 0, -1);
    expect(Object.keys(JSON.parse(row!) as object)).not.toContain('rule');
    expect((await store.getClick(clickId))).toMatchObject({ network: null, networkTransactionId: null, goals: null });
    expect((await store.listPostbackAttempts(clickId))[0]!.rule).toBeNull();
  });

  it('adds and subtracts decimal amounts in Lua exactly as bigint does, up to 40 digits', async () => {
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
    const digits = (n: number) => {
      let v = 0n;
      for (let d = 0; d < n; d += 1) v = v * 10n + BigInt(random() % 10);
      return v;
    };
    const cases: Array<[bigint, bigint]> = [[0n, 0n], [999n, 1n], [1_000_000n, 999_999n], [9_007_199_254_740_993n, 9_007_199_254_740_993n]];
    for (let i = 0; i < 300; i += 1) {
      const a = digits(1 + (random() % 40));
      const b = digits(1 + (random() % 40));
      cases.push(a >= b ? [a, b] : [b, a]);
    }
    const lua = `${moneyPreludeLua}\nlocal out = {}\nfor i = 1, #ARGV, 2 do out[#out + 1] = amount_add(ARGV[i], ARGV[i + 1]); out[#out + 1] = amount_sub(ARGV[i], ARGV[i + 1]) end\nreturn out`;
    const results = (await client.eval(lua, 0, ...cases.flatMap(([a, b]) => [a.toString(), b.toString()]))) as string[];
    expect(results).toEqual(cases.flatMap(([a, b]) => [(a + b).toString(), (a - b).toString()]));
  });

  describe('cluster layout: day counters by reservation', () => {
    beforeAll(async () => {
      for (const script of Object.values(SCRIPTS)) await client.script('LOAD', script.lua);
    });

    it('reserves, converts and keeps the reservation as the count: HGETALL (the click), reserve, conversion, nothing to settle', async () => {
      const { store, prefix } = newStore('cluster');
      const now = new Date('2031-05-06T12:00:00Z');
      const warm = keyed({ txn: randomUUID(), userId: 'w', amountMinor: 1n, now, risk: capPolicy(2, null), ledger: 'outbox' });
      await store.applyConversion(warm);
      const run = await commandsOf(() => store.applyConversion(keyed({ txn: randomUUID(), userId: 'u', amountMinor: 700n, now, risk: capPolicy(2, null), ledger: 'outbox' })));
      expect(run.value.decision).toBe('credited');
      // Probe, reserve, conversion, then the earnings index entry (apply + settle), as every cluster-layout conversion.
      expect(run.names).toEqual(['hgetall', 'evalsha', 'evalsha', 'evalsha', 'evalsha']);
      const counter = await client.hgetall(counterKey(keyLayout(prefix, 16), 'u', 'u', '2031-05-06'));
      expect([counter.count, counter.amount]).toEqual(['1', '700']);
    });

    it('gives the reservation back when the step does not auto-credit (a replay, a hold), so the count stays exact', async () => {
      const { store, prefix } = newStore('cluster');
      const now = new Date('2031-05-06T12:00:00Z');
      const policy = capPolicy(2, 1_000n);
      const txn = randomUUID();
      expect((await store.applyConversion(keyed({ txn, userId: 'u', amountMinor: 400n, now, risk: policy, ledger: 'outbox' }))).decision).toBe('credited');
      const replay = await commandsOf(() => store.applyConversion(keyed({ txn, userId: 'u', amountMinor: 400n, now, risk: policy, ledger: 'outbox' })));
      expect(replay.value.decision).toBe('duplicate');
      expect(replay.names).toEqual(['hgetall', 'evalsha', 'evalsha', 'evalsha']); // probe, reserve, conversion, release
      const key = counterKey(keyLayout(prefix, 16), 'u', 'u', '2031-05-06');
      expect(await client.hgetall(key)).toMatchObject({ count: '1', amount: '400' });
      // 400 + 700 > 1000: held by the amount cap, and the counter is unchanged.
      const over = await store.applyConversion(keyed({ txn: randomUUID(), userId: 'u', amountMinor: 700n, now, risk: policy, ledger: 'outbox' }));
      expect([over.decision, over.rule]).toEqual(['held', 'user_daily_cap']);
      expect(await client.hgetall(key)).toMatchObject({ count: '1', amount: '400' });
      expect(Object.keys(await client.hgetall(key)).filter((f) => f.startsWith('r:'))).toHaveLength(1); // the credited step's
    });

    it('a reservation left by a crash before the conversion only over-counts: the next conversion is held, never paid past the cap', async () => {
      const { store, prefix } = newStore('cluster');
      const now = new Date('2031-05-06T12:00:00Z');
      const crashed = keyed({ txn: randomUUID(), userId: 'u', amountMinor: 100n, now, risk: capPolicy(1, null), ledger: 'outbox' });
      const keys = keyLayout(prefix, 16);
      const reserved = await reserveCounters(client, keys, crashed); // the process dies here
      expect(reserved?.user).toMatchObject({ reserved: true, bound: '100' });
      const next = await store.applyConversion(keyed({ txn: randomUUID(), userId: 'u', amountMinor: 100n, now, risk: capPolicy(1, null), ledger: 'outbox' }));
      expect([next.decision, next.rule]).toEqual(['held', 'user_daily_cap']);
      expect(await rawOf(store).earningsOfClick(crashed.clickId)).toEqual([]);
      // The same command sent again (same attempt id, as ioredis re-sends it) finds its own reservation and is paid once.
      const retried = await store.applyConversion(crashed);
      expect(retried.decision).toBe('credited');
      expect(await client.hgetall(counterKey(keys, 'u', 'u', '2031-05-06'))).toMatchObject({ count: '1', amount: '100' });
    });
  });
});
