import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore, keyLayout, type RedisClientLike, type RedisStore } from 'clickcredit/redis';
import { runConformanceSuite } from 'clickcredit/testing';
import { userKeyedClick } from 'clickcredit';
import { SCRIPTS } from '../../adapters/redis/commands.js';
import { counterKey } from '../../adapters/redis/risk-reservations.js';
import { startLocalCluster, type LocalCluster } from '../support/redis-cluster.js';
import { referredTracker } from '../support/trackers.js';
import { uniqueSchema, unavailable } from '../support/services.js';
import { rawOf, redisStoreWithRaw } from '../support/raw-reads.js';

function redisServerInstalled(): boolean {
  try {
    execFileSync('redis-server', ['--version']);
    execFileSync('redis-cli', ['--version']);
    return true;
  } catch (error) {
    return unavailable('redis-cluster', 'redis-server and redis-cli binaries', error);
  }
}

let cluster: LocalCluster | undefined;
let client: Cluster | undefined;
const installed = redisServerInstalled();

function newStore(shards = 32): RedisStore {
  return redisStoreWithRaw({ client: client!, prefix: uniqueSchema('cccl'), shards });
}

/** A client that counts the commands the store sends (each one a round trip). */
function counting(target: Cluster): { client: RedisClientLike; names: string[] } {
  const names: string[] = [];
  const proxy = new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        names.push(String(property));
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
  return { client: proxy as unknown as RedisClientLike, names };
}

