import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signPostback } from 'clickcredit';
import { startExample } from '../support/example-process.js';

const dataDir = mkdtempSync(join(tmpdir(), 'clickcredit-example-'));
const running: ChildProcess[] = [];
afterAll(() => {
  for (const child of running) child.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts an example the way `npm start` does and waits for its banner. */
const start = (script: string, env: Record<string, string>) => startExample(script, { DATA_DIR: dataDir, ...env }, running);

/** Runs the advertiser simulator as `npm run simulate -- <args>` does. */
async function simulate(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/simulate-advertiser.ts', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, output };
}

const seedPostback = { amount: 50.0, status: 'completed', transactionId: 'test_txn_123', conversionId: 'test_conv_456' };
const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as any });

describe('the runnable example', () => {
  it('npm start: the seed’s two curl commands credit demo-friend 50.00 and demo-user 5.00, and survive a restart', async () => {
    const first = await start('examples/express/server.ts', {});
    expect(first.output()).toContain('curl -X POST');
    expect(first.output()).toMatch(/WITHOUT verification/);
    const click = await json(await fetch(`${first.base}/products/demo-product/click`, {
      method: 'POST',
      headers: { authorization: 'Bearer demo-friend-token', 'content-type': 'application/json' },
      body: JSON.stringify({ taskUrl: 'https://example.com/offer' }),
    }));
    expect(click.status).toBe(201);
    const clickId = click.body.data.clickId;
    const postback = await json(await fetch(`${first.base}/postback?click_id=${clickId}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(seedPostback),
    }));
    expect(postback).toMatchObject({ status: 200, body: { success: true, data: { amount: '50.00', status: 'completed', duplicate: false } } });
    await first.stop();

    const second = await start('examples/express/server.ts', {});
    const wallet = async (token: string) => (await json(await fetch(`${second.base}/wallet`, { headers: { authorization: `Bearer ${token}` } }))).body.data.balance;
    expect(await wallet('demo-friend-token')).toBe('50.00');
    expect(await wallet('demo-token')).toBe('5.00');
    const replay = await json(await fetch(`${second.base}/postback?click_id=${clickId}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(seedPostback),
    }));
    expect(replay.body.data.duplicate).toBe(true);
    expect((await json(await fetch(`${second.base}/openapi.json`))).body.openapi).toBe('3.1.0');
    await second.stop();
  }, 180_000);

  it('npm run start:fastify with POSTBACK_SECRET: unsigned postbacks are 403, signed ones credit', async () => {
    const server = await start('examples/fastify/server.ts', { POSTBACK_SECRET: 'example-secret' });
    expect(server.output()).toContain('npm run simulate');
    const click = await json(await fetch(`${server.base}/products/demo-product/click`, {
      method: 'POST',
      headers: { authorization: 'Bearer demo-token', 'content-type': 'application/json' },
      body: JSON.stringify({ taskUrl: 'https://example.com/offer' }),
    }));
    // Product ids up to 256 characters pass Fastify's router (maxParamLength) and get the same
    // answer as on Express: an unknown product is 404, not Fastify's own refusal.
    const longId = await json(await fetch(`${server.base}/products/${'p'.repeat(200)}/click`, {
      method: 'POST',
      headers: { authorization: 'Bearer demo-token', 'content-type': 'application/json' },
      body: JSON.stringify({ taskUrl: 'https://example.com/offer' }),
    }));
    expect([longId.status, longId.body.error.code]).toEqual([404, 'NOT_FOUND']);
    const url = `${server.base}/postback`;
    const body = JSON.stringify({ click_id: click.body.data.clickId, amount: '12.50', conversionId: 'signed-1' });
    const unsigned = await json(await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
    expect([unsigned.status, unsigned.body.error.code]).toEqual([403, 'POSTBACK_FORBIDDEN']);
    const headers = signPostback({ secret: 'example-secret', secretEncoding: 'raw', id: 'msg_1', timestamp: Math.floor(Date.now() / 1000), payload: body });
    const signed = await json(await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }));
    expect([signed.status, signed.body.data.amount]).toEqual([200, '12.50']);

    // The advertiser simulator signs with the same secret.
    const cents = async () => {
      const wallet = await json(await fetch(`${server.base}/wallet`, { headers: { authorization: 'Bearer demo-token' } }));
      return BigInt((wallet.body.data.balance as string).replace('.', ''));
    };
    const before = await cents();
    const another = await json(await fetch(`${server.base}/products/demo-product/click`, {
      method: 'POST',
      headers: { authorization: 'Bearer demo-token', 'content-type': 'application/json' },
      body: JSON.stringify({ taskUrl: 'https://example.com/offer' }),
    }));
    const simulated = await simulate([another.body.data.clickId, '--amount', '7.25', '--url', server.base], { POSTBACK_SECRET: 'example-secret' });
    expect(simulated.code).toBe(0);
    expect(simulated.output).toContain('(signed with POSTBACK_SECRET)');
    expect(simulated.output).toMatch(/200 OK[\s\S]*"amount": "7.25"[\s\S]*"duplicate": false/);
    const refused = await simulate([another.body.data.clickId, '--url', server.base], { POSTBACK_SECRET: '' });
    expect([refused.code, refused.output.includes('POSTBACK_FORBIDDEN')]).toEqual([1, true]);
    expect(await cents()).toBe(before + 725n); // credited once: the refused replay moved nothing
    await server.stop();
  }, 180_000);
});
