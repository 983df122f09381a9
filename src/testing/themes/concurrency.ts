/**
 * Conformance: concurrency — the races an advertiser's retries and parallel workers create.
 * @module
 */
import { click, postback, refer, type Theme } from '../context.js';

/** Concurrency: identical postbacks, competing conversions, parallel credits, parallel clicks. */
export const concurrencyTheme: Theme = ({ it, expect }, ctx) => {
  it('50 concurrent identical postbacks: one earning, one credit, 49 duplicates', async () => {
    const context = ctx();
    const { tracker, user, harness, expectBalance } = context;
    const t = tracker();
    const u = user();
    const referrer = user('referrer');
    refer(context, u, referrer);
    const { clickId } = await click(t, u);
    const body = { amount: '50.00', status: 'completed', conversionId: 'same', transactionId: 'txn' };
    const results = await Promise.all(Array.from({ length: 50 }, () => postback(t, clickId, body)));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.earningId)).size).toBe(1);
    expect(await harness.raw.earningsOfClick(clickId)).toHaveLength(1);
    expect((await harness.raw.ledgerEntries(u)).filter((e) => e.kind === 'credit')).toHaveLength(1);
    await expectBalance(u, '50.00', t);
    await expectBalance(referrer, '5.00', t);
  });

  it('20 concurrent postbacks with different conversion ids on one click: exactly one winner', async () => {
    const { tracker, user, harness, expectBalance } = ctx();
    const t = tracker();
    const u = user();
    const { clickId } = await click(t, u);
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => postback(t, clickId, { amount: '10.00', conversionId: `conv-${i}` })),
    );
    const won = settled.filter((s) => s.status === 'fulfilled');
    const lost = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((s) => s.reason?.code)).toEqual(Array(19).fill('CONFLICT'));
    expect(await harness.raw.earningsOfClick(clickId)).toHaveLength(1);
    await expectBalance(u, '10.00', t);
  });

  it('concurrent credits to one wallet lose nothing; concurrent reuse of a key credits once', async () => {
    const { tracker, user, harness, expectBalance } = ctx();
    const t = tracker();
    const u = user();
    await Promise.all(Array.from({ length: 100 }, (_, i) => t.creditWallet({ userId: u, amount: '0.37', idempotencyKey: `k-${i}` })));
    const same = await Promise.all(Array.from({ length: 20 }, () => t.creditWallet({ userId: u, amount: '1.00', idempotencyKey: 'once' })));
    expect(same.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await harness.raw.ledgerEntries(u)).toHaveLength(101);
    await expectBalance(u, '38.00', t);
  });

  it('parallel conversions on many clicks of one user and one referrer add up exactly', async () => {
    const context = ctx();
    const { tracker, user, expectBalance } = context;
    const t = tracker();
    const u = user();
    const referrer = user('referrer');
    refer(context, u, referrer);
    const clicks = await Promise.all(Array.from({ length: 30 }, () => click(t, u)));
    await Promise.all(clicks.flatMap(({ clickId }) => [
      postback(t, clickId, { amount: '1.10', conversionId: 'c' }),
      postback(t, clickId, { amount: '1.10', conversionId: 'c' }),
    ]));
    await expectBalance(u, '33.00', t);
    await expectBalance(referrer, '3.30', t);
  });

  it('a reversal racing its own replays debits exactly once', async () => {
    const { tracker, user, harness, expectBalance } = ctx();
    const t = tracker();
    const u = user();
    const { clickId } = await click(t, u);
    await postback(t, clickId, { amount: '8.00', conversionId: 'c' });
    await Promise.all(Array.from({ length: 20 }, (_, i) =>
      postback(t, clickId, { status: i % 2 ? 'reversed' : 'completed', amount: '8.00', conversionId: 'c' }),
    ));
    expect((await harness.raw.ledgerEntries(u)).map((e) => e.kind).sort()).toEqual(['credit', 'debit']);
    await expectBalance(u, '0.00', t);
  });
};
