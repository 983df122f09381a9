/**
 * The typed client against the real Express router and Fastify plugin on loopback, on the memory
 * store: every user route, a signed postback, and each error code it must surface.
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createMemoryStore } from 'clickcredit/memory';
import { hmacSignature, signPostback, type ClickCreated, type EarningsPage, type WalletView } from 'clickcredit';
import { ClickCreditClientError, createClickCreditClient, isClickCreditClientError, type ClickCreditClient } from 'clickcredit/client';
import { expressTarget, fastifyTarget } from '../support/http-targets.js';
import type { HttpTarget, RunningServer } from '../support/http-contract.js';
import { referredTracker } from '../support/trackers.js';

const SECRET = 'client-test-secret';
const TOKENS: Record<string, string> = { 'token-friend': 'friend', 'token-other': 'other' };
const tokenOf = (authorization: string | undefined) => /^Bearer (\S+)$/.exec(authorization ?? '')?.[1] ?? '';
const authenticate = (authorization: string | undefined) => TOKENS[tokenOf(authorization)] ?? null;
// An operator token; a user's token is valid but not an admin's (403); anything else is 401.
const authorizeAdmin = (authorization: string | undefined) => (tokenOf(authorization) === 'token-admin' ? 'ops' : TOKENS[tokenOf(authorization)] ? false : null);

async function failure(promise: Promise<unknown>): Promise<ClickCreditClientError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!(error instanceof ClickCreditClientError)) throw new Error(`expected a ClickCreditClientError, got ${String(error)}`);
  return error;
}

describe.each([expressTarget, fastifyTarget] as HttpTarget[])('clickcredit/client on $name', (target) => {
  let server: RunningServer;
  let base: string;
  let friend: ClickCreditClient;
  let referrer: ClickCreditClient;

  beforeAll(async () => {
    const tracker = referredTracker(createMemoryStore(), {
      verifier: hmacSignature({ secrets: [SECRET], secretEncoding: 'raw' }),
      allowUnverifiedPostbacks: false,
      // Every conversion of the "review" product waits for an admin.
      products: { getProduct: (id) => ({ productId: id, earnUpTo: '50.00', active: true, ...(id === 'review' ? { hold: 'always' as const } : {}) }) },
    });
    // A quiet logger: the refused admin requests below are logged on purpose.
    server = await target.start(tracker, { trustProxy: false, authenticate, authorizeAdmin, onError: () => undefined, logger: { info() {}, warn() {}, error() {} } });
    base = `${server.baseUrl}/api/v1/earn`;
    friend = createClickCreditClient({ baseUrl: base, token: 'token-friend' });
    // A token function (read per call), as an app with a refreshing session would pass.
    referrer = createClickCreditClient({ baseUrl: `${base}/`, token: async () => 'token-other' });
  });
  afterAll(() => server.close());

  it('creates a click, tracks it, reads it back; the types are the server schemas', async () => {
    const click = await friend.createClick('demo-product', { taskUrl: 'https://advertiser.test/offer' });
    expectTypeOf(click).toEqualTypeOf<ClickCreated>();
    expect(click.redirectUrl).toContain(`click_id=${click.clickId}`);
    expect(new Date(click.expiresAt).getTime()).toBeGreaterThan(Date.now());
    await expect(friend.trackClick(click.clickId)).resolves.toEqual({ clickId: click.clickId, status: 'pending' });
    const view = await friend.getClick(click.clickId);
    expect(view).toMatchObject({ clickId: click.clickId, userId: 'friend', visitCount: 1, earnUpTo: '50.00' });
  });

  it('a signed postback credits the wallet with exact decimal strings; a replay is a duplicate', async () => {
    const { clickId } = await friend.createClick('demo-product', { taskUrl: 'https://advertiser.test/offer' });
    const rawBody = JSON.stringify({ click_id: clickId, amount: '12.30', status: 'completed', conversionId: `conv-${clickId}` });
    const headers = signPostback({ secret: SECRET, secretEncoding: 'raw', id: `msg_${clickId}`, timestamp: Math.floor(Date.now() / 1000), payload: rawBody });
    const first = await friend.sendPostback({}, { rawBody, headers });
    expect(first).toMatchObject({ clickId, amount: '12.30', status: 'completed', duplicate: false });
    const again = await friend.sendPostback({}, { rawBody, headers });
    expect(again).toMatchObject({ earningId: first.earningId, duplicate: true });

    const wallet = await friend.getWallet();
    expectTypeOf(wallet).toEqualTypeOf<WalletView>();
    expect(wallet.balance).toBe('12.30');
    const page = await friend.listEarnings({ limit: 1 });
    expectTypeOf(page).toEqualTypeOf<EarningsPage>();
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ clickId, amount: '12.30', credited: true, commission: '1.23' });
  });

  it('the generic request() reaches any route by method and path', async () => {
    const wallet = await referrer.request('GET', '/wallet');
    expect(wallet.userId).toBe('other');
    const page = await friend.request('GET', '/earnings', { query: { limit: 5 } });
    expect(Array.isArray(page.items)).toBe(true);
  });

  it('errors carry the contract code and status', async () => {
    const anonymous = createClickCreditClient({ baseUrl: base });
    const unauthorized = await failure(anonymous.getWallet());
    expect([unauthorized.code, unauthorized.status]).toEqual(['UNAUTHORIZED', 401]);
    expect(isClickCreditClientError(unauthorized)).toBe(true);

    const invalid = await failure(friend.createClick('demo-product', { taskUrl: 'ftp://nope.test/' }));
    expect([invalid.code, invalid.status]).toEqual(['VALIDATION_ERROR', 400]);

    const { clickId } = await friend.createClick('demo-product', { taskUrl: 'https://advertiser.test/offer' });
    const foreign = await failure(referrer.getClick(clickId));
    expect([foreign.code, foreign.status]).toEqual(['NOT_FOUND', 404]);

    const forged = await failure(friend.sendPostback({ click_id: clickId, amount: '50.00', status: 'completed' }));
    expect([forged.code, forged.status]).toEqual(['POSTBACK_FORBIDDEN', 403]);
    expect((await friend.getWallet()).balance).toBe('12.30');

    const badLimit = await failure(friend.listEarnings({ limit: 1000 }));
    expect([badLimit.code, badLimit.status]).toEqual(['VALIDATION_ERROR', 400]);
  });

  it('the admin routes: hold queue, approve (then unchanged, reject 409), ledger, adjustments, postback log, stats', async () => {
    const ops = createClickCreditClient({ baseUrl: base, token: 'token-admin' }).admin;
    const { clickId } = await friend.createClick('review', { taskUrl: 'https://advertiser.test/offer' });
    const rawBody = JSON.stringify({ click_id: clickId, amount: '20.00', status: 'completed', conversionId: `conv-${clickId}` });
    const headers = signPostback({ secret: SECRET, secretEncoding: 'raw', id: `msg_${clickId}`, timestamp: Math.floor(Date.now() / 1000), payload: rawBody });
    expect(await friend.sendPostback({}, { rawBody, headers })).toMatchObject({ decision: 'held', approvalStatus: 'pending' });
    expect((await friend.getWallet()).balance).toBe('12.30');

    const queue = await ops.listEarnings({ approvalStatus: 'pending' });
    expect(queue.items.map((earning) => earning.clickId)).toEqual([clickId]);
    const earningId = queue.items[0]!.earningId;
    expect((await ops.getEarning(earningId)).attempts.map((attempt) => attempt.decision)).toEqual(['held']);
    expect((await ops.approveEarning(earningId)).outcome).toBe('applied');
    expect((await ops.approveEarning(earningId)).outcome).toBe('unchanged');
    const conflict = await failure(ops.rejectEarning(earningId));
    expect([conflict.code, conflict.status]).toEqual(['CONFLICT', 409]);
    expect((await friend.getWallet()).balance).toBe('32.30');

    expect(await ops.adjust('friend', { amount: '1.00', direction: 'credit', reason: 'goodwill', key: 'adj-1' })).toMatchObject({ balance: '33.30', duplicate: false });
    expect(await ops.adjust('friend', { amount: '1.00', direction: 'credit', reason: 'goodwill', key: 'adj-1' })).toMatchObject({ balance: '33.30', duplicate: true });
    const statement = await ops.ledger('friend', { limit: 10 });
    expect(statement.wallet.balance).toBe('33.30');
    expect(statement.items[0]).toMatchObject({ kind: 'manual_credit', amount: '1.00', balanceAfter: '33.30' });

    const forged = await ops.listPostbacks({ decision: 'forbidden' });
    expect(forged.items.length).toBeGreaterThan(0);
    expect(forged.items.every((attempt) => attempt.decision === 'forbidden')).toBe(true);
    const stats = await ops.stats({ from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000), bucket: 'hour' });
    expect(stats.rows.reduce((sum, row) => sum + row.clicks, 0)).toBeGreaterThanOrEqual(4);
    expect((await ops.listClicks({ userId: 'friend', limit: 2 })).items).toHaveLength(2);
    // No webhook endpoint is configured here: no delivery, and retrying an unknown one is 404.
    expect(await ops.webhookDeliveries({ state: 'dead' })).toEqual({ items: [], nextCursor: null });
    const unknown = await failure(ops.retryWebhookDelivery('no-such-delivery'));
    expect([unknown.code, unknown.status]).toEqual(['NOT_FOUND', 404]);
  });

  it('admin routes refuse a user token (FORBIDDEN 403) and no token (UNAUTHORIZED 401)', async () => {
    const asUser = await failure(createClickCreditClient({ baseUrl: base, token: 'token-friend' }).admin.listEarnings());
    expect([asUser.code, asUser.status]).toEqual(['FORBIDDEN', 403]);
    const anonymous = await failure(createClickCreditClient({ baseUrl: base }).admin.listPostbacks());
    expect([anonymous.code, anonymous.status]).toEqual(['UNAUTHORIZED', 401]);
    const badFilter = await failure(createClickCreditClient({ baseUrl: base, token: 'token-admin' }).admin.listEarnings({ limit: 1_000_000_000 }));
    expect([badFilter.code, badFilter.status]).toEqual(['VALIDATION_ERROR', 400]);
  });

  it('no answer is NETWORK_ERROR (status 0); a non-envelope answer is INVALID_RESPONSE', async () => {
    const closed = createClickCreditClient({ baseUrl: 'http://127.0.0.1:1/api' });
    const offline = await failure(closed.getWallet());
    expect([offline.code, offline.status]).toEqual(['NETWORK_ERROR', 0]);

    const proxy = createClickCreditClient({ baseUrl: base, fetch: async () => new Response('<html>502 Bad Gateway</html>', { status: 502 }) });
    const html = await failure(proxy.getWallet());
    expect([html.code, html.status]).toEqual(['INVALID_RESPONSE', 502]);
  });
});
