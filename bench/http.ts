/**
 * HTTP section: the postback and click endpoints through the Express and Fastify helpers, beside
 * a bare hello-world JSON POST route on the same framework, all driven by autocannon.
 */
import autocannon from 'autocannon';
import express from 'express';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import type { ClickTracker } from 'clickcredit';
import { createClickCreditRouter } from 'clickcredit/express';
import { clickCreditPlugin } from 'clickcredit/fastify';

export interface HttpResult {
  requestsPerSecond: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
}

const auth = (header: string | string[] | undefined) => (header === 'Bearer bench' ? 'bench-user' : null);

async function startExpress(tracker: ClickTracker | null): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  if (tracker) app.use('/api/v1/earn', createClickCreditRouter({ tracker, authenticate: (req) => auth(req.headers.authorization) }));
  else app.post('/hello', express.json(), (_req, res) => void res.json({ success: true, message: 'hello', data: { ok: true } }));
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

async function startFastify(tracker: ClickTracker | null): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify();
  if (tracker) await app.register(clickCreditPlugin, { prefix: '/api/v1/earn', tracker, authenticate: (request) => auth(request.headers.authorization) });
  else app.post('/hello', async () => ({ success: true, message: 'hello', data: { ok: true } }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}

export const FRAMEWORKS = { express: startExpress, fastify: startFastify } as const;

/** Drives `path` (varied per request by `nextPath`) for `seconds` with `connections` connections. */
export async function drive(
  url: string,
  seconds: number,
  request: { method: 'POST' | 'GET'; body?: string; headers?: Record<string, string>; nextPath: () => string },
): Promise<HttpResult> {
  const result = await autocannon({
    url,
    connections: 16,
    duration: seconds,
    requests: [{
      method: request.method,
      body: request.body,
      headers: { 'content-type': 'application/json', ...request.headers },
      setupRequest: (req: Record<string, unknown>) => ({ ...req, path: request.nextPath() }),
    }],
  });
  return { requestsPerSecond: result.requests.average, p50ms: result.latency.p50, p99ms: result.latency.p99, non2xx: result.non2xx };
}
