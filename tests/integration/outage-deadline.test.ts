/**
 * The storage deadline itself (`storageTimeoutMs`), on the memory store with a host wallet that
 * stops answering (a wallet service behind a dead connection): the postback must answer without
 * waiting for it, leave the credit owed, and `retryPendingCredits()` must finish it exactly once,
 * even though the timed-out call completes later.
 */
import { describe, expect, it } from 'vitest';
import { createClickTracker, type WalletOperation, type WalletPort } from 'clickcredit';
import { createMemoryRawReads, createMemoryStore } from 'clickcredit/memory';
import { referredTracker } from '../support/trackers.js';

/** The host's wallet service: a real ledger (a second memory store) that can be made to hang. */
function stallingWallet() {
  const ledger = createMemoryStore();
  let stalled: Array<() => void> | null = null;
  const wallet: WalletPort = {
    async apply(op: WalletOperation) {
      if (stalled) await new Promise<void>((resolve) => stalled!.push(resolve));
      return ledger.wallet.apply(op);
    },
    getBalance: (userId) => ledger.wallet.getBalance(userId),
  };
  return {
    wallet,
    ledger,
    stall: () => void (stalled = []),
    release: () => {
      const waiting = stalled ?? [];
      stalled = null;
      for (const resolve of waiting) resolve();
    },
  };
}

describe('storageTimeoutMs', () => {
  it('a host wallet that stops answering: the postback answers within the bound, the credit is owed, then settled exactly once', async () => {
    const storage = createMemoryStore();
    const host = stallingWallet();
    const tracker = referredTracker(storage, { wallet: host.wallet, referrals: undefined, storageTimeoutMs: 500 });
    const click = await tracker.createClick({ userId: 'u', productId: 'offer', taskUrl: 'https://advertiser.example/t' });
    host.stall();
    const started = Date.now();
    const result = await tracker.handlePostback({ query: { click_id: click.clickId }, body: { amount: '3.00' } });
    const elapsed = Date.now() - started;
    expect(result.status).toBe('completed');
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(1500);
    expect(await tracker.retryPendingCredits()).toEqual({ settled: 0, remaining: 1 }); // still stalled: times out again
    // The wallet answers again: the two stalled calls complete late (one applies, one is a duplicate).
    host.release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await createMemoryRawReads(host.ledger).ledgerEntries('u')).toHaveLength(1);
    expect(await tracker.retryPendingCredits()).toEqual({ settled: 1, remaining: 0 });
    const entries = await createMemoryRawReads(host.ledger).ledgerEntries('u');
    expect(entries).toHaveLength(1);
    expect(entries[0]!.amountMinor).toBe(300n);
    expect(await createMemoryRawReads(host.ledger).cachedBalance('u')).toBe(300n);
  });

  it('is validated at start-up, and Infinity removes the bound', () => {
    const base = { storage: createMemoryStore(), products: { getProduct: () => null }, publicUrl: 'https://x.example', allowUnverifiedPostbacks: true, logger: { info() {}, warn() {}, error() {} } };
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => createClickTracker({ ...base, storageTimeoutMs: bad })).toThrow(/storageTimeoutMs/);
    }
    expect(() => createClickTracker({ ...base, storageTimeoutMs: Number.POSITIVE_INFINITY })).not.toThrow();
  });
});
