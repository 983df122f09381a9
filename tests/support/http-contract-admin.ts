/**
 * The admin routes of the HTTP contract over real HTTP on loopback: 401/403 before any data,
 * a 400 envelope for every bad filter, approve/reject, adjustments (idempotent, 409 on overdraft),
 * the ledger statement's running balance, earning detail and statistics. Part of the HTTP
 * contract suite (called by {@link runHttpContract} for each framework and store).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickTracker, type ClickStore, type ClickTracker, type Logger } from 'clickcredit';
import { TestClock } from 'clickcredit/testing';
import type { HttpTarget, RunningServer, StoreTarget } from './http-contract.js';

const USERS: Record<string, string> = { 'token-a': 'user-a', 'token-b': 'user-b' };
const ADMINS: Record<string, string> = { 'admin-token': 'admin-1' };
const bearer = (authorization: string | undefined) => /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
const authenticate = (authorization: string | undefined) => USERS[bearer(authorization) ?? ''] ?? null;
/** An admin id for an admin token; `false` for a valid user token; `null` without valid credentials. */
const authorizeAdmin = (authorization: string | undefined) => {
  const token = bearer(authorization) ?? '';
  return ADMINS[token] ?? (USERS[token] ? false : null);
};

/** Admin routes with a sample path and body, for the auth checks. */
const ADMIN_CALLS: Array<[method: string, path: string, body?: unknown]> = [
  ['GET', '/admin/postbacks'],
  ['GET', '/admin/earnings'],
  ['GET', '/admin/earnings/e-1'],
  ['POST', '/admin/earnings/e-1/approve'],
  ['POST', '/admin/earnings/e-1/reject'],
  ['GET', '/admin/users/user-a/ledger'],
  ['POST', '/admin/users/user-a/adjustments', { amount: '1.00', direction: 'credit', reason: 'x', key: 'auth-check' }],
  ['GET', '/admin/clicks'],
  ['GET', '/admin/stats?from=2026-01-01&to=2026-01-02'],
  ['GET', '/admin/webhooks/deliveries'],
  ['POST', '/admin/webhooks/deliveries/evt_x/retry'],
];

