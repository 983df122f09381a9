/**
 * Redis admin indexes, what the conformance suite does not reach: with an audit retention the
 * indexed attempts go once they are older than it (checked on the stored keys), and a list walks
 * every shard and merges them newest first.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createClickTracker } from 'clickcredit';
import { createRedisStore } from 'clickcredit/redis';
import { TestClock } from 'clickcredit/testing';
import { deleteKeys, redisAvailable } from '../support/redis.js';
import { REDIS_URL, uniqueSchema } from '../support/services.js';

const available = await redisAvailable();
const client = new Redis(REDIS_URL, { lazyConnect: !available });
const prefixes: string[] = [];
afterAll(async () => {
  if (available) for (const prefix of prefixes) await deleteKeys(client, prefix);
  client.disconnect();
});

function trackerOn(options: { shards: number; auditRetentionSeconds?: number }) {
  const prefix = uniqueSchema('ccadmin');
  prefixes.push(prefix);
  const clock = new TestClock();
  const storage = createRedisStore({ client, prefix, ...options });
  const tracker = createClickTracker({
    storage,
    products: { getProduct: (id) => ({ productId: id, earnUpTo: '50.00', active: true }) },
    publicUrl: 'https://api.example.test/api/v1/earn',
    allowUnverifiedPostbacks: true,
    clock,
    logger: { info() {}, warn() {}, error() {} },
  });
  return { tracker, clock, prefix };
}

(available ? describe : describe.skip)('redis admin indexes', () => {
  it('drops indexed attempts older than the audit retention', async () => {
    const { tracker, clock, prefix } = trackerOn({ shards: 1, auditRetentionSeconds: 60 });
    const first = await tracker.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://advertiser.example/' });
    await tracker.handlePostback({ query: { click_id: first.clickId }, body: { amount: '1.00', conversionId: 'a' }, method: 'POST' });
    const [old] = (await tracker.admin.listPostbacks({ userId: 'u' })).items;
    expect(await client.hexists(`${prefix}:{s0}:ix:att`, old!.attemptId)).toBe(1);
    clock.advanceSeconds(120);
    const second = await tracker.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://advertiser.example/' });
    await tracker.handlePostback({ query: { click_id: second.clickId }, body: { amount: '1.00', conversionId: 'b' }, method: 'POST' });
    const left = (await tracker.admin.listPostbacks({ userId: 'u' })).items;
    expect(left.map((a) => a.clickId)).toEqual([second.clickId]);
    expect(await client.hexists(`${prefix}:{s0}:ix:att`, old!.attemptId)).toBe(0);
    expect(await client.zscore(`${prefix}:{s0}:ix:a:u:u`, old!.attemptId)).toBeNull();
    expect(await client.zscore(`${prefix}:{s0}:ix:a:d:credited`, old!.attemptId)).toBeNull();
  });

  it('merges every shard newest first across pages', async () => {
    const { tracker, clock } = trackerOn({ shards: 8 });
    const made: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      made.push((await tracker.createClick({ userId: 'm', productId: 'p', taskUrl: 'https://advertiser.example/' })).clickId);
      clock.advanceSeconds(1);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await tracker.admin.listClicks({ userId: 'm', limit: 5, cursor });
      seen.push(...page.items.map((c) => c.clickId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...made].reverse());
  });

  it('keeps the change log short with clicks alone (no conversion, no reader, no worker)', async () => {
    // Clicks far outnumber conversions: their log records must ask for a fold too, or the first
    // admin read after a day of clicks folds them all inside one storage deadline (a 503).
    const { tracker, prefix } = trackerOn({ shards: 1 });
    for (let i = 0; i < 2_400; i += 64) {
      await Promise.all(Array.from({ length: 64 }, () => tracker.createClick({ userId: 'c', productId: 'p', taskUrl: 'https://advertiser.example/' })));
    }
    let length = await client.llen(`${prefix}:{log}`);
    for (let waited = 0; length >= 1_000 && waited < 5_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      length = await client.llen(`${prefix}:{log}`);
    }
    expect(length).toBeLessThan(1_000);
    expect(await client.zcard(`${prefix}:{s0}:pending`)).toBe(2_432);
    expect((await tracker.admin.listClicks({ userId: 'c', limit: 200 })).items).toHaveLength(200);
  });
});