(installed ? describe : describe.skip)('redis cluster (3 masters on loopback)', () => {
  beforeAll(async () => {
    cluster = await startLocalCluster();
    client = new Cluster(cluster.nodes, { redisOptions: { maxRetriesPerRequest: 3 } });
    await client.ping();
  }, 120_000);
  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  }, 60_000);

  runConformanceSuite({
    name: 'redis cluster',
    test: { describe, it, expect, beforeAll, afterAll },
    createHarness: async () => {
      const store = newStore();
      return { storage: store, raw: rawOf(store), cleanup: () => store.close() };
    },
  });

  describe('redis cluster specifics', () => {
    it('uses the outbox layout and refuses the standalone one on a Cluster client', () => {
      const store = newStore();
      expect([store.layout, store.supportsInlineLedger, store.name]).toEqual(['cluster', false, 'redis-cluster']);
      expect(() => createRedisStore({ client: client!, layout: 'standalone' })).toThrow(/cluster/);
    });

    it('spreads the 256 default shards over all three masters', async () => {
      const layout = keyLayout('cc', 256);
      const ranges = (await client!.cluster('SLOTS')) as unknown as Array<[number, number, [string, number]]>;
      expect(ranges).toHaveLength(3);
      const perNode = new Map<number, number>();
      for (let shard = 0; shard < 256; shard += 1) {
        const slot = Number(await client!.cluster('KEYSLOT', `${layout.shardBase(shard)}:owed`));
        const owner = ranges.find(([from, to]) => slot >= from && slot <= to)![2][1];
        perNode.set(owner, (perNode.get(owner) ?? 0) + 1);
      }
      expect(perNode.size).toBe(3);
      for (const count of perNode.values()) expect(count).toBeGreaterThan(256 / 3 - 30);
    });

    it('finishes a conversion whose wallet step never ran (crash) exactly once, even with concurrent retries', async () => {
      const store = newStore();
      const t = referredTracker(store);
      const { clickId } = await t.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.example/' });
      // The store step alone, as if the process died right after it: money owed, nothing applied.
      const outcome = await store.applyConversion({
        attemptId: randomUUID(), clickId, conversionId: 'c', action: 'credit', postbackStatus: 'completed', amountMinor: 500n,
        rawAmount: '5.00', transactionId: null, offerId: null, now: new Date(), newEarningId: randomUUID(), ledger: 'outbox',
        sourceIp: null, rawData: {},
      });
      expect(outcome.decision).toBe('credited');
      expect(outcome.owed.map((op) => op.kind).sort()).toEqual(['credit', 'referral_credit']);
      expect(await rawOf(store).cachedBalance('u')).toBe(0n);
      await Promise.all([t.retryPendingCredits(), t.retryPendingCredits(), t.retryPendingCredits()]);
      expect(await rawOf(store).cachedBalance('u')).toBe(500n);
      expect(await rawOf(store).cachedBalance('referrer')).toBe(50n);
      expect(await rawOf(store).ledgerEntries('u')).toHaveLength(1);
      const outbox = await rawOf(store).outboxOfEarning(outcome.earning!.earningId);
      expect(outbox.every((op) => op.settledAt !== null)).toBe(true);
      const replay = await t.handlePostback({ query: { click_id: clickId }, body: { amount: '5.00', conversionId: 'c' } });
      expect(replay.duplicate).toBe(true);
      expect((await t.getWallet('u')).balance).toBe('5.00');
      expect((await t.listEarnings('u')).items.map((e) => e.earningId)).toEqual([outcome.earning!.earningId]);
    });

    it('reloads its scripts after SCRIPT FLUSH on every master and keeps working', async () => {
      const t = referredTracker(newStore());
      const { clickId } = await t.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.example/' });
      await Promise.all(client!.nodes('master').map((node) => node.script('FLUSH')));
      const result = await t.handlePostback({ query: { click_id: clickId }, body: { amount: '7.00', conversionId: 'c' } });
      expect(result.decision).toBe('credited');
      expect((await t.getWallet('u')).balance).toBe('7.00');
      expect((await t.getWallet('referrer')).balance).toBe('0.70');
    });

    it('costs 1 script for the conversion, 2 for the earnings index and 2 per owed operation', async () => {
      const counter = counting(client!);
      const t = referredTracker(createRedisStore({ client: counter.client, prefix: uniqueSchema('cccl'), shards: 32 }));
      // Every script cached on every master first (a fresh master answers NOSCRIPT once, then EVAL).
      await Promise.all(client!.nodes('master').flatMap((node) => Object.values(SCRIPTS).map((script) => node.script('LOAD', script.lua))));
      const { clickId } = await t.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.example/' });
      counter.names.length = 0;
      await t.handlePostback({ query: { click_id: clickId }, body: { amount: '10.00', conversionId: 'c' } });
      // conversion, index + settle, then credit and referral credit: apply + settle each.
      expect(counter.names).toEqual(Array(7).fill('evalsha'));
      counter.names.length = 0;
      await t.handlePostback({ query: { click_id: clickId }, body: { amount: '10.00', conversionId: 'c' } });
      expect(counter.names).toEqual(['evalsha']);
      expect((await t.getWallet('u')).balance).toBe('10.00');
    });

    it('a user-keyed credit under a daily cap: click probe, reservation in the user slot, one conversion script; past the cap nothing is reserved', async () => {
      const counter = counting(client!);
      const prefix = uniqueSchema('cccl');
      const store = createRedisStore({ client: counter.client, prefix, shards: 32 });
      await Promise.all(client!.nodes('master').flatMap((node) => Object.values(SCRIPTS).map((script) => node.script('LOAD', script.lua))));
      const now = new Date();
      const txn = randomUUID();
      counter.names.length = 0; // the store's own set-up (connection listeners) is not a round trip
      const risk = { offerMismatch: null, minSecondsToConvert: null, maxSecondsToConvert: null, perUserDailyCap: { count: 1, amountMinor: null }, perIpDailyCap: null, ipMismatch: null };
      const command = (attemptId: string, transactionId: string) => {
        const clickIfAbsent = userKeyedClick({
          network: 'wall', transactionId, userId: 'uk', offerId: null, earnUpToMinor: 5000n, referrerId: null, commissionPpm: 0,
          holdAboveMinor: null, ipAddress: null, now,
        });
        return {
          attemptId, clickId: clickIfAbsent.clickId, conversionId: transactionId, action: 'credit' as const, postbackStatus: 'completed',
          amountMinor: 300n, rawAmount: '3.00', transactionId, offerId: null, now, newEarningId: randomUUID(), ledger: 'outbox' as const,
          sourceIp: null, rawData: {}, clickIfAbsent, risk,
        };
      };
      const first = await store.applyConversion(command(randomUUID(), txn));
      expect(first.decision).toBe('credited');
      // hgetall (probe), reserve, conversion, earnings index (apply + settle); the owed credit is the caller's.
      expect(counter.names).toEqual(['hgetall', 'evalsha', 'evalsha', 'evalsha', 'evalsha']);
      counter.names.length = 0;
      expect((await store.applyConversion(command(randomUUID(), txn))).decision).toBe('duplicate');
      // Probe, reserve (refused: the cap of 1 is reached, nothing reserved, nothing to give back), conversion.
      expect(counter.names).toEqual(['hgetall', 'evalsha', 'evalsha']);
      const second = await store.applyConversion(command(randomUUID(), randomUUID()));
      expect([second.decision, second.rule]).toEqual(['held', 'user_daily_cap']);
      expect(await client!.hget(counterKey(keyLayout(prefix, 32), 'u', 'uk', now.toISOString().slice(0, 10)), 'count')).toBe('1');
    });
  });
});
