import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { userKeyedClick, userKeyedClickId, type ConversionCommand, type PostbackAction, type RiskPolicy } from 'clickcredit';
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

/**
 * Round trips of user-keyed callbacks (virtual click inserted in the step), as a network route
 * sends them to the store: credit, replay, reversal; reversal first then its credit; and a credit
 * under a per-user and per-IP daily cap (counters read and updated in the same statement).
 */
async function measureUserKeyed(client: SqlClient, schema?: string) {
  const counter = counting(client);
  const store = createPostgresStore({ client: counter, schema });
  const trips = tripCounter(counter);
  const caps: RiskPolicy = {
    offerMismatch: 'hold', minSecondsToConvert: null, maxSecondsToConvert: null, ipMismatch: 'hold',
    perUserDailyCap: { count: 10, amountMinor: 100_000n }, perIpDailyCap: { count: 10, amountMinor: null },
  };
  const send = (transactionId: string, action: PostbackAction, risk: RiskPolicy | null = null) => {
    const now = new Date();
    const command: ConversionCommand = {
      attemptId: crypto.randomUUID(), clickId: userKeyedClickId('wall', transactionId), conversionId: transactionId, action,
      postbackStatus: action, amountMinor: 500n, rawAmount: '5.00', transactionId, offerId: null, now,
      newEarningId: crypto.randomUUID(), ledger: 'inline', sourceIp: '203.0.113.1', rawData: { transactionId },
      clickIfAbsent: userKeyedClick({
        network: 'wall', transactionId, userId: 'uk', offerId: null, earnUpToMinor: 10_000n, referrerId: 'referrer',
        commissionPpm: 100_000, holdAboveMinor: null, ipAddress: '198.51.100.9', now,
      }),
      risk, conversionIp: '198.51.100.9',
    };
    return trips(async () => {
      const outcome = await store.applyConversion(command);
      expect(outcome.owed).toEqual([]);
    });
  };
  const txn = `t-${crypto.randomUUID()}`;
  const early = `e-${crypto.randomUUID()}`;
  const result = {
    credit: await send(txn, 'credit'),
    replay: await send(txn, 'credit'),
    reversal: await send(txn, 'reverse'),
    preReversal: await send(early, 'reverse'),
    netted: await send(early, 'credit'),
    cappedCredit: await send(`c-${crypto.randomUUID()}`, 'credit', caps),
  };
  expect(await store.wallet.getBalance('uk')).toBe(500n);
  return result;
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
const USER_KEYED = { credit: 1, replay: 1, reversal: 1, preReversal: 1, netted: 1, cappedCredit: 1 };

describe('round trips on Postgres', () => {
  it('PGlite: one statement per click and per postback (credit with referral, replay, reversal; user-keyed too)', async () => {
    const db = new PGlite();
    await migrate(db);
    expect(await measureInline(db)).toEqual(INLINE);
    expect(await measureOutbox(db)).toEqual(OUTBOX);
    expect(await measureUserKeyed(db)).toEqual(USER_KEYED);
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
    expect(await measureUserKeyed(pool, schema)).toEqual(USER_KEYED);
  });
});
