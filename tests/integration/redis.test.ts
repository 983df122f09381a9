import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickTracker } from 'clickcredit';
import { createRedisStore } from 'clickcredit/redis';
import { runConformanceSuite } from 'clickcredit/testing';
import { deleteKeys, redisAvailable } from '../support/redis.js';
import { referredTracker } from '../support/trackers.js';
import { REDIS_URL, uniqueSchema } from '../support/services.js';

const available = await redisAvailable();
const client = new Redis(REDIS_URL);
const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) await deleteKeys(client, prefix);
  client.disconnect();
});

function harness(crossSlot: boolean) {
  return async () => {
    const prefix = uniqueSchema('cctest');
    prefixes.push(prefix);
    const store = createRedisStore({ client, prefix, shards: 16, crossSlot });
    return { storage: store, raw: store.raw, cleanup: () => store.close() };
  };
}

(available ? describe : describe.skip)('redis server', () => {
  runConformanceSuite({ name: 'redis standalone', test: { describe, it, expect, beforeAll, afterAll }, createHarness: harness(false) });
  runConformanceSuite({ name: 'redis standalone, cluster key layout (outbox)', test: { describe, it, expect, beforeAll, afterAll }, createHarness: harness(true) });

  describe('redis specifics', () => {
    const counted = () => {
      let commands = 0;
      const original = client.sendCommand.bind(client);
      client.sendCommand = ((command: Parameters<Redis['sendCommand']>[0]) => {
        commands += 1;
        return original(command);
      }) as Redis['sendCommand'];
      return { count: () => commands, restore: () => void (client.sendCommand = original) };
    };
    const tracker = async () => {
      const prefix = uniqueSchema('cctrips');
      prefixes.push(prefix);
      return referredTracker(createRedisStore({ client, prefix }));
    };

    it('costs one round trip per postback (EVALSHA) and per click on standalone Redis', async () => {
      const t = await tracker();
      const { clickId } = await t.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.example/' }); // loads scripts
      await t.handlePostback({ query: { click_id: (await t.createClick({ userId: 'w', productId: 'p', taskUrl: 'https://a.example/' })).clickId } });
      const counter = counted();
      try {
        await t.createClick({ userId: 'v', productId: 'p', taskUrl: 'https://a.example/' });
        const afterClick = counter.count();
        await t.handlePostback({ query: { click_id: clickId }, body: { amount: '10.00', conversionId: 'c' } });
        const afterPostback = counter.count();
        await t.handlePostback({ query: { click_id: clickId }, body: { amount: '10.00', conversionId: 'c' } });
        expect({ click: afterClick, postback: afterPostback - afterClick, replay: counter.count() - afterPostback }).toEqual({ click: 1, postback: 1, replay: 1 });
      } finally {
        counter.restore();
      }
      expect((await t.getWallet('u')).balance).toBe('10.00');
      expect((await t.getWallet('referrer')).balance).toBe('6.00'); // 5.00 from w's 50.00, 1.00 from u's 10.00
    });

    it('reloads its scripts after SCRIPT FLUSH and keeps working', async () => {
      const t = await tracker();
      const { clickId } = await t.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.example/' });
      await client.script('FLUSH');
      const result = await t.handlePostback({ query: { click_id: clickId }, body: { amount: '7.00', conversionId: 'c' } });
      expect(result.decision).toBe('credited');
      expect((await t.getWallet('u')).balance).toBe('7.00');
    });

    it('keeps a click key until expiry plus retention (late postbacks get 410, not 404)', async () => {
      const prefix = uniqueSchema('ccttl');
      prefixes.push(prefix);
      const store = createRedisStore({ client, prefix, shards: 4, clickRetentionSeconds: 3600 });
      const t = createClickTracker({
        storage: store, products: { getProduct: (id) => ({ productId: id, earnUpTo: '1.00', active: true }) },
        publicUrl: 'https://x.test', allowUnverifiedPostbacks: true, clickTtlSeconds: 60, logger: { info() {}, warn() {}, error() {} },
      });
      const { clickId, expiresAt } = await t.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.example/' });
      const keysOfClick = await client.keys(`${prefix}:*:click:${clickId}`);
      const ttl = await client.pexpiretime(keysOfClick[0]!);
      expect(ttl).toBe(new Date(expiresAt).getTime() + 3_600_000);
    });
  });
});
