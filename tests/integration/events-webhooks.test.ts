/**
 * Webhooks for real: the deliverEvents worker sends signed events to a receiver on loopback that
 * verifies them with the official `standardwebhooks` package and fails on purpose for a while:
 * exponential backoff then success; dead-letter after N tries, then an admin retry; order per
 * user while a user's earlier event waits for its backoff. On memory, PGlite, Postgres and Redis.
 */
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickTracker, type ClickStore, type ClickTracker, type Logger } from 'clickcredit';
import { createMemoryStore } from 'clickcredit/memory';
import { createPostgresStore, migrate } from 'clickcredit/postgres';
import { createRedisStore } from 'clickcredit/redis';
import { Redis } from 'ioredis';
import { deleteKeys, redisAvailable } from '../support/redis.js';
import { DATABASE_URL, REDIS_URL, postgresAvailable, uniqueSchema } from '../support/services.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const silent: Logger = { info() {}, warn() {}, error() {} };

interface Opened { storage: ClickStore; close: () => Promise<void> }
const STORES: Array<{ name: string; open: () => Promise<Opened | null> }> = [
  { name: 'memory', open: async () => ({ storage: createMemoryStore(), close: async () => {} }) },
  {
    name: 'PGlite',
    open: async () => {
      const db = new PGlite();
      await migrate(db);
      return { storage: createPostgresStore({ client: db }), close: () => db.close() };
    },
  },
  {
    name: 'Postgres server',
    open: async () => {
      if (!(await postgresAvailable())) return null;
      const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
      const schema = uniqueSchema('cc_webhooks');
      await migrate(pool, { schema });
      return {
        storage: createPostgresStore({ client: pool, schema }),
        close: async () => {
          await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
          await pool.end();
        },
      };
    },
  },
  {
    name: 'Redis (standalone layout)',
    open: async () => {
      if (!(await redisAvailable())) return null;
      const client = new Redis(REDIS_URL);
      const prefix = uniqueSchema('ccwh');
      return {
        storage: createRedisStore({ client, prefix, shards: 8 }),
        close: async () => {
          await deleteKeys(client, prefix);
          client.disconnect();
        },
      };
    },
  },
];

