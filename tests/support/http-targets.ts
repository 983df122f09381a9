/**
 * The two framework helpers as contract-suite targets, and the stores they run on.
 */
import { PGlite } from '@electric-sql/pglite';
import express from 'express';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { createClickCreditRouter } from 'clickcredit/express';
import { clickCreditFrameworkErrors, clickCreditPlugin } from 'clickcredit/fastify';
import { createMemoryStore } from 'clickcredit/memory';
import { createPostgresStore, migrate } from 'clickcredit/postgres';
import type { HttpTarget, StoreTarget } from './http-contract.js';
import { DATABASE_URL, uniqueSchema } from './services.js';

export const expressTarget: HttpTarget = {
  name: 'Express 5',
  async start(tracker, { trustProxy, authenticate, nestingQueryParser, onError, authorizeAdmin, logger }) {
    const app = express();
    app.set('trust proxy', trustProxy);
    if (nestingQueryParser) app.set('query parser', 'extended'); // qs: click_id[$ne]=x becomes an object
    app.use('/api/v1/earn', createClickCreditRouter({
      tracker,
      onError,
      authenticate: (req) => authenticate(req.headers.authorization),
      ...(authorizeAdmin ? { authorizeAdmin: (req) => authorizeAdmin(req.headers.authorization) } : {}),
      ...(logger ? { logger } : {}),
    }));
    const server = await new Promise<import('node:http').Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    return { baseUrl: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  },
};

export const fastifyTarget: HttpTarget = {
  name: 'Fastify 5',
  async start(tracker, { trustProxy, authenticate, nestingQueryParser, onError, authorizeAdmin, logger }) {
    const app = Fastify({
      trustProxy,
      frameworkErrors: clickCreditFrameworkErrors,
      maxParamLength: 256,
      ...(nestingQueryParser ? { routerOptions: { querystringParser: arrayQueryParser } } : {}),
    });
    await app.register(clickCreditPlugin, {
      prefix: '/api/v1/earn',
      tracker,
      onError,
      authenticate: (request) => authenticate(request.headers.authorization),
      ...(authorizeAdmin ? { authorizeAdmin: (request) => authorizeAdmin(request.headers.authorization) } : {}),
      ...(logger ? { logger } : {}),
    });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    return { baseUrl: address, close: () => app.close() };
  },
};

/** A host query parser that turns repeated keys into arrays, as many do. */
function arrayQueryParser(raw: string): Record<string, unknown> {
  const result: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const seen = result[key];
    result[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return result;
}

export const memoryStore: StoreTarget = {
  name: 'memory',
  async open() {
    return { storage: createMemoryStore(), cleanup: async () => undefined };
  },
};

export const pgliteStore: StoreTarget = {
  name: 'PGlite',
  async open() {
    const db = new PGlite();
    await migrate(db);
    return { storage: createPostgresStore({ client: db }), cleanup: () => db.close() };
  },
};

export const postgresStore: StoreTarget = {
  name: 'Postgres server',
  async open() {
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 5 });
    const schema = uniqueSchema('cc_http');
    await migrate(pool, { schema });
    return {
      storage: createPostgresStore({ client: pool, schema }),
      cleanup: async () => {
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await pool.end();
      },
    };
  },
};
