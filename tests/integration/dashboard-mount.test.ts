/**
 * A host app mounts the dashboard on Express and on Fastify: the page names its own assets and
 * the API base it was given, the assets are served with a same-origin policy, anything else goes
 * on to the host (Express `next`, Fastify 404), and the data behind it needs an admin token.
 */
import express from 'express';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from 'clickcredit/memory';
import { createClickCreditRouter } from 'clickcredit/express';
import { clickCreditPlugin } from 'clickcredit/fastify';
import { createDashboardMiddleware, dashboardPlugin } from 'clickcredit/dashboard';
import { referredTracker } from '../support/trackers.js';

const authorizeAdmin = (authorization: string | undefined) => (authorization === 'Bearer ops' ? 'ops' : authorization ? false : null);

async function expressHost(): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  const tracker = referredTracker(createMemoryStore());
  app.use('/api/earn', createClickCreditRouter({ tracker, authenticate: () => null, authorizeAdmin: (req) => authorizeAdmin(req.headers.authorization) }));
  app.use('/ops/dashboard', createDashboardMiddleware({ apiBase: '/api/earn' }));
  app.get('/ops/dashboard/other', (_req, res) => void res.send('host route'));
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function fastifyHost(): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify();
  const tracker = referredTracker(createMemoryStore());
  await app.register(clickCreditPlugin, { prefix: '/api/earn', tracker, authenticate: () => null, authorizeAdmin: (request) => authorizeAdmin(request.headers.authorization) });
  await app.register(dashboardPlugin, { prefix: '/ops/dashboard', apiBase: '/api/earn' });
  app.get('/ops/dashboard/other', async () => 'host route');
  return { url: await app.listen({ port: 0, host: '127.0.0.1' }), close: () => app.close() };
}

describe.each([['Express', expressHost], ['Fastify', fastifyHost]] as const)('the dashboard mounted by a host on %s', (_name, start) => {
  let host: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    host = await start();
  });
  afterAll(() => host.close());

  it('serves the page with its asset paths and API base', async () => {
    const response = await fetch(`${host.url}/ops/dashboard`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await response.text();
    expect(html).toContain('<meta name="clickcredit-api" content="/api/earn">');
    expect(html).toContain('src="/ops/dashboard/assets/dashboard.js"');
    expect(html).toContain('src="/ops/dashboard/assets/uPlot.iife.min.js"');
  });

  it('serves its assets, and leaves other paths to the host', async () => {
    for (const [name, type] of [['dashboard.js', 'text/javascript'], ['uPlot.iife.min.js', 'text/javascript'], ['uPlot.min.css', 'text/css'], ['dashboard.css', 'text/css']]) {
      const response = await fetch(`${host.url}/ops/dashboard/assets/${name}`);
      expect(response.status, name).toBe(200);
      expect(response.headers.get('content-type')).toContain(type);
      expect((await response.text()).length).toBeGreaterThan(500);
    }
    expect((await fetch(`${host.url}/ops/dashboard/assets/nope.js`)).status).toBe(404);
    expect((await fetch(`${host.url}/ops/dashboard/assets/dashboard.html`)).status).toBe(404);
    expect(await (await fetch(`${host.url}/ops/dashboard/other`)).text()).toBe('host route');
  });

  it('its data comes from the admin routes, which the host guards with authorizeAdmin', async () => {
    const stats = (token?: string) =>
      fetch(`${host.url}/api/earn/admin/stats?from=2026-01-01&to=2026-01-02`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    expect((await stats()).status).toBe(401);
    expect((await stats('user')).status).toBe(403);
    const ok = await stats('ops');
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { data: { rows: unknown[] } }).data.rows).toEqual([]);
  });
});
