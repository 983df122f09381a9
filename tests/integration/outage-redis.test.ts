/**
 * Redis going away, on a server of the test's own (AOF, `appendfsync always`, so a restart keeps
 * what was acknowledged): stopped under load, frozen (a hung server or a partition: commands sent
 * and never answered), connections killed while scripts are in flight. With a DEFAULT ioredis
 * client, requests used to wait in its offline queue while it reconnected (10 s and more); the
 * tracker's storage deadline now answers 503 within `storageTimeoutMs` (default 3 s).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawOf, redisStoreWithRaw } from '../support/raw-reads.js';
import { startOwnRedis, type OwnRedis } from '../support/own-services.js';
import { describeFigures, runOutage, serveTracker, sleep } from './outage-load.js';

let server: OwnRedis;
beforeAll(async () => {
  server = await startOwnRedis({ appendOnly: true });
});
afterAll(async () => server?.close());

const clicked = async (baseUrl: string, userId: string): Promise<string> => {
  const response = await fetch(`${baseUrl}/products/offer/click`, {
    method: 'POST',
    headers: { authorization: `Bearer ${userId}`, 'content-type': 'application/json' },
    body: JSON.stringify({ taskUrl: 'https://advertiser.example/task' }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { data: { clickId: string } }).data.clickId;
};

const postback = (baseUrl: string, clickId: string, amount: string) =>
  fetch(`${baseUrl}/postback?click_id=${clickId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ amount }) });

describe('Redis going away (own server)', () => {
  it('stopped for 5 s under load with a default ioredis client: 503 within the default 3 s bound, recovery, nothing lost or doubled', async () => {
    const client = new Redis(server.url); // ioredis defaults: offline queue on, 20 retries per request
    const storage = redisStoreWithRaw({ client, prefix: 'stop' });
    const { baseUrl, close } = await serveTracker(storage);
    try {
      const figures = await runOutage({
        baseUrl,
        raw: () => rawOf(storage),
        outage: { name: 'redis stop', downMs: 5000, down: () => server.stop(), up: () => server.start() },
      });
      console.info(describeFigures('redis stop/start (default ioredis client)', figures));
      expect(figures.otherFailures).toEqual([]);
      expect(figures.unavailable).toBeGreaterThan(0);
      expect(figures.firstUnavailableMs!).toBeLessThan(4000);
      expect(figures.maxOutageLatencyMs).toBeLessThan(4000);
      expect(figures.recoveryMs).not.toBeNull();
      expect(figures.recoveryMs!).toBeLessThan(4000);
      expect(figures.lost).toBe(0);
      expect(figures.doubled).toBe(0);
    } finally {
      await close();
      client.disconnect();
    }
  });

  it('a script sent to a frozen server: 503 at the deadline, the script runs when the server thaws, the retry is a duplicate, nothing doubled', async () => {
    const client = new Redis(server.url);
    const storage = redisStoreWithRaw({ client, prefix: 'frozen' });
    const { baseUrl, close } = await serveTracker(storage, { storageTimeoutMs: 1000 });
    try {
      const clickId = await clicked(baseUrl, 'frozen-user');
      server.pause();
      const thaw = sleep(3000).then(() => server.resume());
      const started = Date.now();
      const first = await postback(baseUrl, clickId, '2.50');
      const elapsed = Date.now() - started;
      expect(first.status).toBe(503);
      expect(((await first.json()) as { error: { code: string } }).error.code).toBe('UNAVAILABLE');
      expect(elapsed).toBeGreaterThanOrEqual(900);
      expect(elapsed).toBeLessThan(2000);
      await thaw;
      // The script was on the wire: it ran once the server woke, after the 503 had been sent.
      await sleep(200);
      expect(await rawOf(storage).cachedBalance('frozen-user')).toBe(250n);
      const retry = await postback(baseUrl, clickId, '2.50');
      expect(retry.status).toBe(200);
      expect(((await retry.json()) as { data: { duplicate: boolean } }).data.duplicate).toBe(true);
      expect(await rawOf(storage).earningsOfClick(clickId)).toHaveLength(1);
      expect(await rawOf(storage).ledgerEntries('frozen-user')).toHaveLength(1);
      expect(await rawOf(storage).cachedBalance('frozen-user')).toBe(250n);
      expect(await rawOf(storage).cachedBalance('referrer')).toBe(25n);
    } finally {
      server.resume();
      await close();
      client.disconnect();
    }
  });

  it('every connection killed ten times while scripts are in flight: no 5xx but 503, nothing lost or doubled', async () => {
    const client = new Redis(server.url);
    const admin = new Redis(server.url);
    const storage = redisStoreWithRaw({ client, prefix: 'killed' });
    const { baseUrl, close } = await serveTracker(storage);
    let kills = 0;
    try {
      const figures = await runOutage({
        baseUrl,
        raw: () => rawOf(storage),
        concurrency: 16,
        outage: {
          name: 'redis client kill',
          downMs: 3000,
          // ioredis resends a command whose reply was lost on reconnection: a script may run twice.
          down: async () => {
            for (let i = 0; i < 10; i += 1) {
              kills += Number(await admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes'));
              await sleep(150);
            }
          },
          up: async () => undefined,
        },
      });
      console.info(describeFigures(`redis connections killed (${kills} kills)`, figures));
      // A kill that lands while the client is reconnecting finds no connection to kill.
      expect(kills).toBeGreaterThanOrEqual(5);
      expect(figures.otherFailures).toEqual([]);
      expect(figures.maxOutageLatencyMs).toBeLessThan(4000);
      expect(figures.lost).toBe(0);
      expect(figures.doubled).toBe(0);
    } finally {
      await close();
      client.disconnect();
      admin.disconnect();
    }
  });
});
