/**
 * The Fastify plugin warns when the server's router refuses path parameters shorter than the ids
 * clickcredit accepts (256 characters), wherever the host set the limit: `routerOptions` (Fastify 5's
 * place for it) or the deprecated top-level option.
 */
import { Writable } from 'node:stream';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { clickCreditPlugin } from 'clickcredit/fastify';
import { createMemoryStore } from 'clickcredit/memory';
import { referredTracker } from '../support/trackers.js';

async function warningsFor(options: FastifyServerOptions): Promise<string[]> {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
  const app = Fastify({ ...options, logger: { level: 'warn', stream } });
  await app.register(clickCreditPlugin, { prefix: '/api/v1/earn', tracker: referredTracker(createMemoryStore()), authenticate: () => 'u1' });
  await app.ready();
  await app.close();
  return lines.map((line) => (JSON.parse(line) as { msg: string }).msg).filter((msg) => msg.includes('maxParamLength'));
}

describe('Fastify plugin maxParamLength check', () => {
  it('warns on the default limit (100), naming it', async () => {
    const warnings = await warningsFor({});
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('(it is 100)');
  });

  it('is satisfied by routerOptions.maxParamLength', async () => {
    expect(await warningsFor({ routerOptions: { maxParamLength: 256 } })).toEqual([]);
  });

  it('is satisfied by the top-level maxParamLength', async () => {
    expect(await warningsFor({ maxParamLength: 300 })).toEqual([]);
  });

  it('warns for a routerOptions limit below 256', async () => {
    expect(await warningsFor({ routerOptions: { maxParamLength: 200 } })).toEqual([expect.stringContaining('(it is 200)')]);
  });
});
