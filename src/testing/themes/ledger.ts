/**
 * Conformance: the ledger wallet — idempotent credits, exact sums, balance = sum of entries.
 * @module
 */
import type { Theme } from '../context.js';

/** Ledger: creditWallet idempotency, exact decimal sums, empty wallets, key reuse. */
export const ledgerTheme: Theme = ({ it, expect }, ctx) => {
  it('credits by idempotency key exactly once', async () => {
    const { tracker, user, harness, expectBalance } = ctx();
    const t = tracker();
    const u = user();
    const first = await t.creditWallet({ userId: u, amount: '2.50', idempotencyKey: 'bonus-1', reason: 'welcome' });
    const again = await t.creditWallet({ userId: u, amount: '2.50', idempotencyKey: 'bonus-1' });
    expect(first).toMatchObject({ duplicate: false, amount: '2.50' });
    expect(again.duplicate).toBe(true);
    expect(await harness.raw.ledgerEntries(u)).toHaveLength(1);
    await expect(t.creditWallet({ userId: u, amount: '3.00', idempotencyKey: 'bonus-1' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expectBalance(u, '2.50', t);
  });

  it('adds 0.10 ten thousand times to exactly 1000.00', async () => {
    const { tracker, user, harness, expectBalance } = ctx();
    const t = tracker();
    const u = user();
    const keys = Array.from({ length: 10_000 }, (_, i) => `dime-${i}`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => t.creditWallet({ userId: u, amount: 0.1, idempotencyKey: key })));
    }
    expect(await harness.raw.ledgerEntries(u)).toHaveLength(10_000);
    await expectBalance(u, '1000.00', t);
  }, 300_000);

  it('reports an unknown wallet as 0.00 in the configured currency', async () => {
    const { tracker, user } = ctx();
    const u = user();
    expect(await tracker({ currency: 'EUR' }).getWallet(u)).toEqual({ userId: u, balance: '0.00', currency: 'EUR' });
  });

  it('refuses zero, negative and over-precise manual credits', async () => {
    const { tracker, user, expectBalance } = ctx();
    const t = tracker();
    const u = user();
    for (const amount of ['0', '-1.00', '0.001', 'ten']) {
      await expect(t.creditWallet({ userId: u, amount, idempotencyKey: `k-${amount}` })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    }
    await expectBalance(u, '0.00', t);
  });

  it('keeps balance equal to the sum of entries through credits, reversals and debits', async () => {
    const { tracker, user, harness, clock, expectBalance } = ctx();
    const t = tracker();
    const u = user();
    for (let i = 0; i < 5; i += 1) {
      const { clickId } = await t.createClick({ userId: u, productId: 'prod-50', taskUrl: 'https://advertiser.example/' });
      await t.handlePostback({ query: { click_id: clickId }, body: { amount: `${i + 1}.11`, conversionId: 'c' } });
      if (i % 2 === 0) await t.handlePostback({ query: { click_id: clickId }, body: { status: 'reversed', conversionId: 'c' } });
    }
    await harness.storage.wallet.apply({
      key: `payout-${u}`, userId: u, kind: 'manual_debit', amountMinor: -100n, earningId: null, reversesKey: null, reason: 'payout', createdAt: clock.now(),
    });
    // credited 2.11 + 4.11 survive; 1.11, 3.11, 5.11 reversed; minus 1.00 payout
    await expectBalance(u, '5.22', t);
  });
};
