/**
 * The demo loop end to end in real Chromium, on the Express example (`npm start`) with embedded
 * PGlite in a temp DATA_DIR and a POSTBACK_SECRET: pick demo-friend, start the task (a real click,
 * opened through the tracking link), complete it on the mock advertiser (a signed S2S postback),
 * and read the wallets on screen; then a duplicate (nothing moves), a reversal (user and referrer
 * debited) and a forged callback (403); then the operator dashboard: a held earning approved from
 * the hold queue, the forged callback in the postback log as `forbidden`, a user's ledger.
 * Screenshots go to test-output/screenshots/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, SCREENSHOT_DIR } from '../support/chromium.js';
import { startExample, type RunningExample } from '../support/example-process.js';

const SUITE = 'browser demo loop';
const run = chromiumAvailable(SUITE);

describe.runIf(run)(SUITE, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'clickcredit-browser-'));
  let example: RunningExample;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    [example, chromium] = await Promise.all([
      startExample('examples/express/server.ts', { DATA_DIR: dataDir, POSTBACK_SECRET: 'browser-demo-secret' }),
      launchChromium(),
    ]);
    page = await chromium.context.newPage();
    // The pages must work offline: nothing may be fetched from anywhere but the example.
    page.on('request', (request) => {
      if (!request.url().startsWith(example.origin) && !request.url().startsWith('data:')) foreignRequests.push(request.url());
    });
  });
  afterAll(async () => {
    await chromium?.close();
    await example?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const balance = (userId: string) => page.locator(`[data-wallet="${userId}"] .balance`);
  const advertiser = async (): Promise<Frame> => {
    const frame = page.frame({ name: 'webview' });
    if (!frame) throw new Error('no WebView frame');
    return frame;
  };
  /** Presses an advertiser button and waits for its log entry; returns the HTTP status it shows. */
  async function send(frame: Frame, action: string, count: number): Promise<string> {
    await frame.locator(`button[data-action="${action}"]`).click();
    const entries = frame.locator('#log li[data-action]');
    await expect.poll(() => entries.count(), { timeout: 15_000 }).toBe(count);
    return (await entries.first().getAttribute('data-status')) ?? '';
  }
  /** The API's own view of a wallet, beside what the page shows. */
  async function apiBalance(token: string): Promise<string> {
    const response = await fetch(`${example.origin}/api/v1/earn/wallet`, { headers: { authorization: `Bearer ${token}` } });
    return ((await response.json()) as { data: { balance: string } }).data.balance;
  }

  it('GET / redirects to the demo; a demo user is picked', async () => {
    await page.goto(`${example.origin}/`);
    expect(new URL(page.url()).pathname).toBe('/demo');
    await page.locator('[data-user="demo-friend"]').click();
    await expect.poll(() => balance('demo-friend').textContent()).toBe('0.00');
    await expect.poll(() => balance('demo-user').textContent()).toBe('0.00');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'demo-1-start.png') });
  });

  it('"Start task" makes a real click and opens the advertiser with click_id and postback_url', async () => {
    await page.locator('[data-offer="demo-product"] button').click();
    const frame = await advertiser();
    await expect.poll(() => frame.url(), { timeout: 15_000 }).toContain('/demo/advertiser');
    const clickId = (await frame.locator('#click-id').textContent()) ?? '';
    expect(clickId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await frame.locator('#postback-url').textContent()).toBe(`${example.origin}/api/v1/earn/postback?click_id=${clickId}`);
    await expect.poll(() => page.locator('#click code').textContent()).toBe(clickId);
    // The visit went through the tracking link.
    const click = await fetch(`${example.origin}/api/v1/earn/clicks/${clickId}`, { headers: { authorization: 'Bearer demo-friend-token' } });
    expect(((await click.json()) as { data: { visitCount: number } }).data.visitCount).toBe(1);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'demo-2-advertiser-in-webview.png') });
  });

  it('"Complete task" sends a signed postback: the wallet shows the credit and the referral commission', async () => {
    const frame = await advertiser();
    expect(await send(frame, 'complete', 1)).toBe('200');
    await expect.poll(() => balance('demo-friend').textContent(), { timeout: 10_000 }).toBe('50.00');
    await expect.poll(() => balance('demo-user').textContent()).toBe('5.00');
    expect(await page.locator('[data-wallet="demo-friend"] .delta').textContent()).toBe('+50.00');
    await expect.poll(() => page.locator('#earnings tr[data-earning] td').nth(5).textContent()).toBe('5.00 → demo-user');
    expect([await apiBalance('demo-friend-token'), await apiBalance('demo-token')]).toEqual(['50.00', '5.00']);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'demo-3-credited.png') });
  });

  it('a duplicate is answered 200 duplicate and moves nothing', async () => {
    const frame = await advertiser();
    expect(await send(frame, 'duplicate', 2)).toBe('200');
    expect(await frame.locator('#log li[data-action]').first().locator('.verdict').textContent()).toContain('duplicate, nothing moved');
    // The page refreshes on the advertiser's message; give it the time of one refresh, then compare.
    await page.waitForTimeout(1_000);
    expect([await balance('demo-friend').textContent(), await balance('demo-user').textContent()]).toEqual(['50.00', '5.00']);
    expect([await apiBalance('demo-friend-token'), await apiBalance('demo-token')]).toEqual(['50.00', '5.00']);
    expect(await page.locator('#earnings tr[data-earning]').count()).toBe(1);
  });

  it('a reversal debits the user and the referrer', async () => {
    const frame = await advertiser();
    expect(await send(frame, 'reverse', 3)).toBe('200');
    await expect.poll(() => balance('demo-friend').textContent(), { timeout: 10_000 }).toBe('0.00');
    await expect.poll(() => balance('demo-user').textContent()).toBe('0.00');
    expect(await page.locator('[data-wallet="demo-friend"] .delta').textContent()).toBe('-50.00');
    expect(await page.locator('[data-wallet="demo-user"] .delta').textContent()).toBe('-5.00');
    await expect.poll(() => page.locator('#earnings .pill').first().textContent()).toBe('cancelled');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'demo-4-reversed.png') });
  });

  it('a forged callback is answered 403 and credits nothing', async () => {
    const frame = await advertiser();
    expect(await send(frame, 'forged', 4)).toBe('403');
    expect(await frame.locator('#log li[data-action]').first().locator('.verdict').textContent()).toContain('POSTBACK_FORBIDDEN');
    await page.waitForTimeout(1_000);
    expect([await apiBalance('demo-friend-token'), await apiBalance('demo-token')]).toEqual(['0.00', '0.00']);
    // The advertiser page on its own, with its log of the four sends.
    const standalone = await chromium.context.newPage();
    await standalone.goto(frame.url());
    await standalone.screenshot({ path: join(SCREENSHOT_DIR, 'demo-5-advertiser-page.png'), fullPage: true });
    await frame.locator('#log li[data-action] details').first().evaluate((node) => node.setAttribute('open', ''));
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'demo-6-forged-refused.png') });
    await standalone.close();
    expect(foreignRequests).toEqual([]);
  });

  // --- the operator dashboard, on the same example ---------------------------------------------
  let dashboard: Page;
  const admin = (path: string) =>
    fetch(`${example.origin}/api/v1/earn${path}`, { headers: { authorization: 'Bearer demo-admin-token' } }).then(async (r) => ((await r.json()) as { data: any }).data);

  it('a conversion of demo-review-product is held: nothing moves until an admin decides', async () => {
    await page.locator('[data-offer="demo-review-product"] button').click();
    await expect.poll(async () => (await advertiser()).url(), { timeout: 15_000 }).toContain('offer=demo-review-product');
    const frame = await advertiser();
    await frame.locator('#click-id').filter({ hasText: /^[0-9a-f-]{36}$/ }).waitFor();
    expect(await send(frame, 'complete', 1)).toBe('200');
    expect(await frame.locator('#log li[data-action]').first().locator('.verdict').textContent()).toContain('decision held');
    await page.waitForTimeout(1_000);
    expect([await apiBalance('demo-friend-token'), await apiBalance('demo-token')]).toEqual(['0.00', '0.00']);
  });

  it('the dashboard signs in with the admin token and charts the day', async () => {
    dashboard = await chromium.context.newPage();
    dashboard.on('request', (request) => {
      if (!request.url().startsWith(example.origin)) foreignRequests.push(request.url());
    });
    await dashboard.goto(`${example.origin}/dashboard`);
    await dashboard.locator('#token').fill('demo-admin-token');
    await dashboard.locator('#login button').click();
    await expect.poll(() => dashboard.locator('[data-total="Clicks"] strong').textContent(), { timeout: 15_000 }).toBe('2');
    expect(await dashboard.locator('[data-total="Credited"] strong').textContent()).toBe('50.00');
    expect(await dashboard.locator('[data-total="Reversed"] strong').textContent()).toBe('50.00');
    expect(await dashboard.locator('[data-total="Refused postbacks"] strong').textContent()).toBe('1');
    expect(await dashboard.locator('.chart canvas').count()).toBe(3);
    await dashboard.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-1-overview.png'), fullPage: true });
  });

  it('the postback log shows the forged callback as forbidden, with why and what was received', async () => {
    await dashboard.locator('#tabs [data-tab="postbacks"]').click();
    await dashboard.locator('#postbacks-rows tr[data-decision="forbidden"]').first().waitFor({ timeout: 15_000 });
    await dashboard.locator('#postbacks-form select[name="decision"]').selectOption('forbidden');
    await dashboard.locator('#postbacks-form button').click();
    await expect.poll(() => dashboard.locator('#postbacks-rows tr[data-attempt]').count()).toBe(1);
    await dashboard.locator('#postbacks-rows tr[data-decision="forbidden"]').click();
    const detail = dashboard.locator('#postback-detail');
    expect(await detail.textContent()).toContain('signature does not match');
    expect(await detail.locator('#raw-data').textContent()).toContain('forged_conv_');
    expect(await detail.textContent()).toContain('127.0.0.1');
    await dashboard.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-2-postback-log.png'), fullPage: true });
  });

  it('approving the held earning from the hold queue credits the user and the referrer once', async () => {
    await dashboard.locator('#tabs [data-tab="holds"]').click();
    const row = dashboard.locator('#holds-rows tr[data-user="demo-friend"]');
    await row.waitFor({ timeout: 15_000 });
    expect(await row.count()).toBe(1);
    await dashboard.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-3-hold-queue.png'), fullPage: true });
    await row.locator('button.approve').click();
    await expect.poll(() => dashboard.locator('#notice').textContent()).toContain('Approved 50.00 for demo-friend (applied)');
    expect(await dashboard.locator('#holds-rows tr[data-user]').count()).toBe(0);
    expect([await apiBalance('demo-friend-token'), await apiBalance('demo-token')]).toEqual(['50.00', '5.00']);
    expect((await admin('/admin/earnings?approvalStatus=pending')).items).toEqual([]);
    // The user's page shows it too.
    await expect.poll(() => balance('demo-friend').textContent(), { timeout: 10_000 }).toBe('50.00');
  });

  it("a user's wallet and ledger statement, with the running balance", async () => {
    await dashboard.locator('#tabs [data-tab="user"]').click();
    await dashboard.locator('#user-form input[name="userId"]').fill('demo-friend');
    await dashboard.locator('#user-form button').click();
    await expect.poll(() => dashboard.locator('#ledger-rows tr[data-entry]').count(), { timeout: 15_000 }).toBe(3);
    expect(await dashboard.locator('[data-total="Balance"] strong').textContent()).toBe('50.00 USD');
    const balancesAfter = await dashboard.locator('#ledger-rows tr[data-entry] td:nth-child(4)').allTextContents();
    expect(balancesAfter).toEqual(['50.00', '0.00', '50.00']);
    await dashboard.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-4-user-ledger.png'), fullPage: true });
    // Every change of money produced an event: the deliveries view lists them, as the API does.
    await dashboard.locator('#tabs [data-tab="webhooks"]').click();
    const deliveries = (await admin('/admin/webhooks/deliveries?limit=200')).items as { id: string }[];
    expect(deliveries.length).toBeGreaterThan(0);
    await expect.poll(() => dashboard.locator('#webhook-rows tr[data-delivery]').count(), { timeout: 10_000 }).toBe(deliveries.length);
    expect(await dashboard.locator('#notice').isHidden()).toBe(true);
    await dashboard.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-5-webhooks.png'), fullPage: true });
    expect(foreignRequests).toEqual([]);
  });

  it('a user-keyed network callback (Tapjoy, signed with its verifier) sent from the advertiser page credits the user', async () => {
    const frame = await advertiser();
    await frame.locator('#network-user').selectOption('demo-friend');
    await frame.locator('#network-amount').fill('10.00');
    await frame.locator('#network-send').click();
    const entry = frame.locator('#log li[data-action="network"]');
    await entry.waitFor({ timeout: 15_000 });
    expect(await entry.getAttribute('data-status')).toBe('200');
    expect(await entry.locator('.verdict').textContent()).toBe('200 · OK');
    await expect.poll(() => balance('demo-friend').textContent(), { timeout: 10_000 }).toBe('60.00');
    expect(await apiBalance('demo-friend-token')).toBe('60.00');
    const attempts = await admin('/admin/postbacks?network=tapjoy');
    expect(attempts.items.map((attempt: { decision: string }) => attempt.decision)).toEqual(['credited']);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'demo-7-network-callback.png') });
  });
});
