import { execFileSync, execSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';

// The built package, loaded the way users load it: by name, through package.json "exports".
beforeAll(() => {
  if (!existsSync('dist/index.js')) execSync('npx tsup --silent', { stdio: 'inherit' });
}, 300_000);

function node(args: string[], code: string): string {
  return execFileSync(process.execPath, [...args, '-e', code], { encoding: 'utf8' }).trim();
}

describe('the built package', () => {
  it('loads every subpath from CommonJS with named exports, and the core loads no driver', () => {
    const out = node([], `
      const core = require('clickcredit');
      const loaded = () => Object.keys(require.cache).filter((p) => /node_modules[\\\\/](pg|ioredis|mongodb|express|fastify|@electric-sql)[\\\\/]/.test(p));
      const before = loaded().length;
      const names = ['memory', 'postgres', 'redis', 'mongodb', 'express', 'fastify', 'testing', 'networks', 'store'];
      const shapes = names.map((n) => n + ':' + Object.keys(require('clickcredit/' + n)).length);
      console.log(JSON.stringify({ before, create: typeof core.createClickTracker, shapes, def: 'default' in core }));
    `);
    const result = JSON.parse(out);
    expect(result.before).toBe(0);
    expect(result.create).toBe('function');
    expect(result.def).toBe(false);
    for (const shape of result.shapes) expect(Number(shape.split(':')[1])).toBeGreaterThan(0);
  });

  it('shares one copy of the core between subpaths in ESM (errors keep instanceof)', () => {
    const out = node(['--input-type=module'], `
      const { ClickCreditError, createClickTracker } = await import('clickcredit');
      const { createMemoryStore } = await import('clickcredit/memory');
      const store = createMemoryStore();
      const t = createClickTracker({ storage: store, products: { getProduct: () => ({ productId: 'p', earnUpTo: '1.00', active: true }) }, publicUrl: 'https://x.test', allowUnverifiedPostbacks: true, logger: { info() {}, warn() {}, error() {} } });
      const c = await t.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.test/' });
      const error = await store.insertClick(await store.getClick(c.clickId)).catch((e) => e);
      console.log(JSON.stringify({ shared: error instanceof ClickCreditError, code: error.code }));
    `);
    expect(JSON.parse(out)).toEqual({ shared: true, code: 'CONFLICT' });
  });

  it('clickcredit/client loads nothing else (no zod, no core) from CommonJS and ESM, and stays small', () => {
    // A dist built before the client existed lacks it: build once more rather than fail on a stale copy.
    if (!existsSync('dist/client.js')) execSync('npx tsup --silent', { stdio: 'inherit' });
    const cjs = JSON.parse(node([], `
      const before = new Set(Object.keys(require.cache));
      const client = require('clickcredit/client');
      const loaded = Object.keys(require.cache).filter((p) => !before.has(p));
      const error = new client.ClickCreditClientError('NOT_FOUND', 404, 'x');
      console.log(JSON.stringify({ loaded, names: Object.keys(client).sort(), guard: client.isClickCreditClientError(error), def: 'default' in client }));
    `));
    expect(cjs.loaded).toHaveLength(1);
    expect(cjs.loaded[0]).toMatch(/dist[\\/]client\.cjs$/);
    expect(cjs.names).toEqual(['ClickCreditClientError', 'createClickCreditClient', 'isClickCreditClientError']);
    expect([cjs.guard, cjs.def]).toEqual([true, false]);

    const esm = JSON.parse(node(['--input-type=module'], `
      const client = await import('clickcredit/client');
      const api = client.createClickCreditClient({ baseUrl: 'http://127.0.0.1:1/api' });
      console.log(JSON.stringify({ names: Object.keys(client).sort(), methods: Object.keys(api).sort() }));
    `));
    expect(esm.names).toEqual(cjs.names);
    expect(esm.methods).toEqual(['admin', 'createClick', 'getClick', 'getWallet', 'listEarnings', 'request', 'sendPostback', 'trackClick']);
    const code = readFileSync('dist/client.js', 'utf8');
    expect(code).not.toMatch(/^\s*import\s/m);
    expect(code).not.toMatch(/require\(/);
    expect(Buffer.byteLength(code)).toBeLessThan(12_000);
  });

  it('clickcredit/dashboard loads no framework and serves its page from CommonJS and ESM', () => {
    if (!existsSync('dist/dashboard.js')) execSync('npx tsup --silent', { stdio: 'inherit' });
    const cjs = JSON.parse(node([], `
      const dashboard = require('clickcredit/dashboard');
      const frameworks = Object.keys(require.cache).filter((p) => /node_modules[\\\\/](express|fastify)[\\\\/]/.test(p));
      const page = dashboard.dashboardResponse('/', '/ops', { apiBase: '/api' });
      console.log(JSON.stringify({ frameworks, status: page.status, html: page.body.includes('/ops/assets/uPlot.iife.min.js'), names: Object.keys(dashboard).sort() }));
    `));
    expect(cjs).toEqual({ frameworks: [], status: 200, html: true, names: ['UPLOT_VERSION', 'createDashboardMiddleware', 'dashboardPlugin', 'dashboardResponse'] });
    const esm = JSON.parse(node(['--input-type=module'], `
      const dashboard = await import('clickcredit/dashboard');
      console.log(JSON.stringify({ names: Object.keys(dashboard).sort(), asset: dashboard.dashboardResponse('/assets/uPlot.iife.min.js', '/ops', { apiBase: '/api' }).body.length }));
    `));
    expect(esm.names).toEqual(cjs.names);
    expect(esm.asset).toBeGreaterThan(40_000);
  });
});

/**
 * One process that `import`s some subpaths and `require`s others runs two copies of the core
 * (the ESM and the CommonJS build). The errors of one copy must keep their meaning in the other:
 * a duplicate click is a 409 `CONFLICT`, not a 503 because `instanceof` failed.
 */
describe('mixing import and require', () => {
  // Shared by both scripts: a tracker whose id generator repeats, so the second click collides in the store.
  const setup = `
    import { createRequire } from 'node:module';
    const require = createRequire(process.cwd() + '/package.json');
    const CLICK_ID = '6f1c2a9e-3b7d-4e21-9a55-0c8d7e4f1a23';
    const trackerOptions = (storage) => ({
      storage,
      products: { getProduct: () => ({ productId: 'p', earnUpTo: '1.00', active: true }) },
      publicUrl: 'https://x.test',
      allowUnverifiedPostbacks: true,
      ids: { uuid: () => CLICK_ID },
      logger: { info() {}, warn() {}, error() {} },
    });
    async function postClickTwice(app) {
      const server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
      const url = 'http://127.0.0.1:' + server.address().port + '/api/products/p/click';
      const post = () => fetch(url, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: JSON.stringify({ taskUrl: 'https://a.test/' }) })
        .then(async (r) => [r.status, (await r.json()).error?.code ?? null]);
      const answers = [await post(), await post()];
      await new Promise((resolve) => server.close(resolve));
      return answers;
    }
  `;

  it('an ESM tracker over a CommonJS-loaded store: a duplicate click is a ConflictError (409 over HTTP)', () => {
    const out = node(['--input-type=module'], `${setup}
      const esm = await import('clickcredit');
      const cjs = require('clickcredit');
      const { createMemoryStore } = require('clickcredit/memory');
      const tracker = esm.createClickTracker(trackerOptions(createMemoryStore()));
      await tracker.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.test/' });
      const error = await tracker.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.test/' }).catch((e) => e);

      const { default: express } = await import('express');
      const { createClickCreditRouter } = await import('clickcredit/express');
      const app = express();
      app.use('/api', createClickCreditRouter({ tracker: esm.createClickTracker(trackerOptions(createMemoryStore())), authenticate: () => 'u' }));
      console.log(JSON.stringify({
        twoCopies: esm.ConflictError !== cjs.ConflictError,
        code: error.code,
        esmConflict: error instanceof esm.ConflictError,
        esmBase: error instanceof esm.ClickCreditError,
        notUnavailable: !(error instanceof esm.UnavailableError),
        notValidation: !(error instanceof cjs.ValidationError),
        branded: esm.isClickCreditError(error) && cjs.isClickCreditError(error),
        http: await postClickTwice(app),
      }));
    `);
    expect(JSON.parse(out)).toEqual({
      twoCopies: true,
      code: 'CONFLICT',
      esmConflict: true,
      esmBase: true,
      notUnavailable: true,
      notValidation: true,
      branded: true,
      http: [[201, null], [409, 'CONFLICT']],
    });
  });

  it('CommonJS-loaded HTTP helpers over an ESM tracker and store keep the contract statuses', () => {
    const out = node(['--input-type=module'], `${setup}
      const { createClickTracker } = await import('clickcredit');
      const { createMemoryStore } = await import('clickcredit/memory');
      const express = require('express');
      const { createClickCreditRouter } = require('clickcredit/express');
      const { clickCreditPlugin } = require('clickcredit/fastify');
      const app = express();
      app.use('/api', createClickCreditRouter({ tracker: createClickTracker(trackerOptions(createMemoryStore())), authenticate: () => 'u' }));
      const viaExpress = await postClickTwice(app);

      const fastify = require('fastify')();
      await fastify.register(clickCreditPlugin, { prefix: '/api', tracker: createClickTracker(trackerOptions(createMemoryStore())), authenticate: () => 'u' });
      const inject = (method, url, payload) => fastify.inject({ method, url, payload, headers: { authorization: 'Bearer t' } }).then((r) => [r.statusCode, r.json().error?.code ?? null]);
      const viaFastify = [
        await inject('POST', '/api/products/p/click', { taskUrl: 'https://a.test/' }),
        await inject('POST', '/api/products/p/click', { taskUrl: 'https://a.test/' }),
        await inject('POST', '/api/products/p/click', { taskUrl: 'ftp://a.test/' }),
        await inject('GET', '/api/clicks/0b7c1f2e-9d4a-4c3b-8e6f-1a2b3c4d5e6f'),
      ];
      await fastify.close();
      console.log(JSON.stringify({ viaExpress, viaFastify }));
    `);
    expect(JSON.parse(out)).toEqual({
      viaExpress: [[201, null], [409, 'CONFLICT']],
      viaFastify: [[201, null], [409, 'CONFLICT'], [400, 'VALIDATION_ERROR'], [404, 'NOT_FOUND']],
    });
  });
});
