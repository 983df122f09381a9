/**
 * Every network preset over real HTTP, on Express and on Fastify: a credit, a replay (duplicate,
 * nothing moves), a reversal, a bad signature (nothing moves, the network's refusal reply) and an
 * amount over the maximum, with balances checked after each step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickTracker, userKeyedClickId, type ClickTracker, type NetworkDefinition } from 'clickcredit';
import {
  adgate,
  adgem,
  adgemV3,
  ayet,
  bitlabs,
  cpx,
  fyber,
  ironSource,
  lootably,
  param,
  revlum,
  revtoo,
  superRewards,
  tapjoy,
  torox,
  trackerPostback,
  type PresetOptions,
} from 'clickcredit/networks';
import { Redis } from 'ioredis';
import { createRedisStore } from 'clickcredit/redis';
import type { StoreTarget } from '../support/http-contract.js';
import { expressTarget, fastifyTarget, memoryStore, pgliteStore, postgresStore } from '../support/http-targets.js';
import { deleteKeys } from '../support/redis.js';
import { REDIS_URL } from '../support/services.js';
import { SIGNERS, tamper, type SignedCallback } from './networks-signers.js';

const PUBLIC_URL = 'https://rewards.example.com/api/v1/earn';
const PREFIX = '/api/v1/earn';
const secret = (name: string) => `test-${name}-secret`;

/** Networks with no reversal of their own get one through an override (any part of a preset can be). */
const reversalOverride = (statusField = 'status'): PresetOptions => ({ fields: { status: param(statusField) }, statusMap: { reversed: 'reverse' } });

function networks(): Record<string, NetworkDefinition> {
  const user: PresetOptions = { maxAmount: '100.00', resolveUser: (id) => (id.startsWith('user-') ? id : null) };
  return {
    tapjoy: tapjoy(secret('tapjoy'), { ...user, ...reversalOverride() }),
    fyber: fyber(secret('fyber'), { ...user, ...reversalOverride() }),
    ironsource: ironSource(secret('ironsource'), { ...user, ...reversalOverride() }),
    adgem: adgem(secret('adgem'), { ...user, ...reversalOverride() }),
    'adgem-v3': adgemV3(secret('adgem-v3'), { ...user, ...reversalOverride('data.status') }),
    ayet: ayet(secret('ayet'), user),
    bitlabs: bitlabs(secret('bitlabs'), user),
    cpx: cpx(secret('cpx'), user),
    torox: torox(secret('torox'), { ...user, ...reversalOverride() }),
    lootably: lootably(secret('lootably'), user),
    revlum: revlum(secret('revlum'), user),
    revtoo: revtoo(secret('revtoo'), user),
    adgate: adgate(secret('adgate'), { ...user, sourceIps: false }),
    superrewards: superRewards(secret('superrewards'), { ...user, ...reversalOverride() }),
    tracker: trackerPostback(secret('tracker')),
  };
}

/** What each network must be answered on success, and on a refused signature. */
const EXPECTED: Record<string, { success: (tx: string) => string; refusal: string }> = {
  tapjoy: { success: () => 'OK', refusal: 'forbidden' },
  fyber: { success: () => 'OK', refusal: 'forbidden' },
  ironsource: { success: (tx) => `${tx}:OK`, refusal: 'forbidden' },
  adgem: { success: () => 'OK', refusal: 'forbidden' },
  'adgem-v3': { success: () => 'OK', refusal: 'forbidden' },
  ayet: { success: () => 'OK', refusal: 'forbidden' },
  bitlabs: { success: () => 'OK', refusal: 'forbidden' },
  cpx: { success: () => '1', refusal: '0' },
  torox: { success: () => '1', refusal: '0' },
  lootably: { success: () => '1', refusal: '0' },
  revlum: { success: () => 'ok', refusal: 'forbidden' },
  revtoo: { success: () => 'ok', refusal: 'forbidden' },
  adgate: { success: () => 'OK', refusal: 'forbidden' },
  superrewards: { success: () => '1', refusal: '0' },
  tracker: { success: () => 'OK', refusal: 'forbidden' },
};