export function runAdminHttpContract(target: HttpTarget, store: StoreTarget): void {
  describe(`HTTP contract, admin routes: ${target.name} on ${store.name}`, () => {
    const clock = new TestClock();
    const refusals: Array<Record<string, unknown> | undefined> = [];
    const logger: Logger = { info() {}, warn: (message, context) => void (message === 'admin request refused' && refusals.push(context)), error() {} };
    let storage: ClickStore;
    let cleanup: () => Promise<void>;
    let server: RunningServer;
    let base: string;
    let tracker: ClickTracker;

    beforeAll(async () => {
      ({ storage, cleanup } = await store.open());
      tracker = createClickTracker({
        storage,
        products: {
          getProduct: (id) =>
            id === 'prod' ? { productId: id, earnUpTo: '50.00', active: true } : id === 'review' ? { productId: id, earnUpTo: '100.00', active: true, hold: 'always' } : null,
        },
        publicUrl: 'http://127.0.0.1/api/v1/earn',
        allowUnverifiedPostbacks: true,
        clock,
        logger,
      });
      server = await target.start(tracker, {
        trustProxy: false,
        authenticate,
        authorizeAdmin,
        logger,
        onError: () => undefined,
      });
      base = `${server.baseUrl}/api/v1/earn`;
    }, 60_000);
    afterAll(async () => {
      await server.close();
      await cleanup();
    });

    const call = async (method: string, path: string, init: { token?: string; json?: unknown } = {}) => {
      const headers: Record<string, string> = {};
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      if (init.json !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${base}${path}`, { method, headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) });
      const text = await response.text();
      expect(text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
      return { status: response.status, body: JSON.parse(text) };
    };
    const admin = (method: string, path: string, json?: unknown) => call(method, path, { token: 'admin-token', json });
    const expect400 = async (method: string, path: string, json?: unknown) => {
      const r = await admin(method, path, json);
      expect({ path, status: r.status, success: r.body.success, code: r.body.error?.code }).toEqual({ path, status: 400, success: false, code: 'VALIDATION_ERROR' });
    };
    const heldEarning = async (userToken: string, conversionId: string) => {
      const click = await call('POST', '/products/review/click', { token: userToken, json: { taskUrl: 'https://advertiser.example/offer' } });
      expect(click.status).toBe(201);
      const postback = await call('POST', `/postback?click_id=${click.body.data.clickId}`, { json: { amount: '12.00', conversionId } });
      expect(postback.body.data).toMatchObject({ decision: 'held', approvalStatus: 'pending' });
      return { earningId: postback.body.data.earningId as string, clickId: click.body.data.clickId as string };
    };

    it('answers 401 without admin credentials and 403 FORBIDDEN to a non-admin, with no data, and logs the refusal', async () => {
      for (const [method, path, json] of ADMIN_CALLS) {
        for (const [token, status, code] of [[undefined, 401, 'UNAUTHORIZED'], ['wrong', 401, 'UNAUTHORIZED'], ['token-a', 403, 'FORBIDDEN']] as const) {
          const r = await call(method, path, { token, json });
          expect({ path, token, status: r.status, code: r.body.error?.code, success: r.body.success, data: r.body.data }).toEqual({ path, token, status, code, success: false, data: undefined });
        }
      }
      expect(refusals.length).toBe(ADMIN_CALLS.length * 3);
      expect(refusals[0]).toMatchObject({ route: 'adminListPostbacks', reason: 'missing or invalid credentials' });
      expect(refusals[2]).toMatchObject({ reason: 'not an admin' });
      expect(JSON.stringify(refusals)).not.toContain('token-a');
      // The user's own bearer token still works on the user routes: the two hooks are separate.
      expect((await call('GET', '/wallet', { token: 'token-a' })).status).toBe(200);
      expect((await call('GET', '/wallet', { token: 'admin-token' })).status).toBe(401);
    });

    it('answers a 400 envelope for every bad admin filter, never a 500', async () => {
      const cursor = Buffer.from('not-a-position').toString('base64url');
      for (const path of ['/admin/postbacks', '/admin/earnings', '/admin/clicks']) {
        await expect400('GET', `${path}?cursor=%25%25`);
        await expect400('GET', `${path}?cursor=${cursor}`);
        await expect400('GET', `${path}?limit=1000000000`);
        await expect400('GET', `${path}?limit=0`);
        await expect400('GET', `${path}?limit=abc`);
        await expect400('GET', `${path}?from=2026-02-01&to=2026-01-01`);
        await expect400('GET', `${path}?from=yesterday`);
        await expect400('GET', `${path}?nope=1`);
        await expect400('GET', `${path}?userId=a&userId=b`);
      }
      await expect400('GET', '/admin/postbacks?decision=maybe');
      await expect400('GET', '/admin/earnings?approvalStatus=later');
      await expect400('GET', '/admin/earnings?status=done');
      await expect400('GET', '/admin/clicks?status=gone');
      await expect400('GET', '/admin/users/user-a/ledger?cursor=%25');
      await expect400('GET', '/admin/users/user-a/ledger?limit=201');
      await expect400('GET', '/admin/stats');
      await expect400('GET', '/admin/stats?from=2026-01-02&to=2026-01-01');
      await expect400('GET', '/admin/stats?from=2026-01-01&to=2026-01-02&bucket=week');
      await expect400('GET', '/admin/stats?from=2020-01-01&to=2026-01-01&bucket=hour');
      await expect400('POST', '/admin/users/user-a/adjustments', { amount: '1.00', direction: 'sideways', reason: 'x', key: 'k' });
      await expect400('POST', '/admin/users/user-a/adjustments', { amount: '1.00', direction: 'credit', reason: 'x' });
      await expect400('POST', '/admin/users/user-a/adjustments', { amount: '-1', direction: 'credit', reason: 'x', key: 'k' });
      await expect400('POST', '/admin/users/user-a/adjustments', { amount: '1.001', direction: 'credit', reason: 'x', key: 'k' });
      await expect400('POST', '/admin/users/user-a/adjustments', { amount: '1.00', direction: 'credit', reason: 'x', key: 'k', extra: true });
      await expect400('GET', '/admin/webhooks/deliveries?state=failed');
      await expect400('GET', '/admin/webhooks/deliveries?limit=201');
      await expect400('GET', '/admin/webhooks/deliveries?cursor=%25');
      await expect400('GET', '/admin/webhooks/deliveries?nope=1');
    });

    it('lists the hold queue, approves and rejects: applied, unchanged again, the other decision 409', async () => {
      const a = await heldEarning('token-b', 'q1');
      clock.advanceSeconds(1);
      const b = await heldEarning('token-b', 'q2');
      const queue = await admin('GET', '/admin/earnings?approvalStatus=pending&status=completed&userId=user-b&limit=1');
      expect(queue.status).toBe(200);
      expect(queue.body.data.items.map((e: { earningId: string }) => e.earningId)).toEqual([b.earningId]);
      const next = await admin('GET', `/admin/earnings?approvalStatus=pending&status=completed&userId=user-b&limit=1&cursor=${queue.body.data.nextCursor}`);
      expect(next.body.data.items.map((e: { earningId: string }) => e.earningId)).toEqual([a.earningId]);
      const before = (await call('GET', '/wallet', { token: 'token-b' })).body.data.balance;

      const approved = await admin('POST', `/admin/earnings/${a.earningId}/approve`);
      expect([approved.status, approved.body.data.outcome, approved.body.data.earning.approvalStatus]).toEqual([200, 'applied', 'manual_approved']);
      expect((await admin('POST', `/admin/earnings/${a.earningId}/approve`)).body.data.outcome).toBe('unchanged');
      const refused = await admin('POST', `/admin/earnings/${a.earningId}/reject`);
      expect([refused.status, refused.body.error.code]).toEqual([409, 'CONFLICT']);
      expect((await admin('POST', `/admin/earnings/${b.earningId}/reject`)).body.data).toMatchObject({ outcome: 'applied', earning: { status: 'cancelled' } });
      expect((await admin('POST', `/admin/earnings/${b.earningId}/reject`)).body.data.outcome).toBe('unchanged');
      expect((await admin('POST', `/admin/earnings/${b.earningId}/approve`)).status).toBe(409);
      expect((await admin('POST', '/admin/earnings/no-such-earning/approve')).status).toBe(404);
      const after = (await call('GET', '/wallet', { token: 'token-b' })).body.data.balance;
      expect(BigInt(after.replace('.', '')) - BigInt(before.replace('.', ''))).toBe(1200n);

      const detail = await admin('GET', `/admin/earnings/${a.earningId}`);
      expect(detail.body.data).toMatchObject({ earning: { earningId: a.earningId }, click: { clickId: a.clickId, holdEveryConversion: true } });
      expect(detail.body.data.attempts.map((x: { decision: string }) => x.decision)).toEqual(['held']);
      expect((await admin('GET', '/admin/earnings/no-such-earning')).status).toBe(404);
    });

    it('adjusts a wallet idempotently, refuses an overdraft with 409, and states the running balance', async () => {
      const user = `user-${Math.random().toString(36).slice(2)}`;
      const path = `/admin/users/${user}/adjustments`;
      const credit = await admin('POST', path, { amount: '10.00', direction: 'credit', reason: 'goodwill', key: 'c1' });
      expect([credit.status, credit.body.data]).toEqual([200, { userId: user, key: 'c1', direction: 'credit', amount: '10.00', balance: '10.00', duplicate: false }]);
      expect((await admin('POST', path, { amount: '10.00', direction: 'credit', reason: 'goodwill', key: 'c1' })).body.data).toMatchObject({ duplicate: true, balance: '10.00' });
      const reused = await admin('POST', path, { amount: '9.00', direction: 'credit', reason: 'goodwill', key: 'c1' });
      expect([reused.status, reused.body.error.code]).toEqual([409, 'CONFLICT']);
      const short = await admin('POST', path, { amount: '10.01', direction: 'debit', reason: 'payout', key: 'd1' });
      expect([short.status, short.body.error.code, short.body.error.details]).toEqual([409, 'CONFLICT', { balance: '10.00' }]);
      expect((await admin('POST', path, { amount: '2.50', direction: 'debit', reason: 'payout', key: 'd2' })).body.data.balance).toBe('7.50');
      expect((await admin('POST', path, { amount: '9.00', direction: 'debit', reason: 'fraud', key: 'd3', allowOverdraft: true })).body.data.balance).toBe('-1.50');
      const concurrent = await Promise.all(Array.from({ length: 6 }, () => admin('POST', path, { amount: '1.00', direction: 'credit', reason: 'race', key: 'same' }).then((r) => r.body.data.duplicate)));
      expect(concurrent.filter((duplicate) => duplicate === false)).toHaveLength(1);

      const first = await admin('GET', `/admin/users/${user}/ledger?limit=2`);
      expect(first.status).toBe(200);
      expect(first.body.data.wallet).toEqual({ userId: user, balance: '-0.50', currency: 'USD' });
      const rest = await admin('GET', `/admin/users/${user}/ledger?limit=2&cursor=${first.body.data.nextCursor}`);
      expect(rest.body.data.nextCursor).toBeNull();
      const rows = [...first.body.data.items, ...rest.body.data.items].map((e: { kind: string; amount: string; balanceAfter: string }) => [e.kind, e.amount, e.balanceAfter]);
      expect(rows).toEqual([
        ['manual_credit', '1.00', '-0.50'],
        ['manual_debit', '-9.00', '-1.50'],
        ['manual_debit', '-2.50', '7.50'],
        ['manual_credit', '10.00', '10.00'],
      ]);
    });

    it('lists postbacks (refused ones without a click id included) and clicks, and counts them in the statistics', async () => {
      const start = clock.now();
      const click = await call('POST', '/products/prod/click', { token: 'token-a', json: { taskUrl: 'https://advertiser.example/offer' } });
      const clickId = click.body.data.clickId as string;
      expect((await call('POST', `/postback?click_id=${clickId}`, { json: { amount: '3.00', conversionId: 'x' } })).status).toBe(200);
      expect((await call('POST', '/postback', { json: { amount: '3.00' } })).status).toBe(400);
      const listed = await admin('GET', `/admin/postbacks?from=${encodeURIComponent(start.toISOString())}`);
      expect(listed.status).toBe(200);
      expect(listed.body.data.items.map((a: { decision: string }) => a.decision)).toEqual(expect.arrayContaining(['credited', 'invalid_input']));
      expect(listed.body.data.items.some((a: { clickId: string | null }) => a.clickId === null)).toBe(true);
      expect((await admin('GET', `/admin/postbacks?clickId=${clickId}`)).body.data.items).toHaveLength(1);
      expect((await admin('GET', '/admin/clicks?userId=user-a&productId=prod&status=converted')).body.data.items.map((c: { clickId: string }) => c.clickId)).toContain(clickId);
      const to = new Date(clock.now().getTime() + 1000).toISOString();
      const stats = await admin('GET', `/admin/stats?from=${encodeURIComponent(start.toISOString())}&to=${encodeURIComponent(to)}&bucket=hour&productId=prod`);
      expect(stats.status).toBe(200);
      const totals = stats.body.data.rows.reduce((sum: { clicks: number; conversions: number }, row: { clicks: number; conversions: number }) => ({ clicks: sum.clicks + row.clicks, conversions: sum.conversions + row.conversions }), { clicks: 0, conversions: 0 });
      expect(totals).toEqual({ clicks: 1, conversions: 1 });
      expect(stats.body.data.rows[0]).toMatchObject({ creditedAmount: '3.00', productId: 'prod', network: null });
    });

    it('lists webhook deliveries by state and retries a dead one (404 unknown, 409 not dead)', async () => {
      const click = await call('POST', '/products/prod/click', { token: 'token-a', json: { taskUrl: 'https://advertiser.example/offer' } });
      const clickId = click.body.data.clickId as string;
      const credited = await call('POST', `/postback?click_id=${clickId}`, { json: { amount: '2.00', conversionId: 'wh' } });
      expect(credited.status).toBe(200);
      const events = storage.events!;
      const [event] = (await events.eventsOfUser('user-a')).filter((e) => e.data.earningId === credited.body.data.earningId);
      expect(event).toMatchObject({ type: 'conversion.credited', state: 'pending' });
      const pending = await admin('GET', '/admin/webhooks/deliveries?state=pending&limit=200');
      expect(pending.status).toBe(200);
      const item = pending.body.data.items.find((d: { id: string }) => d.id === event!.id);
      expect(item).toMatchObject({ eventId: event!.id, type: 'conversion.credited', state: 'pending', attempts: 0, userId: 'user-a' });
      expect(item.event).toMatchObject({ id: event!.id, type: 'conversion.credited', data: { amount: '2.00', walletDelta: '2.00', clickId } });
      const notDead = await admin('POST', `/admin/webhooks/deliveries/${encodeURIComponent(event!.id)}/retry`);
      expect(notDead.status).toBe(409);
      expect(notDead.body.error.code).toBe('CONFLICT');
      expect((await admin('POST', '/admin/webhooks/deliveries/evt_unknown/retry')).status).toBe(404);
      await events.updateDelivery(event!.id, { state: 'dead', attempts: 8, nextAttemptAt: clock.now(), lastError: 'HTTP 500', deliveredAt: null });
      const dead = await admin('GET', '/admin/webhooks/deliveries?state=dead');
      expect(dead.body.data.items.map((d: { id: string }) => d.id)).toContain(event!.id);
      const retried = await admin('POST', `/admin/webhooks/deliveries/${encodeURIComponent(event!.id)}/retry`);
      expect(retried.status).toBe(200);
      expect(retried.body.data).toMatchObject({ id: event!.id, state: 'pending', attempts: 0, lastError: 'HTTP 500' });
      expect(await events.getDelivery(event!.id)).toMatchObject({ state: 'pending', attempts: 0 });
    });
  });
}
