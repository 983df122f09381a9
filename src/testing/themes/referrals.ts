/**
 * Conformance: referral commissions, credited with the earning and reversed with it.
 * @module
 */
import { click, postback, refer, type Theme } from '../context.js';

/** Referrals: commission in the same step, rounding down, reversal, snapshot at click time. */
export const referralsTheme: Theme = ({ it, expect }, ctx) => {
  it('credits 10% to the referrer with the earning and reverses it with the earning', async () => {
    const context = ctx();
    const { tracker, user, harness, expectBalance } = context;
    const t = tracker();
    const friend = user('friend');
    const referrer = user('referrer');
    refer(context, friend, referrer);
    const { clickId } = await click(t, friend);
    const result = await postback(t, clickId, { amount: '50.00', conversionId: 'c1' });
    await expectBalance(friend, '50.00', t);
    await expectBalance(referrer, '5.00', t);
    const [commission] = await harness.raw.ledgerEntries(referrer);
    expect(commission).toMatchObject({ kind: 'referral_credit', amountMinor: 500n, key: `earning:${result.earningId}:referral_credit`, earningId: result.earningId });
    expect((await harness.raw.earningsOfClick(clickId))[0]).toMatchObject({ referrerId: referrer, commissionMinor: 500n });
    await postback(t, clickId, { status: 'reversed', conversionId: 'c1' });
    await expectBalance(friend, '0.00', t);
    await expectBalance(referrer, '0.00', t);
    const debit = (await harness.raw.ledgerEntries(referrer)).find((e) => e.kind === 'referral_debit');
    expect(debit).toMatchObject({ amountMinor: -500n, reversesKey: commission!.key });
  });

  it('rounds the commission down and writes none when it rounds to zero', async () => {
    const context = ctx();
    const { tracker, user, harness, expectBalance } = context;
    const t = tracker();
    const friend = user('friend');
    const referrer = user('referrer');
    refer(context, friend, referrer);
    await postback(t, (await click(t, friend)).clickId, { amount: '0.19', conversionId: 'a' });
    await postback(t, (await click(t, friend)).clickId, { amount: '12.39', conversionId: 'b' });
    await expectBalance(referrer, '1.24', t);
    await postback(t, (await click(t, friend)).clickId, { amount: '0.09', conversionId: 'c' });
    expect(await harness.raw.ledgerEntries(referrer)).toHaveLength(2);
    await expectBalance(friend, '12.67', t);
  });

  it('fixes the referrer at click time and ignores self-referral', async () => {
    const context = ctx();
    const { tracker, user, expectBalance } = context;
    const t = tracker();
    const friend = user('friend');
    const first = user('first');
    const later = user('later');
    refer(context, friend, first);
    const { clickId } = await click(t, friend);
    refer(context, friend, later);
    await postback(t, clickId, { amount: '10.00', conversionId: 'c' });
    await expectBalance(first, '1.00', t);
    await expectBalance(later, '0.00', t);
    const selfish = user('self');
    refer(context, selfish, selfish);
    await postback(t, (await click(t, selfish)).clickId, { amount: '10.00', conversionId: 'c' });
    await expectBalance(selfish, '10.00', t);
  });

  it('computes the commission exactly on large amounts', async () => {
    const context = ctx();
    const { tracker, user, expectBalance } = context;
    const t = tracker({ referralCommission: '33.3333%' });
    const friend = user('friend');
    const referrer = user('referrer');
    refer(context, friend, referrer);
    await postback(t, (await click(t, friend, 'prod-big')).clickId, { amount: '999999.99', conversionId: 'c' });
    // 99999999 * 333333 / 1e6 = 33333299.666667 -> floor 33333299 minor units
    await expectBalance(referrer, '333332.99', t);
    await expectBalance(friend, '999999.99', t);
  });
};
