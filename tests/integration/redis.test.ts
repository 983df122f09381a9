import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commissionOf } from 'clickcredit';
import { createRedisStore, keyLayout, type RedisStore } from 'clickcredit/redis';
import { moneyPreludeLua } from '../../adapters/redis/scripts/prelude-money.lua.js';
import { runConformanceSuite } from 'clickcredit/testing';
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

function newStore(options: Partial<Parameters<typeof createRedisStore>[0]> = {}): RedisStore {
  const prefix = uniqueSchema('cctest');
  prefixes.push(prefix);
  return redisStoreWithRaw({ client, prefix, shards: 16, ...options });
}

function harness(layout: 'standalone' | 'cluster') {
  return async () => {
    const store = newStore({ layout });
    return { storage: store, raw: rawOf(store), cleanup: () => store.close() };
  };
}

const test = { describe, it, expect, beforeAll, afterAll };

/** Counts the commands the client sends (each one a round trip: nothing is pipelined here). */
function countCommands() {
  const names: string[] = [];
  const original = client.sendCommand.bind(client);
  client.sendCommand = ((command: Parameters<Redis['sendCommand']>[0]) => {
    names.push(command.name);
    return original(command);
  }) as Redis['sendCommand'];
  return { names, restore: () => void (client.sendCommand = original) };
}

