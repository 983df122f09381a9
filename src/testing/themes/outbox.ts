/**
 * Conformance: the host's own wallet through the outbox — exactly once across failures.
 * @module
 */
import { HostWallet, click, postback, refer, type Theme } from '../context.js';

/** Outbox: owed operations recorded atomically, applied by key, settled, retried after a crash. */
export const outboxTheme: Theme = ({ it, expect }, ctx) => {
  it('credits the host wallet by idempotency key and settles the owed operation', async () => {
    const context = ctx();
    const { tracker, user, harness } = context;
    const wallet = new HostWallet();
    const t = tracker({ wallet });
    const u = user();
    const referrer = user('referrer');
    refer(context, u, referrer);
    const { clickId } = await click(t, u);
    const result = await postback(t, clickId, { amount: '10.00', conversionId: 'c' });
    expect(result.decision).toBe('credited');
    expect(await wallet.getBalance(u)).toBe(1000n);
    expect(await wallet.getBalance(referrer)).toBe(100n);
    expect((await t.getWallet(u)).balance).toBe('10.00');
    expect(await harness.raw.ledgerEntries(u)).toHaveLength(0);
    const outbox = await harness.raw.outboxOfEarning(result.earningId);
    expect(outbox.map((row) => [row.kind, row.amountMinor, row.settledAt !== null]).sort()).toEqual([
      ['credit', 1000n, true],
      ['referral_credit', 100n, true],
    ]);
    await postback(t, clickId, { amount: '10.00', conversionId: 'c' });
    expect(wallet.calls.filter((key) => key.endsWith(':credit'))).toHaveLength(1);
  });

  it('keeps the credit owed while the wallet is down and finishes it with retryPendingCredits', async () => {
    const { tracker, user, harness } = ctx();
    const wallet = new HostWallet();
    const t = tracker({ wallet });
    const u = user();
    wallet.failBefore = true;
    const { clickId } = await click(t, u);
    const result = await postback(t, clickId, { amount: '7.00', conversionId: 'c' });
    expect(result.decision).toBe('credited');
    expect(await wallet.getBalance(u)).toBe(0n);
    expect((await harness.raw.outboxOfEarning(result.earningId))[0]?.settledAt).toBeNull();
    wallet.failBefore = false;
    const retried = await t.retryPendingCredits();
    expect(retried.settled).toBeGreaterThanOrEqual(1);
    expect(await wallet.getBalance(u)).toBe(700n);
    expect((await harness.raw.outboxOfEarning(result.earningId))[0]?.settledAt).not.toBeNull();
    await t.retryPendingCredits();
    expect(await wallet.getBalance(u)).toBe(700n);
  });

  it('never double-credits when the wallet applied but the settle was lost (crash window)', async () => {
    const { tracker, user, harness } = ctx();
    const wallet = new HostWallet();
    const t = tracker({ wallet });
    const u = user();
    wallet.failAfter = true;
    const { clickId } = await click(t, u);
    const result = await postback(t, clickId, { amount: '3.00', conversionId: 'c' });
    expect(await wallet.getBalance(u)).toBe(300n);
    expect((await harness.raw.outboxOfEarning(result.earningId))[0]?.settledAt).toBeNull();
    wallet.failAfter = false;
    await Promise.all([t.retryPendingCredits(), t.retryPendingCredits()]);
    expect(await wallet.getBalance(u)).toBe(300n);
    expect((await harness.raw.outboxOfEarning(result.earningId))[0]?.settledAt).not.toBeNull();
  });

  it('sends reversals and approvals through the outbox too', async () => {
    const { tracker, user } = ctx();
    const wallet = new HostWallet();
    const t = tracker({ wallet, approvalHold: { aboveAmount: '5.00' } });
    const u = user();
    const a = await click(t, u);
    await postback(t, a.clickId, { amount: '4.00', conversionId: 'c' });
    await postback(t, a.clickId, { status: 'chargeback', conversionId: 'c' });
    expect(await wallet.getBalance(u)).toBe(0n);
    const b = await click(t, u);
    const held = await postback(t, b.clickId, { amount: '6.00', conversionId: 'c' });
    expect(await wallet.getBalance(u)).toBe(0n);
    await t.approveEarning(held.earningId);
    expect(await wallet.getBalance(u)).toBe(600n);
    expect((await t.getWallet(u)).balance).toBe('6.00');
  });
};