for (const target of STORES) {
  describe(`webhooks on ${target.name}`, () => {
    let opened: Opened | null = null;
    let receiver: Receiver;
    beforeAll(async () => {
      opened = await target.open();
      receiver = await startReceiver(SECRET);
    }, 60_000);
    afterAll(async () => {
      await receiver?.close();
      await opened?.close();
    });

    const tracker = (webhook: Partial<Parameters<typeof createClickTracker>[0]['webhook']> = {}): ClickTracker =>
      createClickTracker({
        storage: opened!.storage,
        products: { getProduct: (id) => ({ productId: id, earnUpTo: '50.00', active: true }) },
        publicUrl: 'http://127.0.0.1/api/v1/earn',
        allowUnverifiedPostbacks: true,
        logger: silent,
        webhook: { url: receiver.url, secret: SECRET, maxAttempts: 4, backoff: { initialMs: 60, maxMs: 1000 }, ...webhook },
      });
    const credit = async (t: ClickTracker, userId: string, conversionId: string, amount = '1.00') => {
      const { clickId } = await t.createClick({ userId, productId: 'p', taskUrl: 'https://advertiser.example/o' });
      return t.handlePostback({ query: { click_id: clickId }, body: { amount, conversionId }, sourceIp: '203.0.113.9', method: 'POST' });
    };

    it('retries a failing receiver with exponential backoff, then delivers once, signed', async (ctx) => {
      if (!opened) return ctx.skip();
      const t = tracker();
      const user = `u-${randomBytes(4).toString('hex')}`;
      const paid = await credit(t, user, 'c1', '7.25');
      const [event] = await opened.storage.events!.eventsOfUser(user);
      receiver.script(({ id, tries }) => (id === event!.id && tries <= 2 ? 500 : 200));
      const workers = t.startWorkers({ deliverEvents: { intervalMs: 15 }, jitter: 0 });
      try {
        await receiver.until(() => receiver.delivered().includes(event!.id));
      } finally {
        await workers.stop();
      }
      const tries = receiver.arrivals.filter((a) => a.id === event!.id);
      expect(tries.map((a) => a.answered)).toEqual([500, 500, 200]);
      expect(tries.every((a) => a.verified)).toBe(true);
      // Backoff 60 ms after the first failure, 120 ms after the second.
      expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(55);
      expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(115);
      expect(tries[2]!.body).toMatchObject({ id: event!.id, type: 'conversion.credited', data: { userId: user, earningId: paid.earningId, amount: '7.25', walletDelta: '7.25', currency: 'USD' } });
      expect(await opened.storage.events!.getDelivery(event!.id)).toMatchObject({ state: 'delivered', attempts: 3, lastError: null });
    });

    it('dead-letters after maxAttempts, and an admin retry delivers it', async (ctx) => {
      if (!opened) return ctx.skip();
      const t = tracker({ maxAttempts: 3, backoff: { initialMs: 20, maxMs: 40 } });
      const user = `u-${randomBytes(4).toString('hex')}`;
      await credit(t, user, 'c2');
      const [event] = await opened.storage.events!.eventsOfUser(user);
      receiver.script(({ id }) => (id === event!.id ? 503 : 200));
      const workers = t.startWorkers({ deliverEvents: { intervalMs: 10 }, jitter: 0 });
      try {
        await receiver.until(() => receiver.arrivals.filter((a) => a.id === event!.id).length >= 3);
        await new Promise((resolve) => setTimeout(resolve, 150));
        expect(receiver.arrivals.filter((a) => a.id === event!.id)).toHaveLength(3);
        expect(await opened.storage.events!.getDelivery(event!.id)).toMatchObject({ state: 'dead', attempts: 3, lastError: 'HTTP 503' });
        const dead = await t.admin.listWebhookDeliveries({ state: 'dead' });
        expect(dead.items.map((d) => d.id)).toContain(event!.id);
        receiver.script(() => 200);
        const retried = await t.admin.retryWebhookDelivery(event!.id);
        expect(retried).toMatchObject({ state: 'pending', attempts: 0 });
        await receiver.until(() => receiver.delivered().includes(event!.id));
      } finally {
        await workers.stop();
      }
      expect(await opened.storage.events!.getDelivery(event!.id)).toMatchObject({ state: 'delivered', attempts: 1 });
      await expect(t.admin.retryWebhookDelivery(event!.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it("delivers a user's events in order while the first waits for its backoff; other users are not held back", async (ctx) => {
      if (!opened) return ctx.skip();
      const t = tracker({ backoff: { initialMs: 150, maxMs: 150 } });
      const user = `u-${randomBytes(4).toString('hex')}`;
      const other = `o-${randomBytes(4).toString('hex')}`;
      await credit(t, user, 'a');
      await credit(t, user, 'b');
      await credit(t, other, 'x');
      await credit(t, user, 'c');
      const mine = (await opened.storage.events!.eventsOfUser(user)).map((e) => e.id);
      const [theirs] = (await opened.storage.events!.eventsOfUser(other)).map((e) => e.id);
      expect(mine).toHaveLength(3);
      receiver.script(({ id, tries }) => (id === mine[0] && tries === 1 ? 500 : 200));
      const workers = t.startWorkers({ deliverEvents: { intervalMs: 10 }, jitter: 0 });
      try {
        await receiver.until(() => mine.every((id) => receiver.delivered().includes(id)));
      } finally {
        await workers.stop();
      }
      const order = receiver.delivered().filter((id) => mine.includes(id));
      expect(order).toEqual(mine);
      // The other user's event went out while the first user's head waited for its backoff.
      expect(receiver.delivered().indexOf(theirs!)).toBeLessThan(receiver.delivered().indexOf(mine[0]!));
    });
  });
}