(available ? describe : describe.skip)('redis server', () => {
  runConformanceSuite({ name: 'redis standalone', test, createHarness: harness('standalone') });
  runConformanceSuite({ name: 'redis standalone, cluster layout (outbox)', test, createHarness: harness('cluster') });

  describe('redis specifics', () => {
    it('costs one EVALSHA per postback and per click on standalone Redis (inline ledger)', async () => {
      const t = referredTracker(newStore());
      const { clickId } = await t.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.example/' });
      const warm = await t.createClick({ userId: 'w', productId: 'p', taskUrl: 'https://a.example/' });
      await t.handlePostback({ query: { click_id: warm.clickId } }); // every script is cached on the server now
      const counter = countCommands();
      let counts: Record<string, string[]>;
      try {
        await t.createClick({ userId: 'v', productId: 'p', taskUrl: 'https://a.example/' });
        const click = counter.names.splice(0);
        await t.handlePostback({ query: { click_id: clickId }, body: { amount: '10.00', conversionId: 'c' } });
        const postback = counter.names.splice(0);
        await t.handlePostback({ query: { click_id: clickId }, body: { amount: '10.00', conversionId: 'c' } });
        counts = { click, postback, replay: counter.names.splice(0) };
      } finally {
        counter.restore();
      }
      expect(counts).toEqual({ click: ['evalsha'], postback: ['evalsha'], replay: ['evalsha'] });
      expect((await t.getWallet('u')).balance).toBe('10.00');
      expect((await t.getWallet('referrer')).balance).toBe('6.00'); // 5.00 from w's 50.00, 1.00 from u's 10.00
    });

    it('reloads its scripts after SCRIPT FLUSH (EVALSHA, NOSCRIPT, then one EVAL) and keeps working', async () => {
      const t = referredTracker(newStore());
      const { clickId } = await t.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.example/' });
      await client.script('FLUSH');
      const counter = countCommands();
      try {
        const result = await t.handlePostback({ query: { click_id: clickId }, body: { amount: '7.00', conversionId: 'c' } });
        expect(result.decision).toBe('credited');
        expect(counter.names).toEqual(['evalsha', 'eval']);
        counter.names.length = 0;
        await t.handlePostback({ query: { click_id: clickId }, body: { amount: '7.00', conversionId: 'c' } });
        expect(counter.names).toEqual(['evalsha']);
      } finally {
        counter.restore();
      }
      expect((await t.getWallet('u')).balance).toBe('7.00');
      expect((await t.getWallet('referrer')).balance).toBe('0.70');
    });

    it('keeps a click key until expiry plus retention (late postbacks get 410, not 404)', async () => {
      const prefix = uniqueSchema('ccttl');
      prefixes.push(prefix);
      const store = redisStoreWithRaw({ client, prefix, shards: 16, clickRetentionSeconds: 3600 });
      const t = referredTracker(store, { clickTtlSeconds: 60 });
      const { clickId, expiresAt } = await t.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.example/' });
      const clickKey = `${keyLayout(prefix, 16).clickBase(clickId)}:click:${clickId}`;
      expect(await client.pexpiretime(clickKey)).toBe(new Date(expiresAt).getTime() + 3_600_000);
    });

    it('credits amounts past 2^53 minor units exactly, commission included (scale 8)', async () => {
      const store = newStore();
      const t = referredTracker(store, {
        products: { getProduct: (id) => ({ productId: id, earnUpTo: '999999999.99999999', active: true }) },
        money: { scale: 8 },
        referralCommission: '12.3457%',
      });
      const { clickId } = await t.createClick({ userId: 'big', productId: 'p', taskUrl: 'https://a.example/' });
      const amount = 99_999_999_999_999_999n; // 1e17 - 1 minor units: far past 2^53
      const commission = (amount * 123_457n) / 1_000_000n; // amount * ppm is ~1.2e22: no double holds it
      const result = await t.handlePostback({ query: { click_id: clickId } });
      expect(result.decision).toBe('credited');
      expect(await rawOf(store).cachedBalance('big')).toBe(amount);
      expect(await rawOf(store).cachedBalance('referrer')).toBe(commission);
      expect((await t.getWallet('big')).balance).toBe('999999999.99999999');
      expect((await rawOf(store).ledgerEntries('referrer')).map((e) => e.amountMinor)).toEqual([commission]);
      const reversed = await t.handlePostback({ query: { click_id: clickId, status: 'chargeback' } });
      expect(reversed.decision).toBe('reversed');
      expect(await rawOf(store).cachedBalance('big')).toBe(0n);
      expect(await rawOf(store).cachedBalance('referrer')).toBe(0n);
      expect((await rawOf(store).ledgerEntries('big')).map((e) => e.amountMinor)).toEqual([amount, -amount]);
    });

    it("computes the commission in Lua exactly as the core's commissionOf, for random amounts up to 30 digits", async () => {
      const cases: Array<[bigint, number]> = [[0n, 100_000], [999_999n, 1], [1_000_000n, 1_000_000], [99_999_999_999_999_999n, 999_999]];
      let seed = 42;
      const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
      for (let i = 0; i < 500; i += 1) {
        const digits = 1 + (random() % 30);
        let amount = 0n;
        for (let d = 0; d < digits; d += 1) amount = amount * 10n + BigInt(random() % 10);
        cases.push([amount, random() % 1_000_001]);
      }
      const lua = `${moneyPreludeLua}\nlocal out = {}\nfor i = 1, #ARGV, 2 do out[#out + 1] = commission_of(ARGV[i], tonumber(ARGV[i + 1])) end\nreturn out`;
      const results = (await client.eval(lua, 0, ...cases.flatMap(([amount, ppm]) => [amount.toString(), ppm]))) as string[];
      expect(results).toEqual(cases.map(([amount, ppm]) => commissionOf(amount, ppm).toString()));
    });

    it('refuses a credit that would take a balance out of int64 before writing anything', async () => {
      const store = newStore();
      const t = referredTracker(store, {
        products: { getProduct: (id) => ({ productId: id, earnUpTo: '1000000000', active: true }) },
        money: { scale: 8 }, // the largest amount is 1e9 units = 1e17 minor units
      });
      for (let i = 0; i < 91; i += 1) await t.creditWallet({ userId: 'rich', amount: '1000000000', idempotencyKey: `seed-${i}` });
      expect(await rawOf(store).cachedBalance('rich')).toBe(9_100_000_000_000_000_000n);
      const { clickId } = await t.createClick({ userId: 'rich', productId: 'p', taskUrl: 'https://a.example/' });
      await expect(t.handlePostback({ query: { click_id: clickId } })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      expect(await rawOf(store).earningsOfClick(clickId)).toEqual([]);
      expect((await store.getClick(clickId))?.status).toBe('pending');
      expect(await rawOf(store).ledgerEntries('rich')).toHaveLength(91);
      expect(await rawOf(store).cachedBalance('rich')).toBe(9_100_000_000_000_000_000n);
      expect(await rawOf(store).cachedBalance('referrer')).toBe(0n);
      await expect(t.creditWallet({ userId: 'rich', amount: '1000000000', idempotencyKey: 'one-more' })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      // A credit that fits still goes through on the same click, exactly.
      const ok = await t.handlePostback({ query: { click_id: clickId, amount: '1000000.00000001' } });
      expect(ok.decision).toBe('credited');
      expect(await rawOf(store).cachedBalance('rich')).toBe(9_100_100_000_000_000_001n);
      expect((await t.getWallet('rich')).balance).toBe('91001000000.00000001');
    });

    it('stores raw postback data exactly (lone surrogates, 16-digit numbers, escapes) and never fails on it', async () => {
      const store = newStore();
      const t = referredTracker(store);
      const { clickId } = await t.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.example/' });
      const body = { conversionId: 'c', amount: '1.00', note: 'half \ud800 pair', big: 1234567890123456, quote: 'a"\\u0000b' };
      const result = await t.handlePostback({ query: { click_id: clickId }, body });
      expect(result.decision).toBe('credited');
      const [attempt] = await store.listPostbackAttempts(clickId);
      expect(attempt?.rawData).toMatchObject({ note: 'half \ud800 pair', big: 1234567890123456, quote: 'a"\\u0000b' });
      expect((await store.getEarning(result.earningId!))?.postbackData).toMatchObject({ note: 'half \ud800 pair', big: 1234567890123456 });
    });

    it('takes a lone surrogate in an identifier as U+FFFD, as a UTF-8 key name would (no 503)', async () => {
      const store = newStore();
      const t = referredTracker(store);
      const { clickId } = await t.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.example/' });
      const result = await t.handlePostback({ query: { click_id: clickId }, body: { conversionId: 'c\udc00', transactionId: 't\ud800' } });
      expect(result.decision).toBe('credited');
      const earning = await store.getEarning(result.earningId!);
      expect([earning?.conversionId, earning?.transactionId]).toEqual(['c\ufffd', 't\ufffd']);
    });

    it('refuses options that would break the hash tags or the Lua key names', () => {
      expect(() => createRedisStore({ client, prefix: 'a{b}' })).toThrow(/braces/);
      expect(() => createRedisStore({ client, shards: 0 })).toThrow(/shards/);
      const prefixed = new Redis(REDIS_URL, { keyPrefix: 'x:', lazyConnect: true });
      expect(() => createRedisStore({ client: prefixed })).toThrow(/keyPrefix/);
      prefixed.disconnect();
    });
  });
});
