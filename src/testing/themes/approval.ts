/**
 * Conformance: approval holds — held earnings pay nothing until approved, exactly once.
 * @module
 */
import { click, postback, refer, type Theme } from '../context.js';

/** Approval: hold above an amount, hold on fast conversions, approve, reject, reverse while held. */
export const approvalTheme: Theme = ({ it, expect }, ctx) => {
  it('holds an earning above the threshold and credits it once on approval', async () => {
    const context = ctx();
    const { tracker, user, harness, expectBalance } = context;
    const t = tracker({ approvalHold: { aboveAmount: '20.00' } });
    const u = user();
    const referrer = user('referrer');
    refer(context, u, referrer);
    const small = await postback(t, (await click(t, u)).clickId, { amount: '20.00', conversionId: 'a' });
    expect(small).toMatchObject({ decision: 'credited', approvalStatus: 'auto_approved' });
    const { clickId } = await click(t, u);
    const held = await postback(t, clickId, { amount: '30.00', conversionId: 'b' });
    expect(held).toMatchObject({ status: 'completed', approvalStatus: 'pending', decision: 'held' });
    await expectBalance(u, '20.00', t);
    await expectBalance(referrer, '2.00', t);
    const approved = await t.approveEarning(held.earningId);
    expect(approved).toMatchObject({ approvalStatus: 'manual_approved', credited: true, status: 'completed' });
    expect((await t.approveEarning(held.earningId)).approvalStatus).toBe('manual_approved');
    await expectBalance(u, '50.00', t);
    await expectBalance(referrer, '5.00', t);
    expect((await postback(t, clickId, { amount: '30.00', conversionId: 'b' })).duplicate).toBe(true);
    await expect(t.rejectEarning(held.earningId)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await harness.raw.earningsOfClick(clickId))[0]).toMatchObject({ approvalStatus: 'manual_approved', credited: true });
  });

  it('holds a conversion that comes too soon after the click', async () => {
    const { tracker, user, clock, expectBalance } = ctx();
    const t = tracker({ approvalHold: { withinSecondsOfClick: 30 } });
    const u = user();
    const fast = await click(t, u);
    clock.advanceSeconds(10);
    expect((await postback(t, fast.clickId, { amount: '1.00', conversionId: 'c' })).decision).toBe('held');
    const slow = await click(t, u);
    clock.advanceSeconds(30);
    expect((await postback(t, slow.clickId, { amount: '1.00', conversionId: 'c' })).decision).toBe('credited');
    await expectBalance(u, '1.00', t);
  });

  it('rejects a held earning: cancelled, nothing credited, approval refused afterwards', async () => {
    const { tracker, user, expectBalance } = ctx();
    const t = tracker({ approvalHold: { aboveAmount: '1.00' } });
    const u = user();
    const held = await postback(t, (await click(t, u)).clickId, { amount: '9.00', conversionId: 'c' });
    const rejected = await t.rejectEarning(held.earningId);
    expect(rejected).toMatchObject({ status: 'cancelled', approvalStatus: 'rejected', cancelReason: 'approval_rejected', credited: false });
    expect((await t.rejectEarning(held.earningId)).status).toBe('cancelled');
    await expect(t.approveEarning(held.earningId)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expectBalance(u, '0.00', t);
  });

  it('cancels a held earning on reversal without moving money', async () => {
    const { tracker, user, harness, expectBalance } = ctx();
    const t = tracker({ approvalHold: { aboveAmount: '1.00' } });
    const u = user();
    const { clickId } = await click(t, u);
    await postback(t, clickId, { amount: '9.00', conversionId: 'c' });
    const reversed = await postback(t, clickId, { status: 'reversed', conversionId: 'c' });
    expect(reversed).toMatchObject({ status: 'cancelled', decision: 'cancelled', approvalStatus: 'rejected' });
    expect(await harness.raw.ledgerEntries(u)).toHaveLength(0);
    await expectBalance(u, '0.00', t);
  });

  it('answers NOT_FOUND for an unknown earning and CONFLICT for one that is not held', async () => {
    const { tracker, user } = ctx();
    const t = tracker();
    await expect(t.approveEarning('no-such-earning')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const paid = await postback(t, (await click(t, user())).clickId, { amount: '1.00', conversionId: 'c' });
    await expect(t.approveEarning(paid.earningId)).rejects.toMatchObject({ code: 'CONFLICT' });
  });
};
