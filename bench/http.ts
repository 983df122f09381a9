/**
 * HTTP section: the postback and click endpoints through the Express and Fastify helpers, beside
 * a bare hello-world JSON POST route on the same framework, all driven by autocannon from a child
 * process.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import express from 'express';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import type { ClickTracker } from 'clickcredit';

export interface HttpResult {
  requestsPerSecond: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
  /** Requests sent (more than the paths given means some were replays). */
  sent: number;
  /** CPU time of the serving process per request: what the server costs, whatever the load generator manages. */
  serverCpuMicrosPerRequest: number;
}

const auth = (header: string | string[] | undefined) => (header === 'Bearer bench' ? 'bench-user' : null);

async function startExpress(tracker: ClickTracker | null): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  // The helpers load lazily: a missing or broken one costs its rows, not the run.
  const { createClickCreditRouter } = tracker ? await import('clickcredit/express') : { createClickCreditRouter: null };
  if (tracker && createClickCreditRouter) app.use('/api/v1/earn', createClickCreditRouter({ tracker, authenticate: (req) => auth(req.headers.authorization) }));
  else app.post('/hello', express.json(), (_req, res) => void res.json({ success: true, message: 'hello', data: { ok: true } }));
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

async function startFastify(tracker: ClickTracker | null): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify();
  const { clickCreditPlugin } = tracker ? await import('clickcredit/fastify') : { clickCreditPlugin: null };
  if (tracker && clickCreditPlugin) await app.register(clickCreditPlugin, { prefix: '/api/v1/earn', tracker, authenticate: (request) => auth(request.headers.authorization) });
  else app.post('/hello', async () => ({ success: true, message: 'hello', data: { ok: true } }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}

export const FRAMEWORKS = { express: startExpress, fastify: startFastify } as const;

/** One autocannon run, as sent to the load child. */
export interface LoadRequest {
  url: string;
  seconds: number;
  connections: number;
  method: 'POST' | 'GET';
  body?: string;
  headers?: Record<string, string>;
  /** Request paths in order; replayed from the start when autocannon sends more. */
  paths: string[];
}

/** The load generator in its own process (own core on a 2-core machine), reused for every run. */
export function startLoadGenerator() {
  const child = fork(fileURLToPath(new URL('./load.ts', import.meta.url)), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    /** Drives `paths` on `url` for `seconds` with 16 connections. */
    drive(url: string, seconds: number, request: Pick<LoadRequest, 'method' | 'body' | 'headers' | 'paths'>): Promise<HttpResult> {
      return new Promise((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        child.once('error', onError);
        // The path list goes first; the CPU clock starts once the child has it, so sending
        // tens of thousands of paths is not counted as serving requests.
        child.once('message', () => {
          // The servers run in this process, so its CPU time over the run is the serving cost.
          const cpu = process.cpuUsage();
          child.once('message', (result) => {
            child.off('error', onError);
            const used = process.cpuUsage(cpu);
            const r = result as Omit<HttpResult, 'serverCpuMicrosPerRequest'>;
            resolve(Object.assign(r, { serverCpuMicrosPerRequest: (used.user + used.system) / Math.max(1, r.sent) }));
          });
          child.send('go');
        });
        child.send({ url, seconds, connections: 16, ...request } satisfies LoadRequest);
      });
    },
    close: () => void child.kill(),
  };
}
