import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickTracker, hmacSignature, signPostback, type ClickTracker } from 'clickcredit';
import { createClickCreditRouter } from 'clickcredit/express';
import { createMemoryStore } from 'clickcredit/memory';
import { runHttpContract } from '../support/http-contract.js';
import { expressTarget, memoryStore, pgliteStore, postgresStore } from '../support/http-targets.js';
import { postgresAvailable } from '../support/services.js';

runHttpContract(expressTarget, memoryStore);
runHttpContract(expressTarget, pgliteStore);
if (await postgresAvailable()) runHttpContract(expressTarget, postgresStore);
else describe.skip('HTTP contract on the Postgres server (unreachable)', () => undefined);

describe('Express router behind host body parsers (express.json/urlencoded mounted first)', () => {
  const servers: Server[] = [];
  const newTracker = (signed: boolean) =>
    createClickTracker({
      storage: createMemoryStore(),
      products: { getProduct: (id) => (id === 'prod' ? { productId: id, earnUpTo: '50.00', active: true } : null) },
      publicUrl: 'http://127.0.0.1/api/v1/earn',
      ...(signed ? { verifier: hmacSignature({ secrets: ['host-parsed-secret'], secretEncoding: 'raw' }) } : { allowUnverifiedPostbacks: true }),
      logger: { info() {}, warn() {}, error() {} },
    });
  const serve = async (tracker: ClickTracker) => {
    const app = express();
    app.use(express.json(), express.urlencoded({ extended: true }));
    app.use('/api/v1/earn', createClickCreditRouter({ tracker, authenticate: (req) => (req.headers.authorization === 'Bearer t' ? 'u' : null) }));
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/earn`;
  };
  const post = async (url: string, body: string, type: string, headers: Record<string, string> = {}) => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': type, ...headers }, body });
    return { status: response.status, body: (await response.json()) as any };
  };
  let plain: ClickTracker;
  let base: string;
  beforeAll(async () => {
    plain = newTracker(false);
    base = await serve(plain);
  });
  afterAll(async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
  });
  const click = async (url: string) => (await post(`${url}/products/prod/click`, '{"taskUrl":"https://a.example/"}', 'application/json', { authorization: 'Bearer t' })).body.data.clickId as string;

  it('uses the host-parsed body: the amount and status sent are the ones recorded, not defaults', async () => {
    const clickId = await click(base);
    const json = await post(`${base}/postback?click_id=${clickId}`, '{"amount":"7.25","status":"pending","conversionId":"c1"}', 'application/json');
    expect([json.status, json.body.data.amount, json.body.data.status]).toEqual([200, '7.25', 'pending']);
    const form = await click(base);
    const viaForm = await post(`${base}/postback?click_id=${form}`, 'amount=3.10&status=pending', 'application/x-www-form-urlencoded');
    expect([viaForm.status, viaForm.body.data.amount, viaForm.body.data.status]).toEqual([200, '3.10', 'pending']);
    expect((await plain.getWallet('u')).balance).toBe('0.00');
  });

  it('refuses nested form fields the host parser built into objects', async () => {
    const clickId = await click(base);
    const nested = await post(`${base}/postback?click_id=${clickId}`, 'amount[$gt]=0', 'application/x-www-form-urlencoded');
    expect([nested.status, nested.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
  });

  it('refuses a signed postback whose exact bytes the host parser consumed (403), crediting nothing', async () => {
    const signed = newTracker(true);
    const url = await serve(signed);
    const clickId = await click(url);
    const body = JSON.stringify({ click_id: clickId, amount: '5.00' });
    const headers = { ...signPostback({ secret: 'host-parsed-secret', secretEncoding: 'raw', id: 'm1', timestamp: Math.floor(Date.now() / 1000), payload: body }) };
    const r = await post(`${url}/postback`, body, 'application/json', headers);
    expect([r.status, r.body.error.code]).toEqual([403, 'POSTBACK_FORBIDDEN']);
    expect((await signed.getWallet('u')).balance).toBe('0.00');
  });
});
