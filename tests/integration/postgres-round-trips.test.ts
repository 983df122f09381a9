import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from 'clickcredit/memory';
import { createPostgresStore, migrate, type SqlClient } from 'clickcredit/postgres';
import { referredTracker } from '../support/trackers.js';
import { DATABASE_URL, postgresAvailable, uniqueSchema } from '../support/services.js';

/** Counts every statement sent to the database: one call is one round trip. */
function counting(client: SqlClient): SqlClient & { count: number } {
  const wrapper = {
    count: 0,
    query(text: string, params?: unknown[]) {
      wrapper.count += 1;
      return client.query(text, params);
    },
  };
  return wrapper as SqlClient & { count: number };
}

/** Round trips of a click and of each postback kind, with the store's own ledger (inline). */
async function measureInline(client: SqlClient, schema?: string) {
  const counter = counting(client);
  const tracker = referredTracker(createPostgresStore({ client: counter, schema }));
  const trips = tripCounter(counter);
  let clickId = '';
  const click = await trips(async () => {
    clickId = (await tracker.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.example/' })).clickId;
  });
  const credit = await trips(() => tracker.handlePostback({ query: { click_id: clickId }, body: { amount: '10.00', conversionId: 'c' } }));
  const replay = await trips(() => tracker.handlePostback({ query: { click_id: clickId }, body: { amount: '10.00', conversionId: 'c' } }));
  const reversal = await trips(() => tracker.handlePostback({ query: { click_id: clickId }, body: { status: 'reversed', conversionId: 'c' } }));
  expect((await tracker.getWallet('u')).balance).toBe('0.00');
  expect((await tracker.getWallet('referrer')).balance).toBe('0.00');
  return { click, credit, replay, reversal };
}

/** The same credit with the host's own wallet: the store step, then one settle per owed operation. */
async function measureOutbox(client: SqlClient, schema?: string) {
  const counter = counting(client);
  const hostWallet = createMemoryStore().wallet;
  const tracker = referredTracker(createPostgresStore({ client: counter, schema }), { wallet: hostWallet });
  const trips = tripCounter(counter);
  const { clickId } = await tracker.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.example/' });
  const credit = await trips(() => tracker.handlePostback({ query: { click_id: clickId }, body: { amount: '10.00', conversionId: 'c' } }));
  const replay = await trips(() => tracker.handlePostback({ query: { click_id: clickId }, body: { amount: '10.00', conversionId: 'c' } }));
  expect(await hostWallet.getBalance('u')).toBe(1000n);
  expect(await hostWallet.getBalance('referrer')).toBe(100n);
  return { credit, replay };
}

function tripCounter(counter: { count: number }) {
  return async (work: () => Promise<unknown>) => {
    const before = counter.count;
    await work();
    return counter.count - before;
  };
}

// Inline: one statement per click and per postback. Outbox: the store step plus one settle per
// owed operation (credit + referral credit), which the host wallet's idempotency makes retry-safe.
const INLINE = { click: 1, credit: 1, replay: 1, reversal: 1 };
const OUTBOX = { credit: 3, replay: 1 };

describe('round trips on Postgres', () => {
  it('PGlite: one statement per click and per postback (credit with referral, replay, reversal)', async () => {
    const db = new PGlite();
    await migrate(db);
    expect(await measureInline(db)).toEqual(INLINE);
    expect(await measureOutbox(db)).toEqual(OUTBOX);
    await db.close();
  });

  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  const schema = uniqueSchema('cc_trips');
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
  });

  it('Postgres server: the same, on a pg Pool', async (context) => {
    if (!(await postgresAvailable())) return context.skip();
    await migrate(pool, { schema });
    expect(await measureInline(pool, schema)).toEqual(INLINE);
    expect(await measureOutbox(pool, schema)).toEqual(OUTBOX);
  });
});
