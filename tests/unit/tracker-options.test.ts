import { describe, expect, it } from 'vitest';
import { createClickTracker, decodeCursor, encodeCursor, type Logger } from 'clickcredit';
import { createMemoryStore } from 'clickcredit/memory';

const products = { getProduct: () => ({ productId: 'p', earnUpTo: '5.00', active: true }) };

function recordingLogger() {
  const warnings: string[] = [];
  const logger: Logger = { info() {}, warn: (m) => void warnings.push(m), error() {} };
  return { logger, warnings };
}

describe('createClickTracker options', () => {
  it('refuses to start without a verifier unless unverified postbacks are opted into', () => {
    expect(() => createClickTracker({ storage: createMemoryStore(), products, publicUrl: 'https://x.com/earn' })).toThrow(/verifier/);
  });

  it('warns once, loudly, when unverified postbacks are allowed', () => {
    const { logger, warnings } = recordingLogger();
    createClickTracker({ storage: createMemoryStore(), products, publicUrl: 'https://x.com/earn', allowUnverifiedPostbacks: true, logger });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/NO verification/);
  });

  it('refuses a relative public URL, a bad TTL and a bad hold', () => {
    const base = { storage: createMemoryStore(), products, allowUnverifiedPostbacks: true };
    expect(() => createClickTracker({ ...base, publicUrl: '/earn' })).toThrow(/publicUrl/);
    expect(() => createClickTracker({ ...base, publicUrl: 'https://x.com', clickTtlSeconds: 0 })).toThrow(/clickTtlSeconds/);
    expect(() => createClickTracker({ ...base, publicUrl: 'https://x.com', approvalHold: { withinSecondsOfClick: -1 } })).toThrow();
  });

  it('lets the host raise or lower the maximum amount', async () => {
    const base = { products: { getProduct: () => ({ productId: 'p', earnUpTo: '5000000000.00', active: true }) }, publicUrl: 'https://x.com', allowUnverifiedPostbacks: true, logger: recordingLogger().logger };
    const big = createClickTracker({ ...base, storage: createMemoryStore(), money: { maxAmount: '5000000000.00' } });
    const { clickId } = await big.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.example/' });
    expect((await big.handlePostback({ query: { click_id: clickId, amount: '4000000000.00' } })).amount).toBe('4000000000.00');
    const small = createClickTracker({ ...base, storage: createMemoryStore(), money: { maxAmount: '10.00' } });
    await expect(small.creditWallet({ userId: 'u', amount: '10.01', idempotencyKey: 'k' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('uses the outbox when the host plugs in its own wallet', () => {
    const storage = createMemoryStore();
    const wallet = { apply: async () => ({ duplicate: false }), getBalance: async () => 0n };
    const own = createClickTracker({ storage, products, publicUrl: 'https://x.com', allowUnverifiedPostbacks: true, wallet });
    const builtIn = createClickTracker({ storage, products, publicUrl: 'https://x.com', allowUnverifiedPostbacks: true });
    expect(own.settings.ledgerMode).toBe('outbox');
    expect(builtIn.settings.ledgerMode).toBe('inline');
  });

  it('turns an unexpected store failure into 503 UNAVAILABLE without leaking the driver error', async () => {
    const storage = createMemoryStore();
    const broken = { ...storage, applyConversion: async () => { throw new Error('ECONNREFUSED 127.0.0.1:5432'); } };
    const { logger } = recordingLogger();
    const tracker = createClickTracker({ storage: broken, products, publicUrl: 'https://x.com', allowUnverifiedPostbacks: true, logger });
    const error = await tracker
      .handlePostback({ query: { click_id: '550e8400-e29b-41d4-a716-446655440000' } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', status: 503 });
    expect((error as Error).message).not.toMatch(/ECONNREFUSED/);
  });
});

describe('earnings cursor', () => {
  it('round-trips and refuses garbage', () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    expect(decodeCursor(encodeCursor({ createdAt: at, earningId: 'e-1' }))).toEqual({ createdAt: at, earningId: 'e-1' });
    expect(() => decodeCursor('%%%')).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
    expect(() => decodeCursor(Buffer.from('x:y').toString('base64url'))).toThrow();
  });
});
