import { execFileSync, execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
      const names = ['memory', 'postgres', 'redis', 'mongodb', 'express', 'fastify', 'testing'];
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
});
