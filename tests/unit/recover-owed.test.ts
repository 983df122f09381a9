/**
 * Recovery is its own port step (`ClickStore.recoverOwed`), separate from the read-only
 * `listOwedOperations`: `retryPendingCredits()` and each retry-worker batch call it exactly once,
 * before listing, and a store without it is left alone.
 */
import { describe, expect, it } from 'vitest';
import { createClickTracker, type ClickStore } from 'clickcredit';
import { createMemoryStore } from 'clickcredit/memory';
import { HostWallet } from 'clickcredit/testing';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A memory store that records the order of its recovery and list calls. */
function recording(store: ClickStore) {
  const calls: string[] = [];
  const wrapped: ClickStore = Object.assign(Object.create(Object.getPrototypeOf(store)) as ClickStore, store, {
    async recoverOwed(limit: number) {
      calls.push(`recover:${limit}`);
      return 0;
    },
    async listOwedOperations(limit: number) {
      calls.push(`list:${limit}`);
      return store.listOwedOperations(limit);
    },
  });
  return { wrapped, calls };
}

const trackerOn = (storage: ClickStore) =>
  createClickTracker({
    storage,
    wallet: new HostWallet(),
    products: { getProduct: (id) => ({ productId: id, earnUpTo: '5.00', active: true }) },
    publicUrl: 'https://api.example.test',
    allowUnverifiedPostbacks: true,
    logger: { info() {}, warn() {}, error() {} },
  });

describe('recoverOwed', () => {
  it('runs once per retryPendingCredits(), before the list, which only reads', async () => {
    const { wrapped, calls } = recording(createMemoryStore());
    const t = trackerOn(wrapped);
    expect(await t.retryPendingCredits({ limit: 7 })).toEqual({ settled: 0, remaining: 0 });
    expect(calls).toEqual(['recover:7', 'list:7', 'list:7']);
  });

  it('runs once per retry-worker batch, before its list', async () => {
    const { wrapped, calls } = recording(createMemoryStore());
    const workers = trackerOn(wrapped).startWorkers({ retryPendingCredits: { intervalMs: 5, batchSize: 3 }, jitter: 0 });
    await sleep(40);
    await workers.stop();
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < calls.length; i += 2) expect(calls.slice(i, i + 2)).toEqual(['recover:3', 'list:3']);
  });

  it('is optional: a store whose steps are all atomic has none, and retries still settle', async () => {
    const store = createMemoryStore();
    expect('recoverOwed' in store).toBe(false);
    expect(await trackerOn(store).retryPendingCredits()).toEqual({ settled: 0, remaining: 0 });
  });
});