/** Redis (standalone layout), under a prefix of its own removed afterwards. */
const redisStore: StoreTarget = {
  name: 'Redis',
  async open() {
    const client = new Redis(REDIS_URL);
    const prefix = `ccnet${process.pid}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    return {
      storage: createRedisStore({ client, prefix, shards: 16 }),
      cleanup: async () => {
        await deleteKeys(client, prefix);
        client.disconnect();
      },
    };
  },
};

const cases = [expressTarget, fastifyTarget].flatMap((target) => [memoryStore, pgliteStore, postgresStore, redisStore].map((store) => ({ target, store })));

for (const { target, store } of cases) {
  describe(`network callbacks over HTTP (${target.name}, ${store.name})`, () => {
    let tracker: ClickTracker;
    let baseUrl: string;
    let close: () => Promise<void>;
    /** Unexpected (500) errors the helper reported: there must be none. */
    const unexpected: unknown[] = [];

    beforeAll(async () => {
      const opened = await store.open();
      tracker = createClickTracker({
        storage: opened.storage,
        products: { getProduct: (id) => (id === 'offer' ? { productId: 'offer', earnUpTo: '50.00', active: true } : null) },
        publicUrl: PUBLIC_URL,
        allowUnverifiedPostbacks: true,
        networks: networks(),
        logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      });
      const started = await target.start(tracker, { trustProxy: false, authenticate: () => null, onError: (error) => void unexpected.push(error) });
      baseUrl = started.baseUrl;
      close = async () => {
        await started.close();
        await opened.cleanup();
      };
    });
    afterAll(async () => {
      await close();
      expect(unexpected).toEqual([]);
    });

    const send = async (name: string, callback: SignedCallback) => {
      const response = await fetch(`${baseUrl}${PREFIX}/postback/${name}${callback.query === '' ? '' : `?${callback.query}`}`, {
        method: callback.method,
        headers: callback.headers ?? {},
        ...(callback.body === undefined ? {} : { body: callback.body }),
      });
      return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.text() };
    };
    const balance = async (user: string) => (await tracker.getWallet(user)).balance;

    for (const name of Object.keys(EXPECTED)) {
      it(`${name}: credit, replay, bad signature, over-cap amount, reversal`, async () => {
        const sign = SIGNERS[name]!;
        const routeUrl = `${PUBLIC_URL}/postback/${name}`;
        const expected = EXPECTED[name]!;
        const clickKeyed = name === 'tracker';
        // Click-keyed: the network sends back our click id; user-keyed: the user's id.
        const newSubject = async () =>
          clickKeyed
            ? (await tracker.createClick({ userId: `user-${name}`, productId: 'offer', taskUrl: 'https://advertiser.example/offer' })).clickId
            : `user-${name}`;
        const user = `user-${name}`;
        const subject = await newSubject();

        const credit = sign({ user: subject, tx: `${name}-tx-1`, amount: '30' }, secret(name), routeUrl);
        const first = await send(name, credit);
        expect(first, JSON.stringify(first)).toMatchObject({ status: 200, body: expected.success(`${name}-tx-1`) });
        expect(first.type).toMatch(/^text\/plain/);
        expect(await balance(user)).toBe('30.00');

        const replay = await send(name, credit);
        expect(replay).toMatchObject({ status: 200, body: expected.success(`${name}-tx-1`) });
        expect(await balance(user)).toBe('30.00');

        const forged = tamper(sign({ user: subject, tx: `${name}-tx-2`, amount: '40' }, secret(name), routeUrl));
        const refused = await send(name, forged);
        expect(refused).toMatchObject({ status: 403, body: expected.refusal });
        expect(await balance(user)).toBe('30.00');
        if (!clickKeyed) {
          const audit = await tracker.listPostbackAttempts(userKeyedClickId(name, `${name}-tx-2`));
          expect(audit.map((a) => a.decision)).toEqual(['forbidden']);
        }

        // Over the maximum: capped (user-keyed: the network's maxAmount 100.00; click-keyed: the click's 50.00).
        const bigSubject = await newSubject();
        const big = await send(name, sign({ user: bigSubject, tx: `${name}-tx-3`, amount: '150' }, secret(name), routeUrl));
        expect(big).toMatchObject({ status: 200, body: expected.success(`${name}-tx-3`) });
        expect(await balance(user)).toBe(clickKeyed ? '80.00' : '130.00');

        const reversal = await send(name, sign({ user: subject, tx: `${name}-tx-1`, amount: '30', reverse: true }, secret(name), routeUrl));
        expect(reversal, JSON.stringify(reversal)).toMatchObject({ status: 200 });
        expect(await balance(user)).toBe(clickKeyed ? '50.00' : '100.00');
        // The reversal replayed moves nothing either.
        await send(name, sign({ user: subject, tx: `${name}-tx-1`, amount: '30', reverse: true }, secret(name), routeUrl));
        expect(await balance(user)).toBe(clickKeyed ? '50.00' : '100.00');
      });
    }

    it('refuses an unknown user (Tapjoy: 403, so it stops retrying), audited, nothing credited', async () => {
      const callback = SIGNERS.tapjoy!({ user: 'stranger', tx: 'tj-stranger', amount: '10' }, secret('tapjoy'), '');
      expect(await send('tapjoy', callback)).toMatchObject({ status: 403, body: 'unknown_user' });
      expect(await balance('stranger')).toBe('0.00');
      const audit = await tracker.listPostbackAttempts(userKeyedClickId('tapjoy', 'tj-stranger'));
      expect(audit).toHaveLength(1);
      expect(audit[0]!.message).toMatch(/unknown user/);
    });

    it('refuses a callback without its amount field (400 invalid_amount), never paying the maximum', async () => {
      const callback = SIGNERS.cpx!({ user: 'user-cpx-noamount', tx: 'cpx-no-amount', amount: '5' }, secret('cpx'), '');
      const withoutAmount = { ...callback, query: callback.query.replace(/&amount_local=5/, '') };
      expect(await send('cpx', withoutAmount)).toMatchObject({ status: 400, body: '0' });
      const empty = { ...callback, query: callback.query.replace(/amount_local=5/, 'amount_local=') };
      expect(await send('cpx', empty)).toMatchObject({ status: 400, body: '0' });
      expect(await balance('user-cpx-noamount')).toBe('0.00');
      const audit = await tracker.listPostbackAttempts(userKeyedClickId('cpx', 'cpx-no-amount'));
      expect(audit.map((a) => a.decision)).toEqual(['invalid_amount', 'invalid_amount']);
    });

    it('answers 404 NOT_FOUND for a network that is not configured', async () => {
      const response = await fetch(`${baseUrl}${PREFIX}/postback/nosuchnetwork?uid=1`);
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    });
  });
}
