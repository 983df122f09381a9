/**
 * Conformance: risk rules — decided inside the conversion's atomic step, each writing its stable
 * code to the audit row; refusals move nothing, holds wait for approval, caps are exact under races.
 * @module
 */
import { v4 as uuidv4 } from 'uuid';
import type { ClickTracker } from 'clickcredit';
import { NO_RISK, applyThroughStore, click, postback, toMinor, userKeyed, type SuiteContext, type Theme } from '../context.js';

async function lastAttempt(context: SuiteContext, clickId: string) {
  return (await context.harness.storage.listPostbackAttempts(clickId)).at(-1);
}

/** A click converted (credit) with `amount`, returning the decision. */
async function convert(t: ClickTracker, userId: string, amount: string, extra: { ipAddress?: string } = {}) {
  const { clickId } = await click(t, userId, 'prod-50', extra);
  return { clickId, result: await postback(t, clickId, { amount, conversionId: 'c' }) };
}

/** Risk: offer mismatch, time to convert, daily caps per user and per IP, IP mismatch, races. */
export const riskTheme: Theme = ({ it, expect }, ctx) => {
  it('offer mismatch refused: 409, audited with its code, nothing written, the click keeps its offer', async () => {
    const context = ctx();
    const { tracker, user, harness, expectBalance } = context;
    const t = tracker({ risk: { offerMismatch: 'refuse' } });
    const u = user();
    const { clickId } = await click(t, u, 'prod-50', { offerId: 'offer-a' });
    const refused = postback(t, clickId, { amount: '5.00', conversionId: 'c', offerId: 'offer-b' });
    await expect(refused).rejects.toMatchObject({ code: 'CONFLICT', status: 409, details: { rule: 'offer_mismatch' } });
    expect(await lastAttempt(context, clickId)).toMatchObject({ decision: 'offer_mismatch', rule: 'offer_mismatch', earningId: null, conversionId: 'c' });
    expect(await harness.raw.earningsOfClick(clickId)).toHaveLength(0);
    expect(await harness.raw.clickOf(clickId)).toMatchObject({ offerId: 'offer-a', status: 'pending', conversionId: null });
    const matching = await postback(t, clickId, { amount: '5.00', conversionId: 'c', offerId: 'offer-a' });
    expect(matching.decision).toBe('credited');
    const silent = await postback(t, (await click(t, u, 'prod-50', { offerId: 'offer-a' })).clickId, { amount: '1.00', conversionId: 'c' });
    expect(silent.decision).toBe('credited');
    await expectBalance(u, '6.00', t);
  });

  it('offer mismatch held: the earning waits for approval with the rule on the audit row', async () => {
    const context = ctx();
    const { tracker, user, harness, expectBalance } = context;
    const t = tracker({ risk: { offerMismatch: 'hold' } });
    const u = user();
    const { clickId } = await click(t, u, 'prod-50', { offerId: 'offer-a' });
    const held = await postback(t, clickId, { amount: '5.00', conversionId: 'c', offerId: 'offer-b' });
    expect(held).toMatchObject({ decision: 'held', approvalStatus: 'pending', status: 'completed' });
    expect(await lastAttempt(context, clickId)).toMatchObject({ decision: 'held', rule: 'offer_mismatch', earningId: held.earningId });
    expect((await harness.raw.clickOf(clickId))!.offerId).toBe('offer-a');
    await expectBalance(u, '0.00', t);
    await t.approveEarning(held.earningId);
    await expectBalance(u, '5.00', t);
  });

  it('minimum and maximum time from click to conversion: refuse or hold, the maximum apart from expiry', async () => {
    const context = ctx();
    const { tracker, user, clock, expectBalance, harness } = context;
    const u = user();
    const refuse = tracker({ risk: { minSecondsToConvert: { seconds: 30, effect: 'refuse' }, maxSecondsToConvert: { seconds: 600, effect: 'refuse' } } });
    const early = await click(refuse, u);
    clock.advanceSeconds(10);
    await expect(postback(refuse, early.clickId, { amount: '1.00', conversionId: 'c' })).rejects.toMatchObject({ code: 'CONFLICT', details: { rule: 'too_soon' } });
    expect(await lastAttempt(context, early.clickId)).toMatchObject({ decision: 'too_soon', rule: 'too_soon' });
    clock.advanceSeconds(30);
    expect((await postback(refuse, early.clickId, { amount: '1.00', conversionId: 'c' })).decision).toBe('credited');
    const late = await click(refuse, u);
    clock.advanceSeconds(601);
    await expect(postback(refuse, late.clickId, { amount: '1.00', conversionId: 'c' })).rejects.toMatchObject({ code: 'CONFLICT', details: { rule: 'too_late' } });
    expect(await lastAttempt(context, late.clickId)).toMatchObject({ decision: 'too_late', rule: 'too_late', earningId: null });
    expect(await harness.raw.earningsOfClick(late.clickId)).toHaveLength(0);

    const hold = tracker({ risk: { minSecondsToConvert: { seconds: 30, effect: 'hold' }, maxSecondsToConvert: { seconds: 600, effect: 'hold' } } });
    const fast = await click(hold, u);
    const heldFast = await postback(hold, fast.clickId, { amount: '2.00', conversionId: 'c' });
    expect(heldFast.decision).toBe('held');
    expect(await lastAttempt(context, fast.clickId)).toMatchObject({ decision: 'held', rule: 'too_soon' });
    const slow = await click(hold, u);
    clock.advanceSeconds(700);
    expect((await postback(hold, slow.clickId, { amount: '2.00', conversionId: 'c' })).decision).toBe('held');
    expect(await lastAttempt(context, slow.clickId)).toMatchObject({ decision: 'held', rule: 'too_late' });
    await expectBalance(u, '1.00', hold);
  });

  it('per-user daily cap on count: the conversion past the cap is held; the next UTC day counts afresh', async () => {
    const context = ctx();
    const { tracker, user, clock, expectBalance } = context;
    const t = tracker({ risk: { dailyCaps: { perUser: { count: 2 } } } });
    const u = user();
    const other = user('other');
    // Start at a fixed hour so the three conversions share one UTC day.
    clock.advanceSeconds(secondsToNextUtcHour(clock.now(), 1));
    const decisions = [];
    for (let i = 0; i < 3; i += 1) decisions.push((await convert(t, u, '1.00')).result.decision);
    expect(decisions).toEqual(['credited', 'credited', 'held']);
    const third = await convert(t, u, '1.00');
    expect(third.result.decision).toBe('held');
    expect(await lastAttempt(context, third.clickId)).toMatchObject({ decision: 'held', rule: 'user_daily_cap' });
    // Approving a held earning pays it but does not count towards the cap.
    await t.approveEarning(third.result.earningId);
    expect((await convert(t, u, '1.00')).result.decision).toBe('held');
    expect((await convert(t, other, '1.00')).result.decision).toBe('credited');
    clock.advanceSeconds(86_400);
    expect((await convert(t, u, '1.00')).result.decision).toBe('credited');
    await expectBalance(u, '4.00', t);
  });

  it('per-user daily cap on amount, counting user-keyed conversions of the same user', async () => {
    const context = ctx();
    const { tracker, user, clock, harness } = context;
    const policy = { ...NO_RISK, perUserDailyCap: { count: null, amountMinor: toMinor('10.00') } };
    const t = tracker({ risk: { dailyCaps: { perUser: { amount: '10.00' } } } });
    const u = user();
    clock.advanceSeconds(secondsToNextUtcHour(clock.now(), 1));
    expect((await convert(t, u, '6.00')).result.decision).toBe('credited');
    const network = await userKeyed(context, { transactionId: `txn-${uuidv4()}`, userId: u, amount: '4.00', risk: policy });
    expect(network.decision).toBe('credited');
    const over = await userKeyed(context, { transactionId: `txn-${uuidv4()}`, userId: u, amount: '0.01', risk: policy });
    expect(over.decision).toBe('held');
    const attempts = await harness.storage.listPostbackAttempts(over.earning!.clickId);
    expect(attempts.at(-1)).toMatchObject({ decision: 'held', rule: 'user_daily_cap' });
    expect((await convert(t, u, '0.01')).result.decision).toBe('held');
    expect(await harness.raw.cachedBalance(u)).toBe(1000n);
  });

  it('per-IP daily cap: a second user behind the same IP is held', async () => {
    const context = ctx();
    const { tracker, user, clock, expectBalance } = context;
    const t = tracker({ risk: { dailyCaps: { perIp: { count: 1 } } } });
    const [a, b, c] = [user(), user(), user()];
    clock.advanceSeconds(secondsToNextUtcHour(clock.now(), 1));
    expect((await convert(t, a, '3.00', { ipAddress: `ip-${uuidv4()}` })).result.decision).toBe('credited');
    const sharedIp = `ip-${uuidv4()}`;
    expect((await convert(t, b, '3.00', { ipAddress: sharedIp })).result.decision).toBe('credited');
    const second = await convert(t, c, '3.00', { ipAddress: sharedIp });
    expect(second.result.decision).toBe('held');
    expect(await lastAttempt(context, second.clickId)).toMatchObject({ rule: 'ip_daily_cap' });
    await expectBalance(c, '0.00', t);
  });

  it('IP at click vs IP of the conversion: held on mismatch when on, ignored when off', async () => {
    const context = ctx();
    const { tracker, user, harness, clock, expectBalance } = context;
    const t = tracker();
    const u = user();
    const command = async (clickId: string, conversionIp: string, ipMismatch: 'hold' | null) => ({
      attemptId: uuidv4(), clickId, conversionId: 'c', action: 'credit' as const, postbackStatus: 'completed',
      amountMinor: 100n, rawAmount: '1.00', transactionId: null, offerId: null, now: clock.now(), newEarningId: uuidv4(),
      ledger: harness.storage.supportsInlineLedger ? ('inline' as const) : ('outbox' as const), sourceIp: '203.0.113.7',
      rawData: { conversionIp }, risk: { ...NO_RISK, ipMismatch }, conversionIp,
    });
    const off = await click(t, u);
    expect((await applyThroughStore(context, await command(off.clickId, '192.0.2.99', null))).decision).toBe('credited');
    const same = await click(t, u);
    expect((await applyThroughStore(context, await command(same.clickId, '198.51.100.4', 'hold'))).decision).toBe('credited');
    const moved = await click(t, u);
    const held = await applyThroughStore(context, await command(moved.clickId, '192.0.2.99', 'hold'));
    expect(held).toMatchObject({ decision: 'held', earning: { approvalStatus: 'pending' } });
    expect(await lastAttempt(context, moved.clickId)).toMatchObject({ decision: 'held', rule: 'ip_mismatch' });
    await expectBalance(u, '2.00', t);
    await t.approveEarning(held.earning!.earningId);
    await expectBalance(u, '3.00', t);
  });

  it('a refusal wins over a hold; a risk hold is recorded even when the click policy also holds', async () => {
    const context = ctx();
    const { tracker, user } = context;
    const t = tracker({
      approvalHold: { aboveAmount: '1.00' },
      risk: { offerMismatch: 'hold', minSecondsToConvert: { seconds: 3600, effect: 'refuse' } },
    });
    const u = user();
    const refused = await click(t, u, 'prod-50', { offerId: 'offer-a' });
    await expect(postback(t, refused.clickId, { amount: '5.00', conversionId: 'c', offerId: 'offer-b' })).rejects.toMatchObject({ details: { rule: 'too_soon' } });
    const both = tracker({ approvalHold: { aboveAmount: '1.00' }, risk: { offerMismatch: 'hold' } });
    const held = await click(both, u, 'prod-50', { offerId: 'offer-a' });
    expect((await postback(both, held.clickId, { amount: '5.00', conversionId: 'c', offerId: 'offer-b' })).decision).toBe('held');
    expect(await lastAttempt(context, held.clickId)).toMatchObject({ rule: 'offer_mismatch' });
    const plain = await click(both, u, 'prod-50', { offerId: 'offer-a' });
    expect((await postback(both, plain.clickId, { amount: '5.00', conversionId: 'c' })).decision).toBe('held');
    expect((await lastAttempt(context, plain.clickId))!.rule ?? null).toBeNull();
  });

  it('a refused pending earning stays pending; reversals are never refused', async () => {
    const context = ctx();
    const { tracker, user, harness, expectBalance } = context;
    const t = tracker({ risk: { offerMismatch: 'refuse' } });
    const u = user();
    const { clickId } = await click(t, u, 'prod-50', { offerId: 'offer-a' });
    expect((await postback(t, clickId, { amount: '2.00', conversionId: 'c', status: 'pending' })).decision).toBe('recorded_pending');
    await expect(postback(t, clickId, { amount: '2.00', conversionId: 'c', offerId: 'offer-z' })).rejects.toMatchObject({ details: { rule: 'offer_mismatch' } });
    expect((await harness.raw.earningsOfClick(clickId))[0]).toMatchObject({ status: 'pending', credited: false });
    expect((await postback(t, clickId, { amount: '2.00', conversionId: 'c', offerId: 'offer-z', status: 'reversed' })).decision).toBe('cancelled');
    await expectBalance(u, '0.00', t);
  });

  it('caps are exact under concurrent conversions of one user: no more than N credited un-held', async () => {
    const context = ctx();
    const { tracker, user, clock, harness, expectBalance } = context;
    const t = tracker({ risk: { dailyCaps: { perUser: { count: 3, amount: '100.00' } } } });
    const u = user();
    clock.advanceSeconds(secondsToNextUtcHour(clock.now(), 1));
    const clicks = await Promise.all(Array.from({ length: 20 }, () => click(t, u)));
    const results = await Promise.all(clicks.map(({ clickId }) => postback(t, clickId, { amount: '2.00', conversionId: 'c' })));
    expect(results.filter((r) => r.decision === 'credited')).toHaveLength(3);
    expect(results.filter((r) => r.decision === 'held')).toHaveLength(17);
    expect((await harness.raw.ledgerEntries(u)).filter((e) => e.kind === 'credit')).toHaveLength(3);
    await expectBalance(u, '6.00', t);

    const v = user();
    const amountCapped = tracker({ risk: { dailyCaps: { perUser: { amount: '5.00' } } } });
    const more = await Promise.all(Array.from({ length: 12 }, () => click(amountCapped, v)));
    const paid = await Promise.all(more.map(({ clickId }) => postback(amountCapped, clickId, { amount: '1.00', conversionId: 'c' })));
    expect(paid.filter((r) => r.decision === 'credited')).toHaveLength(5);
    await expectBalance(v, '5.00', amountCapped);
  });
};

/** Seconds from `now` to `hour` o'clock UTC of the next day, so a test's conversions share a UTC day. */
function secondsToNextUtcHour(now: Date, hour: number): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, hour);
  return Math.ceil((next - now.getTime()) / 1000);
}
