/**
 * Conformance: issuing, tracking and reading clicks.
 * @module
 */
import { PUBLIC_URL, click, type Theme } from '../context.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Clicks: ids, URLs, expiry, stored fields, ownership, visits, refusals. */
export const clicksTheme: Theme = ({ it, expect }, ctx) => {
  it('issues a UUID v4 click with redirect, tracking URL and a 24 h expiry', async () => {
    const { tracker, clock, user } = ctx();
    const t = tracker();
    const now = clock.now();
    const created = await t.createClick({ userId: user(), productId: 'prod-50', taskUrl: 'https://advertiser.example/offer' });
    expect(created.clickId).toMatch(UUID_V4);
    expect(created.trackingUrl).toBe(`${PUBLIC_URL}/postback?click_id=${created.clickId}`);
    expect(created.redirectUrl).toBe(
      `https://advertiser.example/offer?click_id=${created.clickId}&postback_url=${encodeURIComponent(created.trackingUrl)}`,
    );
    expect(new Date(created.expiresAt).getTime()).toBe(now.getTime() + 86_400_000);
  });

  it('keeps the task URL query and fragment and replaces a foreign click_id', async () => {
    const { tracker, user } = ctx();
    const created = await tracker().createClick({
      userId: user(),
      productId: 'prod-50',
      taskUrl: 'https://advertiser.example/o?a=1%202&click_id=evil&b=%C3%A9#step-2',
    });
    const url = new URL(created.redirectUrl);
    expect(url.searchParams.getAll('click_id')).toEqual([created.clickId]);
    expect(url.searchParams.get('a')).toBe('1 2');
    expect(url.searchParams.get('b')).toBe('é');
    expect(url.searchParams.get('postback_url')).toBe(created.trackingUrl);
    expect(url.hash).toBe('#step-2');
    expect(created.redirectUrl).toContain('a=1%202&b=%C3%A9&click_id=');
  });

  it('stores every ClickLog field and shows the click to its owner only', async () => {
    const { tracker, user, harness } = ctx();
    const t = tracker({ clickTtlSeconds: 3600 });
    const owner = user();
    const created = await t.createClick({
      userId: owner,
      productId: 'prod-50',
      offerId: 'offer-7',
      taskUrl: 'https://advertiser.example/offer',
      ipAddress: '198.51.100.4',
      userAgent: 'Mozilla/5.0 test',
      referrer: 'https://app.example/list',
    });
    const view = await t.getClick(created.clickId, owner);
    expect(view).toMatchObject({
      clickId: created.clickId,
      userId: owner,
      productId: 'prod-50',
      offerId: 'offer-7',
      taskUrl: 'https://advertiser.example/offer',
      redirectUrl: created.redirectUrl,
      trackingUrl: created.trackingUrl,
      ipAddress: '198.51.100.4',
      userAgent: 'Mozilla/5.0 test',
      referrer: 'https://app.example/list',
      status: 'pending',
      conversionId: null,
      postbackReceived: false,
      postbackReceivedAt: null,
      visitCount: 0,
      earnUpTo: '50.00',
      expiresAt: created.expiresAt,
    });
    expect(new Date(view.expiresAt).getTime() - new Date(view.clickedAt).getTime()).toBe(3_600_000);
    const stored = await harness.storage.getClick(created.clickId);
    expect(stored?.earnUpToMinor).toBe(5000n);
    await expect(t.getClick(created.clickId, user('intruder'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses unknown and inactive products with NOT_FOUND', async () => {
    const { tracker, user } = ctx();
    const t = tracker();
    await expect(t.createClick({ userId: user(), productId: 'nope', taskUrl: 'https://a.example/' })).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
    await expect(t.createClick({ userId: user(), productId: 'prod-off', taskUrl: 'https://a.example/' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses bad task URLs with VALIDATION_ERROR', async () => {
    const { tracker, user } = ctx();
    const t = tracker();
    const bad = [
      'ftp://advertiser.example/x',
      'javascript:alert(1)',
      '/relative/path',
      'https://user:pass@advertiser.example/',
      `https://advertiser.example/${'a'.repeat(2100)}`,
    ];
    for (const taskUrl of bad) {
      await expect(t.createClick({ userId: user(), productId: 'prod-50', taskUrl })).rejects.toMatchObject({ code: 'VALIDATION_ERROR', status: 400 });
    }
    await expect(t.createClick({ userId: user(), productId: 'prod-hosts', taskUrl: 'https://evil.example/' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    const ok = await t.createClick({ userId: user(), productId: 'prod-hosts', taskUrl: 'https://go.advertiser.example/' });
    expect(ok.clickId).toMatch(UUID_V4);
  });

  it('counts visits and reports the status; unknown and malformed ids are refused', async () => {
    const { tracker, user, clock } = ctx();
    const t = tracker();
    const created = await click(t, user());
    const first = await t.trackClick(created.clickId);
    expect(first).toEqual({ clickId: created.clickId, status: 'pending', redirectUrl: created.redirectUrl });
    clock.advanceSeconds(5);
    await t.trackClick(created.clickId);
    const owner = (await t.getClick(created.clickId, (await ctx().harness.storage.getClick(created.clickId))!.userId));
    expect(owner.visitCount).toBe(2);
    expect(new Date(owner.lastVisitAt!).getTime() - new Date(owner.firstVisitAt!).getTime()).toBe(5000);
    await expect(t.trackClick('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(t.trackClick('not-a-uuid')).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('refuses a duplicate click id at the store', async () => {
    const { tracker, user, harness } = ctx();
    const created = await click(tracker(), user());
    const stored = (await harness.storage.getClick(created.clickId))!;
    await expect(harness.storage.insertClick(stored)).rejects.toMatchObject({ code: 'CONFLICT' });
  });
};
