import { describe, expect, it } from 'vitest';
import { createClickTracker, startWorkers, type ClickStore, type Logger, type WalletOperation } from 'clickcredit';
import { createMemoryStore } from 'clickcredit/memory';
import { HostWallet, TestClock } from 'clickcredit/testing';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function recordingLogger() {
  const lines: Array<{ level: string; message: string; context?: Record<string, unknown> }> = [];
  const logger: Logger = {
    info: (message, context) => void lines.push({ level: 'info', message, context }),
    warn: (message, context) => void lines.push({ level: 'warn', message, context }),
    error: (message, context) => void lines.push({ level: 'error', message, context }),
  };
  return { lines, logger };
}

/** A memory store whose expiry batch takes `delayMs` and records how many batches overlap. */
function slowExpiry(store: ClickStore, delayMs: number) {
  const stats = { running: 0, maxRunning: 0, batches: 0, finished: 0 };
  const wrapped: ClickStore = Object.assign(Object.create(Object.getPrototypeOf(store)) as ClickStore, store, {
    async expireClicks(now: Date, limit: number) {
      stats.running += 1;
      stats.batches += 1;
      stats.maxRunning = Math.max(stats.maxRunning, stats.running);
      try {
        await sleep(delayMs);
        return await store.expireClicks(now, limit);
      } finally {
        stats.running -= 1;
        stats.finished += 1;
      }
    },
  });
  return { wrapped, stats };
}

const tracker = (storage: ClickStore, logger: Logger, extra: Record<string, unknown> = {}) =>
  createClickTracker({
    storage,
    products: { getProduct: (id) => ({ productId: id, earnUpTo: '50.00', active: true }) },
    publicUrl: 'https://api.example.test/api/v1/earn',
    allowUnverifiedPostbacks: true,
    clickTtlSeconds: 1,
    logger,
    ...extra,
  });

describe('workers', () => {
  it('runs the jobs on their interval and logs through the logger port', async () => {
    const { lines, logger } = recordingLogger();
    const clock = new TestClock();
    const t = tracker(createMemoryStore(), logger, { clock });
    const click = await t.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://advertiser.example/' });
    clock.advanceSeconds(5);
    const workers = startWorkers(t, { expireClicks: { intervalMs: 20 }, jitter: 0.5 });
    await sleep(150);
    await workers.stop();
    expect((await t.admin.listClicks({ userId: 'u' })).items.map((c) => [c.clickId, c.status])).toEqual([[click.clickId, 'expired']]);
    expect(lines.map((l) => l.message)).toEqual(expect.arrayContaining(['workers started', 'worker expireClicks: batch done', 'workers stopped']));
    expect(lines.find((l) => l.message === 'worker expireClicks: batch done')?.context).toMatchObject({ job: 'expireClicks', count: 1 });
  });

  it('stop() waits for the batch in hand and no batch starts afterwards', async () => {
    const { logger } = recordingLogger();
    const { wrapped, stats } = slowExpiry(createMemoryStore(), 150);
    const workers = tracker(wrapped, logger).startWorkers({ expireClicks: { intervalMs: 10 }, jitter: 0 });
    await sleep(40);
    expect(stats.running).toBe(1);
    await workers.stop();
    expect([stats.running, stats.finished]).toEqual([0, stats.batches]);
    const after = stats.batches;
    await sleep(60);
    expect(stats.batches).toBe(after);
  });

  it('keeps two instances on one store from running the same job at once (store lease)', async () => {
    const store = createMemoryStore();
    const { wrapped, stats } = slowExpiry(store, 30);
    const { logger } = recordingLogger();
    const a = tracker(wrapped, logger).startWorkers({ expireClicks: { intervalMs: 5 }, jitter: 0.2, lease: { owner: 'instance-a' } });
    const b = tracker(wrapped, logger).startWorkers({ expireClicks: { intervalMs: 5 }, jitter: 0.2, lease: { owner: 'instance-b' } });
    await sleep(400);
    await Promise.all([a.stop(), b.stop()]);
    expect(stats.batches).toBeGreaterThanOrEqual(3);
    expect(stats.maxRunning).toBe(1);
  });

  it('retries owed credits a failing host wallet left behind', async () => {
    const { lines, logger } = recordingLogger();
    const wallet = new HostWallet();
    const t = tracker(createMemoryStore(), logger, { wallet, clickTtlSeconds: 3600 });
    const { clickId } = await t.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://advertiser.example/' });
    wallet.failBefore = true;
    await t.handlePostback({ query: { click_id: clickId }, body: { amount: '5.00', conversionId: 'c' }, method: 'POST' });
    expect(await wallet.getBalance('u')).toBe(0n);
    wallet.failBefore = false;
    const workers = t.startWorkers({ retryPendingCredits: { intervalMs: 3_600_000 } });
    expect(await workers.runOnce('retryPendingCredits')).toEqual({ count: 1, remaining: 0 });
    await workers.stop();
    expect(await wallet.getBalance('u')).toBe(500n);
    expect([...wallet.applied.values()].map((op: WalletOperation) => op.kind)).toEqual(['credit']);
    expect(lines.some((l) => l.message === 'worker retryPendingCredits: batch done')).toBe(true);
  });

  it('refuses bad options', () => {
    const t = tracker(createMemoryStore(), recordingLogger().logger);
    expect(() => t.startWorkers({ expireClicks: { intervalMs: 0 } })).toThrow(TypeError);
    expect(() => t.startWorkers({ expireClicks: { intervalMs: 10, batchSize: -1 } })).toThrow(TypeError);
    expect(() => t.startWorkers({ expireClicks: { intervalMs: 10 }, jitter: 2 })).toThrow(TypeError);
    expect(() => t.startWorkers({ expireClicks: { intervalMs: 10 }, lease: { ttlMs: 0 } })).toThrow(TypeError);
  });
});
