/**
 * The demo loop end to end in real Chromium, on the Express example (`npm start`) with embedded
 * PGlite in a temp DATA_DIR and a POSTBACK_SECRET: pick demo-friend, start the task (a real click,
 * opened through the tracking link), complete it on the mock advertiser (a signed S2S postback),
 * and read the wallets on screen; then a duplicate (nothing moves), a reversal (user and referrer
 * debited) and a forged callback (403). Screenshots go to test-output/screenshots/.
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
});
