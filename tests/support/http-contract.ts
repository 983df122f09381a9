/**
 * The HTTP contract suite: every route and error of docs/contract.md over real HTTP on loopback.
 * One suite, run against each framework helper on each store, so they cannot drift apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickTracker, type Logger, hmacSignature, sharedSecret, signPostback, type ClickStore, type ClickTracker, type ClickTrackerOptions } from 'clickcredit';
import { TestClock } from 'clickcredit/testing';
import { runAdminHttpContract } from './http-contract-admin.js';

/** A running server with the helper mounted under /api/v1/earn. */
export interface RunningServer {
  baseUrl: string;
  close(): Promise<void>;
}

/** A framework helper under test. */
export interface HttpTarget {
  name: string;
  start(tracker: ClickTracker, options: StartOptions): Promise<RunningServer>;
}

/** How the host app is configured around the helper. */
export interface StartOptions {
  trustProxy: boolean;
  authenticate: (authorization: string | undefined) => string | null;
  /** The host set a query parser that builds objects/arrays (Express "extended", a custom Fastify one). */
  nestingQueryParser?: boolean;
  /** Passed to the helper: receives unexpected (500) errors. */
  onError: (error: unknown) => void;
  /** The host's admin check (admin routes): an admin id, `false` for a non-admin, `null` without credentials. */
  authorizeAdmin?: (authorization: string | undefined) => string | false | null;
  /** Passed to the helper: where admin refusals are logged. */
  logger?: Logger;
}

/** A store under test. */
export interface StoreTarget {
  name: string;
  open(): Promise<{ storage: ClickStore; cleanup(): Promise<void> }>;
}

const TOKENS: Record<string, string> = { 'token-a': 'user-a', 'token-b': 'user-b' };
const authenticate = (authorization: string | undefined) => {
  if (authorization === 'Bearer explode') throw new TypeError('session store exploded: secret internal detail');
  const match = /^Bearer (\S+)$/.exec(authorization ?? '');
  return match ? (TOKENS[match[1]!] ?? null) : null;
};

