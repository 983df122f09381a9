/**
 * An unexpected error (here: the host's authenticate hook throws) is answered 500 with a generic
 * envelope, and reported with its stack to onError, else the logger option, else the default:
 * Fastify's request.log in the plugin, the core's consoleLogger in the Express router.
 */
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from 'clickcredit';
import { createMemoryStore } from 'clickcredit/memory';
import { createClickCreditRouter, type ClickCreditRouterOptions } from 'clickcredit/express';
import { clickCreditPlugin, type ClickCreditPluginOptions } from 'clickcredit/fastify';
import { referredTracker } from '../support/trackers.js';

const failingAuthenticate = (): never => {
  throw new Error('token service exploded');
};
const CLICK = { method: 'POST', path: '/products/p1/click', body: JSON.stringify({ taskUrl: 'https://offer.test/' }) } as const;
const INTERNAL = { success: false, message: 'Internal error', error: { code: 'INTERNAL' } };

function recordingLogger(): Logger & { errors: { message: string; context?: Record<string, unknown> }[] } {
  const errors: { message: string; context?: Record<string, unknown> }[] = [];
  return { errors, info() {}, warn() {}, error: (message, context) => void errors.push({ message, context }) };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const close of closers.splice(0)) await close();
});

async function viaExpress(options: Partial<ClickCreditRouterOptions>): Promise<{ status: number; body: unknown }> {
  const app = express();
  app.use(createClickCreditRouter({ tracker: referredTracker(createMemoryStore()), authenticate: failingAuthenticate, ...options }));
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}${CLICK.path}`, { method: CLICK.method, headers: { 'content-type': 'application/json' }, body: CLICK.body });
  return { status: response.status, body: await response.json() };
}

async function viaFastify(options: Partial<ClickCreditPluginOptions>, app: FastifyInstance = Fastify()): Promise<{ status: number; body: unknown }> {
  closers.push(() => app.close());
  await app.register(clickCreditPlugin, { tracker: referredTracker(createMemoryStore()), authenticate: failingAuthenticate, ...options });
  const response = await app.inject({ method: CLICK.method, url: CLICK.path, headers: { 'content-type': 'application/json' }, payload: CLICK.body });
  return { status: response.statusCode, body: response.json() };
}

describe('Express router: unexpected errors', () => {
  it('go to the logger option with the stack; the client sees a generic 500', async () => {
    const logger = recordingLogger();
    const answer = await viaExpress({ logger });
    expect(answer).toEqual({ status: 500, body: INTERNAL });
    expect(JSON.stringify(answer.body)).not.toContain('exploded');
    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]!.message).toBe('unexpected error while serving a request');
    expect(logger.errors[0]!.context).toMatchObject({ error: 'Error: token service exploded', stack: expect.stringContaining('failingAuthenticate') });
  });

  it('go to onError (with the request) in preference to the logger', async () => {
    const logger = recordingLogger();
    const seen: { message: string; url: string }[] = [];
    const answer = await viaExpress({ logger, onError: (error, req) => seen.push({ message: (error as Error).message, url: req.originalUrl }) });
    expect(answer.status).toBe(500);
    expect(seen).toEqual([{ message: 'token service exploded', url: CLICK.path }]);
    expect(logger.errors).toHaveLength(0);
  });

  it('default to consoleLogger, the logger port default', async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const answer = await viaExpress({});
    expect(answer.status).toBe(500);
    expect(consoleError).toHaveBeenCalledTimes(1);
    expect(consoleError.mock.calls[0]![0]).toBe('[clickcredit] unexpected error while serving a request');
    expect(consoleError.mock.calls[0]![1]).toMatchObject({ stack: expect.stringContaining('token service exploded') });
  });

  it('a throwing onError still leaves the client its 500 envelope', async () => {
    const answer = await viaExpress({
      onError: () => {
        throw new Error('logger down');
      },
    });
    expect(answer).toEqual({ status: 500, body: INTERNAL });
  });
});

describe('Fastify plugin: unexpected errors', () => {
  it("default to the request's own logger (request.log) with the stack and the request id", async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const answer = await viaFastify({}, Fastify({ logger: { level: 'error', stream } }));
    expect(answer).toEqual({ status: 500, body: INTERNAL });
    const logged = lines.filter((line) => line.msg === 'clickcredit: unexpected error while serving a request');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 50, reqId: expect.any(String), err: { message: 'token service exploded', stack: expect.stringContaining('failingAuthenticate') } });
  });

  it('go to the logger option when given', async () => {
    const logger = recordingLogger();
    const answer = await viaFastify({ logger });
    expect(answer).toEqual({ status: 500, body: INTERNAL });
    expect(logger.errors).toEqual([{ message: 'unexpected error while serving a request', context: expect.objectContaining({ stack: expect.stringContaining('exploded') }) }]);
  });

  it('go to onError with the Fastify request', async () => {
    const seen: string[] = [];
    const answer = await viaFastify({ onError: (error, request) => seen.push(`${request.method} ${request.url}: ${(error as Error).message}`) });
    expect(answer.status).toBe(500);
    expect(seen).toEqual([`POST ${CLICK.path}: token service exploded`]);
  });
});
