import { describe, expect, it } from 'vitest';
import { anyOf, createClickTracker, hmacSignature, sharedSecret } from 'clickcredit';
import { createMemoryRawReads, createMemoryStore } from 'clickcredit/memory';

function setUp(verifier: Parameters<typeof createClickTracker>[0]['verifier']) {
  const storage = createMemoryStore();
  const tracker = createClickTracker({
    storage,
    products: { getProduct: () => ({ productId: 'p', earnUpTo: '5.00', active: true }) },
    publicUrl: 'https://x.test/earn',
    verifier,
    logger: { info() {}, warn() {}, error() {} },
  });
  return { storage, tracker };
}

describe('secrets in postbacks', () => {
  it('never stores a shared secret in the audit log or on the earning, even inside anyOf', async () => {
    const { storage, tracker } = setUp(anyOf(hmacSignature({ secrets: ['k'], secretEncoding: 'raw' }), sharedSecret({ secrets: ['top-secret'] })));
    const { clickId } = await tracker.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.test/' });
    await tracker.handlePostback({ query: { click_id: clickId, secret: 'wrong-guess' } }).catch(() => undefined);
    const result = await tracker.handlePostback({ query: { click_id: clickId, secret: 'top-secret', amount: '1.00' } });
    expect(result.decision).toBe('credited');
    const attempts = await tracker.listPostbackAttempts(clickId);
    expect(attempts.map((a) => a.decision)).toEqual(['forbidden', 'credited']);
    expect(JSON.stringify(attempts)).not.toMatch(/top-secret|wrong-guess/);
    const [earning] = await createMemoryRawReads(storage).earningsOfClick(clickId);
    expect(JSON.stringify(earning?.postbackData)).not.toContain('top-secret');
    expect(earning?.postbackData).toMatchObject({ click_id: clickId, amount: '1.00' });
  });

  it('records why verification refused a postback (for support), without telling the caller', async () => {
    const { tracker } = setUp(sharedSecret({ secrets: ['s'] }));
    const { clickId } = await tracker.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.test/' });
    const error = await tracker.handlePostback({ query: { click_id: clickId } }).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'POSTBACK_FORBIDDEN', message: 'Postback verification failed' });
    const [attempt] = await tracker.listPostbackAttempts(clickId);
    expect(attempt?.message).toMatch(/shared-secret: secret missing/);
  });
});