export function runHttpContract(target: HttpTarget, store: StoreTarget): void {
  runAdminHttpContract(target, store);
  describe(`HTTP contract: ${target.name} on ${store.name}`, () => {
    const clock = new TestClock();
    const servers: RunningServer[] = [];
    const unexpected: unknown[] = [];
    const onError = (error: unknown) => void unexpected.push(error);
    let storage: ClickStore;
    let cleanup: () => Promise<void>;
    let base: string;
    let tracker: ClickTracker;

    const makeTracker = (overrides: Partial<ClickTrackerOptions> = {}) =>
      createClickTracker({
        storage,
        products: { getProduct: (id) => (id === 'prod' ? { productId: id, earnUpTo: '50.00', active: true } : null) },
        publicUrl: 'http://127.0.0.1/api/v1/earn',
        referrals: { referrerOf: (userId) => (userId === 'user-b' ? 'user-a' : null) },
        referralCommission: '10%',
        allowUnverifiedPostbacks: true,
        clock,
        clickTtlSeconds: 3600,
        logger: { info() {}, warn() {}, error() {} },
        ...overrides,
      });
    const serve = async (t: ClickTracker, trustProxy = false, nestingQueryParser = false) => {
      const server = await target.start(t, { trustProxy, authenticate, nestingQueryParser, onError });
      servers.push(server);
      return `${server.baseUrl}/api/v1/earn`;
    };

    beforeAll(async () => {
      ({ storage, cleanup } = await store.open());
      tracker = makeTracker();
      base = await serve(tracker);
    }, 60_000);
    afterAll(async () => {
      for (const server of servers) await server.close();
      await cleanup();
    });

    const call = async (method: string, path: string, init: { token?: string; json?: unknown; body?: string; type?: string; headers?: Record<string, string>; url?: string } = {}) => {
      const headers: Record<string, string> = { ...init.headers };
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      let body: string | undefined = init.body;
      if (init.json !== undefined) {
        body = JSON.stringify(init.json);
        headers['content-type'] = 'application/json';
      }
      if (init.type) headers['content-type'] = init.type;
      const response = await fetch(`${init.url ?? base}${path}`, { method, headers, body, redirect: 'manual' });
      const text = await response.text();
      expect(text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/); // never a stack trace
      return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
    };
    /** A balance in minor units, exactly (never through a float). */
    const cents = async (token: string) => {
      const balance = (await call('GET', '/wallet', { token })).body.data.balance as string;
      expect(balance).toMatch(/^-?\d+\.\d{2}$/);
      return BigInt(balance.replace('.', ''));
    };
    const newClick = async (token = 'token-b') => {
      const r = await call('POST', '/products/prod/click', { token, json: { taskUrl: 'https://advertiser.example/offer?x=1' } });
      expect(r.status).toBe(201);
      return r.body.data.clickId as string;
    };

    it('POST /products/:productId/click issues a click (201) with the envelope', async () => {
      const r = await call('POST', '/products/prod/click', { token: 'token-b', json: { taskUrl: 'https://advertiser.example/offer', offerId: 'o-1' } });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ success: true, message: expect.any(String), data: { clickId: expect.any(String), redirectUrl: expect.stringContaining('click_id='), expiresAt: expect.any(String), trackingUrl: expect.stringContaining('/postback?click_id=') } });
      const click = await call('GET', `/clicks/${r.body.data.clickId}`, { token: 'token-b' });
      expect(click.status).toBe(200);
      expect(click.body.data).toMatchObject({ userId: 'user-b', offerId: 'o-1', status: 'pending', ipAddress: expect.any(String) });
    });

    it('refuses click creation without a token (401), for an unknown product (404), with a bad URL or body (400)', async () => {
      expect((await call('POST', '/products/prod/click', { json: { taskUrl: 'https://a.example/' } })).body.error.code).toBe('UNAUTHORIZED');
      expect((await call('POST', '/products/prod/click', { token: 'nope', json: { taskUrl: 'https://a.example/' } })).status).toBe(401);
      const unknown = await call('POST', '/products/nope/click', { token: 'token-a', json: { taskUrl: 'https://a.example/' } });
      expect([unknown.status, unknown.body.error.code]).toEqual([404, 'NOT_FOUND']);
      for (const json of [{ taskUrl: 'javascript:alert(1)' }, { taskUrl: 'ftp://a.example/' }, {}, { taskUrl: 'https://a.example/', extra: 1 }]) {
        const r = await call('POST', '/products/prod/click', { token: 'token-a', json });
        expect([r.status, r.body.success, r.body.error.code]).toEqual([400, false, 'VALIDATION_ERROR']);
      }
      const broken = await call('POST', '/products/prod/click', { token: 'token-a', body: '{"taskUrl":', type: 'application/json' });
      expect([broken.status, broken.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    });

    it('GET /track/:clickId reports the status, redirects with ?redirect=1, refuses bad ids', async () => {
      const clickId = await newClick();
      expect((await call('GET', `/track/${clickId}`)).body).toEqual({ success: true, message: expect.any(String), data: { clickId, status: 'pending' } });
      const redirect = await call('GET', `/track/${clickId}?redirect=1`);
      expect(redirect.status).toBe(302);
      expect(redirect.headers.get('location')).toContain(`click_id=${clickId}`);
      expect((await call('GET', '/track/not-a-uuid')).status).toBe(400);
      expect((await call('GET', '/track/7d444840-9dc0-41a2-8b1f-3a4d9a8c5e6f')).status).toBe(404);
      expect((await call('GET', `/clicks/${clickId}`, { token: 'token-b' })).body.data.visitCount).toBe(2);
    });

    it('POST /postback (JSON) credits once, with commission; a replay is 200 duplicate: true', async () => {
      const clickId = await newClick();
      const [friendBefore, referrerBefore] = [await cents('token-b'), await cents('token-a')];
      const body = { amount: 50.0, status: 'completed', transactionId: 'txn_1', conversionId: 'conv_1' };
      const first = await call('POST', `/postback?click_id=${clickId}`, { json: body });
      expect(first.status).toBe(200);
      expect(first.body.data).toMatchObject({ clickId, conversionId: 'conv_1', status: 'completed', amount: '50.00', duplicate: false });
      const again = await call('POST', `/postback?click_id=${clickId}`, { json: body });
      expect([again.status, again.body.data.duplicate, again.body.data.earningId]).toEqual([200, true, first.body.data.earningId]);
      const friend = await call('GET', '/wallet', { token: 'token-b' });
      expect(friend.body.data).toMatchObject({ userId: 'user-b', currency: 'USD' });
      expect(await cents('token-b')).toBe(friendBefore + 5000n); // 50.00 once, despite the replay
      expect(await cents('token-a')).toBe(referrerBefore + 500n); // 10% referral commission, once
    });

    it('accepts GET postbacks with everything in the query, and form-encoded POSTs', async () => {
      const a = await newClick();
      const get = await call('GET', `/postback?click_id=${a}&amount=12.34&status=approved&transactionId=t&conversionId=c`);
      expect([get.status, get.body.data.amount, get.body.data.status]).toEqual([200, '12.34', 'completed']);
      const b = await newClick();
      const form = await call('POST', `/postback?click_id=${b}`, { body: 'amount=7.5&status=pending&conversionId=c', type: 'application/x-www-form-urlencoded' });
      expect([form.status, form.body.data.amount, form.body.data.status]).toEqual([200, '7.50', 'pending']);
      const c = await newClick();
      const inBody = await call('POST', '/postback', { json: { click_id: c, amount: '1.00' } });
      expect([inBody.status, inBody.body.data.clickId]).toEqual([200, c]);
    });

    it('refuses query-string objects, arrays, bad ids and bad amounts with 400 and credits nothing', async () => {
      const clickId = await newClick('token-a');
      const balance = async () => (await call('GET', '/wallet', { token: 'token-a' })).body.data.balance;
      const before = await balance();
      for (const path of [
        `/postback?click_id[$ne]=x`,
        `/postback?click_id=${clickId}&click_id=${clickId}`,
        `/postback?click_id=${clickId}&amount[$gt]=0`,
        '/postback?click_id=not-a-uuid',
        `/postback?click_id=${clickId}&amount=-5`,
        `/postback?click_id=${clickId}&amount=1.234`,
        `/postback?click_id=${clickId}&amount=abc`,
        `/postback?click_id=${clickId}&status=teleported`,
      ]) {
        const r = await call('GET', path);
        expect([path, r.status, r.body.error.code]).toEqual([path, 400, 'VALIDATION_ERROR']);
      }
      const nested = await call('POST', `/postback?click_id=${clickId}`, { json: { amount: { $gt: 0 } } });
      expect(nested.status).toBe(400);
      const broken = await call('POST', `/postback?click_id=${clickId}`, { body: '{"amount": 5', type: 'application/json' });
      expect(broken.status).toBe(400);
      expect(await balance()).toBe(before);
    });

    it('refuses nested and repeated query keys even when the host query parser builds objects and arrays', async () => {
      const url = await serve(tracker, false, true);
      const clickId = await newClick('token-a');
      const before = await cents('token-a');
      for (const path of [`/postback?click_id[$ne]=x`, `/postback?click_id=${clickId}&click_id=${clickId}`, `/postback?click_id=${clickId}&amount[$gt]=0`, '/earnings?limit=1&limit=2']) {
        const r = await call('GET', path, { url, token: 'token-a' });
        expect([path, r.status, r.body.error.code]).toEqual([path, 400, 'VALIDATION_ERROR']);
      }
      expect(await cents('token-a')).toBe(before);
    });

    it('answers an undecodable URL with the 400 envelope', async () => {
      for (const path of ['/track/%ZZ', '/clicks/%E0%A4%A']) {
        const r = await call('GET', path, { token: 'token-a' });
        expect([path, r.status, r.body.success, r.body.error.code]).toEqual([path, 400, false, 'VALIDATION_ERROR']);
      }
    });

    it('verifies Standard Webhooks signatures over the exact raw body (POST) and raw query (GET)', async () => {
      const secret = 'whsec_' + Buffer.from('http-contract-secret').toString('base64');
      const signed = await serve(makeTracker({ verifier: hmacSignature({ secrets: [secret], clock }), allowUnverifiedPostbacks: false }));
      const now = () => Math.floor(clock.now().getTime() / 1000);
      const before = await cents('token-b');

      const formClick = await newClick();
      const form = `click_id=${formClick}&amount=10.00&status=completed&conversionId=form-1&note=caf%C3%A9+%26+more`;
      const formHeaders = { ...signPostback({ secret, id: 'msg_form', timestamp: now(), payload: form }) };
      // The same signature over a re-encoded body (same fields, other bytes) is refused.
      const reencoded = await call('POST', '/postback', { url: signed, body: form.replace('+', '%20'), type: 'application/x-www-form-urlencoded', headers: formHeaders });
      expect([reencoded.status, reencoded.body.error.code]).toEqual([403, 'POSTBACK_FORBIDDEN']);
      // A signed body sent with an extra, unsigned query parameter is refused too.
      const unsignedQuery = await call('POST', '/postback?transactionId=not-signed', { url: signed, body: form, type: 'application/x-www-form-urlencoded', headers: formHeaders });
      expect([unsignedQuery.status, unsignedQuery.body.error.code]).toEqual([403, 'POSTBACK_FORBIDDEN']);
      const postForm = await call('POST', '/postback', { url: signed, body: form, type: 'application/x-www-form-urlencoded', headers: formHeaders });
      expect([postForm.status, postForm.body.data?.amount]).toEqual([200, '10.00']);

      const getClick = await newClick();
      const query = `click_id=${getClick}&amount=2.50&status=completed&conversionId=get-1`;
      const getHeaders = { ...signPostback({ secret, id: 'msg_get', timestamp: now(), payload: query }) };
      const get = await call('GET', `/postback?${query}`, { url: signed, headers: getHeaders });
      expect([get.status, get.body.data?.amount]).toEqual([200, '2.50']);
      const tampered = await call('GET', `/postback?${query.replace('2.50', '25.00')}`, { url: signed, headers: getHeaders });
      expect([tampered.status, tampered.body.error.code]).toEqual([403, 'POSTBACK_FORBIDDEN']);

      expect(await cents('token-b')).toBe(before + 1000n + 250n);
    });

    it('answers 404 unknown click, 409 second conversion, 410 expired', async () => {
      expect((await call('GET', '/postback?click_id=7d444840-9dc0-41a2-8b1f-3a4d9a8c5e6f')).body.error.code).toBe('NOT_FOUND');
      const clickId = await newClick();
      expect((await call('GET', `/postback?click_id=${clickId}&conversionId=one`)).status).toBe(200);
      const conflict = await call('GET', `/postback?click_id=${clickId}&conversionId=two`);
      expect([conflict.status, conflict.body.error.code]).toEqual([409, 'CONFLICT']);
      const late = await newClick();
      clock.advanceSeconds(3601);
      const expired = await call('GET', `/postback?click_id=${late}&conversionId=x`);
      expect([expired.status, expired.body.error.code]).toEqual([410, 'CLICK_EXPIRED']);
    });

    it('refuses a body over 1 MiB with 413', async () => {
      const r = await call('POST', '/postback', { body: JSON.stringify({ pad: 'x'.repeat(1_100_000) }), type: 'application/json' });
      expect([r.status, r.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    });

    it('shows a click to its owner only, pages earnings, and 404s unknown routes', async () => {
      const clickId = await newClick('token-b');
      expect((await call('GET', `/clicks/${clickId}`, { token: 'token-a' })).status).toBe(404);
      expect((await call('GET', `/clicks/${clickId}`)).status).toBe(401);
      const page = await call('GET', '/earnings?limit=2', { token: 'token-b' });
      expect(page.status).toBe(200);
      expect(page.body.data.items.length).toBeLessThanOrEqual(2);
      if (page.body.data.nextCursor) {
        const next = await call('GET', `/earnings?limit=2&cursor=${page.body.data.nextCursor}`, { token: 'token-b' });
        expect(next.body.data.items.map((e: { earningId: string }) => e.earningId)).not.toContain(page.body.data.items[0].earningId);
      }
      expect((await call('GET', '/earnings?limit=0', { token: 'token-b' })).status).toBe(400);
      expect((await call('GET', '/earnings?cursor=%21%21', { token: 'token-b' })).status).toBe(400);
      const missing = await call('GET', '/no-such-route');
      expect([missing.status, missing.body.success, missing.body.error.code]).toEqual([404, false, 'NOT_FOUND']);
    });

    it('with a verifier: 403 POSTBACK_FORBIDDEN, audited, nothing credited; the right secret credits', async () => {
      const secured = await serve(makeTracker({ verifier: sharedSecret({ secrets: ['s3cret'] }), allowUnverifiedPostbacks: false }));
      const clickId = await newClick('token-a');
      const balance = async () => (await call('GET', '/wallet', { token: 'token-a' })).body.data.balance;
      const before = await balance();
      const refused = await call('GET', `/postback?click_id=${clickId}&secret=guess`, { url: secured });
      expect([refused.status, refused.body.error.code]).toEqual([403, 'POSTBACK_FORBIDDEN']);
      expect(await balance()).toBe(before);
      expect((await tracker.listPostbackAttempts(clickId)).map((a) => a.decision)).toEqual(['forbidden']);
      const accepted = await call('GET', `/postback?click_id=${clickId}&amount=1.00`, { url: secured, headers: { 'x-postback-secret': 's3cret' } });
      expect(accepted.status).toBe(200);
    });

    it('records the client IP through the host trust-proxy setting', async () => {
      const trusting = await serve(tracker, true);
      const a = await newClick();
      await call('GET', `/postback?click_id=${a}`, { url: trusting, headers: { 'x-forwarded-for': '203.0.113.9' } });
      expect((await tracker.listPostbackAttempts(a))[0]?.sourceIp).toBe('203.0.113.9');
      const b = await newClick();
      await call('GET', `/postback?click_id=${b}`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
      expect((await tracker.listPostbackAttempts(b))[0]?.sourceIp).not.toBe('203.0.113.9');
    });

    it('answers an unexpected error with a generic 500 INTERNAL, handing the error to onError only', async () => {
      const r = await call('GET', '/wallet', { token: 'explode' });
      expect(r.body).toEqual({ success: false, message: 'Internal error', error: { code: 'INTERNAL' } });
      expect(r.status).toBe(500);
      expect(unexpected.map((e) => (e as Error).message)).toEqual(['session store exploded: secret internal detail']);
    });

    it('refuses an amount that is present but empty or null (400 invalid_amount), never paying the cap', async () => {
      const clickId = await newClick('token-a');
      const before = await cents('token-a');
      const refusals = [
        await call('GET', `/postback?click_id=${clickId}&amount=`),
        await call('GET', `/postback?click_id=${clickId}&payout=%20%20`),
        await call('POST', `/postback?click_id=${clickId}`, { json: { amount: '' } }),
        await call('POST', `/postback?click_id=${clickId}`, { json: { amount: null } }),
        await call('POST', `/postback?click_id=${clickId}`, { body: 'amount=&status=completed', type: 'application/x-www-form-urlencoded' }),
        // A JSON document sent as a form has no readable fields at all.
        await call('POST', `/postback?click_id=${clickId}`, { body: '{"amount":"1.00"}', type: 'application/x-www-form-urlencoded' }),
      ];
      for (const r of refusals) expect([r.status, r.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
      expect(await cents('token-a')).toBe(before);
      const decisions = (await tracker.listPostbackAttempts(clickId)).map((a) => a.decision);
      expect(decisions.slice(0, 5)).toEqual(['invalid_amount', 'invalid_amount', 'invalid_amount', 'invalid_amount', 'invalid_amount']);
      // The JSON-as-form body is refused by the HTTP layer before any field is read (like broken JSON).
      expect(decisions).toHaveLength(5);
      expect((await call('GET', `/clicks/${clickId}`, { token: 'token-a' })).body.data.status).toBe('pending');
    });

    it('answers a cursor no store can represent with 400, not 503', async () => {
      for (const cursor of ['OTk5OTk5OTk5OTk5OTk5Ong', Buffer.from('253402300800000:x').toString('base64url')]) {
        const r = await call('GET', `/earnings?cursor=${cursor}`, { token: 'token-b' });
        expect([cursor, r.status, r.body.error.code]).toEqual([cursor, 400, 'VALIDATION_ERROR']);
      }
    });

    it('stores task URLs normalised, refuses relative-looking and control-character ones', async () => {
      const padded = await call('POST', '/products/prod/click', { token: 'token-b', json: { taskUrl: '  https://advertiser.example/p q?a=1  ' } });
      expect(padded.status).toBe(201);
      expect(padded.body.data.redirectUrl).toMatch(/^https:\/\/advertiser\.example\/p%20q\?a=1&click_id=/);
      const redirect = await call('GET', `/track/${padded.body.data.clickId}?redirect=1`);
      expect(redirect.headers.get('location')).toBe(padded.body.data.redirectUrl);
      for (const taskUrl of ['https:example.com/x', 'https:/example.com/x', 'https://exa\tmple.com/', 'https://example.com/\r\nSet-Cookie: a=b', 'https://example.com/\u0000', '//example.com/x', 'https://']) {
        const r = await call('POST', '/products/prod/click', { token: 'token-b', json: { taskUrl } });
        expect([JSON.stringify(taskUrl), r.status, r.body.error.code]).toEqual([JSON.stringify(taskUrl), 400, 'VALIDATION_ERROR']);
      }
    });

    it('answers ?redirect=1 on an expired click with 410 instead of sending the user on', async () => {
      const clickId = await newClick();
      clock.advanceSeconds(3601);
      const r = await call('GET', `/track/${clickId}?redirect=1`);
      expect([r.status, r.body.error.code, r.headers.get('location')]).toEqual([410, 'CLICK_EXPIRED', null]);
      expect((await call('GET', `/track/${clickId}`)).body.data.status).toBe('expired');
    });

    it('answers long product ids alike on both frameworks (up to 256 characters valid)', async () => {
      const ok = await call('POST', `/products/${'p'.repeat(200)}/click`, { token: 'token-a', json: { taskUrl: 'https://a.example/' } });
      expect([ok.status, ok.body.error.code]).toEqual([404, 'NOT_FOUND']);
      const tooLong = await call('POST', `/products/${'p'.repeat(257)}/click`, { token: 'token-a', json: { taskUrl: 'https://a.example/' } });
      expect([tooLong.status, tooLong.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
      // The over-long parameter is refused before the body is read, on both (not 413 on one).
      const huge = JSON.stringify({ taskUrl: 'https://a.example/', pad: 'x'.repeat(1_400_000) });
      const both = await call('POST', `/products/${'p'.repeat(297)}/click`, { token: 'token-a', body: huge, type: 'application/json' });
      expect([both.status, both.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
      // An empty parameter names nothing: 404 on both (Fastify matches it, Express does not).
      const empty = await call('GET', '/clicks/', { token: 'token-a' });
      expect([empty.status, empty.body.error.code]).toEqual([404, 'NOT_FOUND']);
    });

    it('answers 503 UNAVAILABLE when storage is unreachable, so the advertiser retries', async () => {
      const fail = async () => {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      };
      const down = new Proxy(storage, {
        get(target, property, receiver) {
          if (property === 'wallet') return { apply: fail, getBalance: fail };
          const value = Reflect.get(target, property, receiver);
          return typeof value === 'function' ? fail : value;
        },
      });
      const url = await serve(makeTracker({ storage: down }));
      const r = await call('GET', '/postback?click_id=7d444840-9dc0-41a2-8b1f-3a4d9a8c5e6f', { url });
      expect([r.status, r.body.error.code]).toEqual([503, 'UNAVAILABLE']);
      expect(JSON.stringify(r.body)).not.toContain('ECONNREFUSED');
      expect((await call('GET', '/wallet', { url, token: 'token-a' })).status).toBe(503);
    });
  });
}
