import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_STATUS } from 'clickcredit';
import { buildOpenApiDocument } from 'clickcredit/express';
import { ROUTES } from '../../adapters/http/routes.js';

interface Operation {
  operationId: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters?: { name: string; in: string; required: boolean; schema: unknown }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; headers?: Record<string, unknown>; content?: Record<string, { schema: Record<string, unknown> }> }>;
}
interface Document {
  openapi: string;
  info: { license: { name: string } };
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, Record<string, unknown>>; schemas: Record<string, Record<string, unknown>> };
}

const doc = buildOpenApiDocument() as unknown as Document;
const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
const opOf = (id: string) => operations.find(({ op }) => op.operationId === id)!.op;

/** Every `$ref` target in a value. */
function refsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsOf);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => (key === '$ref' && typeof item === 'string' ? [item] : refsOf(item)));
}

describe('docs/openapi.json', () => {
  it('is what the route table generates now (run `npm run openapi` after changing a route or schema)', () => {
    const committed = JSON.parse(readFileSync('docs/openapi.json', 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
  });

  it('documents every route of the table once, with its operationId, tag and success status', () => {
    expect(operations).toHaveLength(ROUTES.length);
    for (const route of ROUTES) {
      const op = doc.paths[route.path.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
      expect(op, route.id).toBeDefined();
      expect(op!.operationId).toBe(route.id);
      expect(Object.keys(op!.responses)).toContain(String(route.status));
      expect(doc.tags.map((tag) => tag.name)).toContain(op!.tags[0]);
    }
    expect(new Set(operations.map(({ op }) => op.operationId)).size).toBe(operations.length);
    for (const path of ['/products/{productId}/click', '/track/{clickId}', '/postback', '/clicks/{clickId}', '/earnings', '/wallet']) expect(doc.paths[path]).toBeDefined();
    expect(Object.keys(doc.paths['/postback']!)).toEqual(['post', 'get']);
  });

  it('error codes are an enum of the contract codes, and each error response names the codes of its status', () => {
    expect(doc.components.schemas.ErrorCode).toMatchObject({ type: 'string', enum: [...Object.keys(ERROR_STATUS), 'INTERNAL'] });
    for (const { op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400 || status === '4XX') continue;
        const schema = response.content!['application/json']!.schema as { allOf: [{ $ref: string }, { properties: { error: { properties: { code: { enum: string[] } } } } }] };
        expect(schema.allOf[0].$ref).toBe('#/components/schemas/ErrorEnvelope');
        for (const code of schema.allOf[1].properties.error.properties.code.enum) {
          expect(code === 'INTERNAL' ? 500 : ERROR_STATUS[code as keyof typeof ERROR_STATUS], `${op.operationId} ${status} ${code}`).toBe(Number(status));
          expect(response.description).toContain(code);
        }
      }
    }
    expect(Object.keys(opOf('createClick').responses)).toEqual(expect.arrayContaining(['401', '409', '413', '500', '503']));
    expect(Object.keys(opOf('getWallet').responses)).not.toContain('403');
  });

  it("network callbacks answer refusals in the network's terms, other failures with the envelope", () => {
    for (const route of ROUTES.filter((r) => r.raw === true)) {
      const responses = opOf(route.id).responses;
      expect(Object.keys(responses[String(route.status)]!.content!)).toEqual(['text/plain']);
      expect(Object.keys(responses['4XX']!.content!)).toEqual(['text/plain']);
      expect(responses['403']).toBeUndefined();
      expect(Object.keys(responses)).toEqual(expect.arrayContaining(['400', '404', '500', '503']));
    }
  });

  it('the redirect of trackClick is a 302 with a Location header', () => {
    expect(opOf('trackClick').responses['302']).toMatchObject({ headers: { Location: { required: true, schema: { type: 'string', format: 'uri' } } } });
    expect(opOf('trackClick').responses['410']).toBeDefined();
  });

  it('postback authentication is described as security schemes: signature headers, shared secret, hash parameter', () => {
    const schemes = doc.components.securitySchemes;
    expect(schemes.standardWebhooks).toMatchObject({ type: 'apiKey', in: 'header', name: 'webhook-signature' });
    expect(schemes.postbackSecretHeader).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-postback-secret' });
    expect(schemes.postbackSecretQuery).toMatchObject({ type: 'apiKey', in: 'query', name: 'secret' });
    expect(schemes.postbackHash).toMatchObject({ type: 'apiKey', in: 'query', name: 'hash' });
    expect(schemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const id of ['postback', 'postbackGet']) {
      expect(opOf(id).security).toEqual([{ standardWebhooks: [] }, { postbackSecretHeader: [] }, { postbackSecretQuery: [] }, { postbackHash: [] }]);
      expect(opOf(id).parameters!.filter((p) => p.in === 'header').map((p) => p.name)).toEqual(['webhook-id', 'webhook-timestamp']);
    }
    expect(opOf('getWallet').security).toEqual([{ bearer: [] }]);
    expect(opOf('trackClick').security).toEqual([]);
    for (const { op } of operations) for (const requirement of op.security) for (const name of Object.keys(requirement)) expect(schemes[name], name).toBeDefined();
  });

  it('names its schemas in components and every $ref resolves; no component is unused', () => {
    const data = (id: string, status: string) => (opOf(id).responses[status]!.content!['application/json']!.schema as { properties: { data: unknown } }).properties.data;
    expect(data('getWallet', '200')).toEqual({ $ref: '#/components/schemas/WalletView' });
    expect(data('createClick', '201')).toEqual({ $ref: '#/components/schemas/ClickCreated' });
    expect(data('postback', '200')).toEqual({ $ref: '#/components/schemas/PostbackResult' });
    expect(opOf('createClick').requestBody!.content['application/json']!.schema).toEqual({ $ref: '#/components/schemas/CreateClickBody' });
    expect(opOf('getClick').parameters![0]).toMatchObject({ name: 'clickId', in: 'path', required: true, schema: { $ref: '#/components/schemas/ClickId' } });
    const refs = refsOf(doc);
    for (const target of refs) expect(doc.components.schemas[target.replace('#/components/schemas/', '')], target).toBeDefined();
    const used = new Set(refs);
    for (const name of Object.keys(doc.components.schemas)) expect(used.has(`#/components/schemas/${name}`), name).toBe(true);
  });

  it('uses the server URL it is given', () => {
    expect((buildOpenApiDocument('https://api.example.test/earn') as { servers: unknown }).servers).toEqual([{ url: 'https://api.example.test/earn' }]);
    expect(doc.info.license.name).toBe('MIT');
  });

  // The same check CI runs on the committed file (`npm run lint:openapi`), here on a fresh build of it.
  const redocly = join('node_modules', '.bin', 'redocly');
  it.skipIf(!existsSync(redocly))('passes `redocly lint` (recommended rules) with no error and no warning', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(buildOpenApiDocument()));
    const run = (() => {
      try {
        return execFileSync(redocly, ['lint', file, '--format=json', '--extends=recommended'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (error) {
        return (error as { stdout: string }).stdout;
      }
    })();
    const report = JSON.parse(run.slice(run.indexOf('{'))) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string }[] };
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000);
});
