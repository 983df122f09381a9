/**
 * The Fastify plugin is wrapped with fastify-plugin for its name and version check, yet stays
 * encapsulated: its raw-text content-type parsers, error handler and not-found handler must not
 * change anything for the host app's own routes.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from 'clickcredit/memory';
import { clickCreditPlugin } from 'clickcredit/fastify';
import { referredTracker } from '../support/trackers.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function hostApp(): Promise<FastifyInstance> {
  const host = Fastify();
  host.setErrorHandler((error, _request, reply) => reply.code(418).send({ hostHandled: (error as Error).message }));
  host.setNotFoundHandler((_request, reply) => reply.code(404).send({ hostNotFound: true }));
  host.post('/own/json', async (request) => ({ bodyType: typeof request.body, body: request.body }));
  host.post('/own/fail', async () => {
    throw new Error('host route failed');
  });
  await host.register(clickCreditPlugin, { prefix: '/api/v1/earn', tracker: referredTracker(createMemoryStore()), authenticate: () => 'u1' });
  await host.ready();
  return host;
}

describe('Fastify plugin encapsulation', () => {
  it('is named clickcredit and checks the Fastify major', async () => {
    app = await hostApp();
    expect(app.hasPlugin('clickcredit')).toBe(true);
    const meta = (clickCreditPlugin as unknown as Record<symbol, unknown>)[Symbol.for('plugin-meta')];
    expect(meta).toMatchObject({ name: 'clickcredit', fastify: '5.x', encapsulate: true });
  });

  it("the host's routes keep the host's JSON parser, error handler and not-found handler", async () => {
    app = await hostApp();
    const json = await app.inject({ method: 'POST', url: '/own/json', payload: { a: 1 } });
    expect(json.statusCode).toBe(200);
    // The plugin keeps bodies as text inside its prefix; outside it Fastify still parses JSON.
    expect(json.json()).toEqual({ bodyType: 'object', body: { a: 1 } });

    const broken = await app.inject({ method: 'POST', url: '/own/json', headers: { 'content-type': 'application/json' }, payload: '{"a":' });
    expect(broken.statusCode).toBe(418);
    expect(broken.json()).toHaveProperty('hostHandled');

    const failed = await app.inject({ method: 'POST', url: '/own/fail' });
    expect(failed.statusCode).toBe(418);
    expect(failed.json()).toEqual({ hostHandled: 'host route failed' });

    const missing = await app.inject({ method: 'GET', url: '/nowhere' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ hostNotFound: true });
  });

  it('inside its prefix the plugin keeps its own envelope, parsing and not-found answer', async () => {
    app = await hostApp();
    const click = await app.inject({ method: 'POST', url: '/api/v1/earn/products/p1/click', payload: { taskUrl: 'https://offer.test/' } });
    expect(click.statusCode).toBe(201);
    expect(click.json()).toMatchObject({ success: true, data: { redirectUrl: expect.stringContaining('offer.test') } });
    const broken = await app.inject({ method: 'POST', url: '/api/v1/earn/products/p1/click', headers: { 'content-type': 'application/json' }, payload: '{"taskUrl":' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR' } });
    const missing = await app.inject({ method: 'GET', url: '/api/v1/earn/nowhere' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ success: false, error: { code: 'NOT_FOUND' } });
  });

  it('can be registered twice under two prefixes', async () => {
    app = Fastify();
    await app.register(clickCreditPlugin, { prefix: '/a', tracker: referredTracker(createMemoryStore()), authenticate: () => 'u1' });
    await app.register(clickCreditPlugin, { prefix: '/b', tracker: referredTracker(createMemoryStore()), authenticate: () => 'u2' });
    await app.ready();
    for (const prefix of ['/a', '/b']) {
      const click = await app.inject({ method: 'POST', url: `${prefix}/products/p1/click`, payload: { taskUrl: 'https://offer.test/' } });
      expect(click.statusCode).toBe(201);
    }
  });
});
