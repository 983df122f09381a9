/**
 * Conformance: the expiry sweep.
 * @module
 */
import { click, postback, type Theme } from '../context.js';

/** Expiry: pending clicks past expiry become expired in bounded batches; others are untouched. */
export const expiryTheme: Theme = ({ it, expect }, ctx) => {
  it('expires pending clicks past expiry in bounded batches and leaves the rest alone', async () => {
    const { tracker, user, clock, harness } = ctx();
    const t = tracker({ clickTtlSeconds: 60 });
    const u = user();
    const stale = await Promise.all(Array.from({ length: 5 }, () => click(t, u)));
    const converted = await click(t, u);
    await postback(t, converted.clickId, { amount: '1.00', conversionId: 'c' });
    clock.advanceSeconds(30);
    const fresh = await click(t, u);
    clock.advanceSeconds(31);
    expect(await harness.storage.expireClicks(clock.now(), 2)).toBeLessThanOrEqual(2);
    const { expired } = await t.expireClicks({ batchSize: 2 });
    expect(expired).toBeGreaterThanOrEqual(3);
    for (const { clickId } of stale) expect((await harness.storage.getClick(clickId))?.status).toBe('expired');
    expect((await harness.storage.getClick(converted.clickId))?.status).toBe('converted');
    expect((await harness.storage.getClick(fresh.clickId))?.status).toBe('pending');
    expect((await t.expireClicks()).expired).toBe(0);
    await expect(postback(t, stale[0]!.clickId, { conversionId: 'c' })).rejects.toMatchObject({ code: 'CLICK_EXPIRED' });
    expect((await t.trackClick(stale[1]!.clickId)).status).toBe('expired');
  });
};
