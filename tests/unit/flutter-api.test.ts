/**
 * The Flutter client (examples/flutter) cannot be compiled here (no Dart toolchain), so this test
 * reads its Dart sources and checks every route it calls, every request field and query key it
 * sends, and every JSON key it reads against the OpenAPI document built from the route table.
 *
 * Conventions the Dart code follows (and this test enforces): requests go through
 * `_send('METHOD', '/path', body: {...}, query: {...}, expect: N)` or `_uri('/path', {...})`;
 * each `fromJson` is preceded by `/// API: METHOD /path -> data[.field[]]` (or `/// API: error`
 * for the error envelope); every `name['key']` access is one of those, the envelope (`decoded`),
 * the error object (`error`) or a request header.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../adapters/http/openapi.js';

type Schema = { $ref?: string; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[]; type?: unknown };
interface Operation {
  operationId: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
const doc = buildOpenApiDocument() as unknown as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

const LIB = 'examples/flutter/lib';
function dartFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? dartFiles(path) : path.endsWith('.dart') ? [path] : [];
  });
}
const sources = dartFiles(LIB).map((file) => ({ file, text: readFileSync(file, 'utf8') }));

function resolve(schema: Schema | undefined): Schema {
  let current = schema ?? {};
  while (current.$ref) current = doc.components.schemas[current.$ref.replace('#/components/schemas/', '')] ?? {};
  return current;
}

/** Properties of an object schema; for a union (nullable object), those of its object members. */
function propertiesOf(schema: Schema | undefined): Record<string, Schema> {
  const resolved = resolve(schema);
  const members = [...(resolved.anyOf ?? []), ...(resolved.oneOf ?? []), ...(resolved.allOf ?? [])];
  const merged: Record<string, Schema> = { ...resolved.properties };
  for (const member of members) {
    for (const [name, property] of Object.entries(propertiesOf(member))) {
      // allOf parts may both describe a field (a refinement of `error`): keep both.
      merged[name] = merged[name] ? { allOf: [merged[name]!, property] } : property;
    }
  }
  return merged;
}

/** The schema at `data.items[]` inside `schema`. */
function schemaAt(schema: Schema, path: string): Schema {
  let current = schema;
  for (const segment of path.split('.')) {
    const [, name, array] = /^(\w+)(\[\])?$/.exec(segment) ?? [];
    const next = propertiesOf(current)[name!];
    if (!next) throw new Error(`no field "${name}" on the way to ${path}`);
    current = array ? resolve(resolve(next).items ?? (resolve(next).anyOf ?? []).find((s) => resolve(s).items)?.items) : next;
  }
  return current;
}

const template = (path: string) => path.replace(/\$\{[^}]*\}|\$\w+/g, '{}').replace(/\{\w+\}/g, '{}');
function operation(method: string, dartPath: string): Operation | undefined {
  const wanted = template(dartPath);
  const entry = Object.entries(doc.paths).find(([path]) => template(path) === wanted);
  return entry?.[1][method.toLowerCase()];
}
function keysOfMap(literal: string): string[] {
  return [...literal.matchAll(/'(\w+)'\s*:/g)].map((match) => match[1]!);
}

interface Call { file: string; method: string; path: string; body: string[] | null; query: string[]; expect: string }
const calls: Call[] = sources.flatMap(({ file, text }) => [
  ...[...text.matchAll(/_send\(\s*'(GET|POST)',\s*'([^']*)'((?:[^;])*?)\);/gs)].map((match) => {
    const rest = match[3]!;
    const body = /body:\s*\{([^}]*)\}/.exec(rest);
    const query = /query:\s*\{([^}]*)\}/.exec(rest);
    return { file, method: match[1]!, path: match[2]!, body: body ? keysOfMap(body[1]!) : null, query: query ? keysOfMap(query[1]!) : [], expect: /expect:\s*(\d+)/.exec(rest)?.[1] ?? '200' };
  }),
  ...[...text.matchAll(/_uri\(\s*'([^']*)'(?:,\s*\{([^}]*)\})?\)/g)].map((match) => ({
    file, method: 'GET', path: match[1]!, body: null, query: match[2] ? keysOfMap(match[2]) : [], expect: '200',
  })),
]);

interface Model { file: string; marker: string; keys: string[] }
const models: Model[] = sources.flatMap(({ file, text }) => {
  const parts = text.split(/(?=\/\/\/ API: )/);
  return parts.slice(1).map((part) => ({
    file,
    marker: /^\/\/\/ API: (.*)$/m.exec(part)![1]!.trim(),
    keys: [...part.matchAll(/\b(?:json|error)\['(\w+)'\]/g)].map((match) => match[1]!),
  }));
});

// The error envelope as the document gives it for a refused call (whatever its component is named).
const errorSchema = resolve(operation('GET', '/wallet')!.responses['401']!.content!['application/json']!.schema);
const ENVELOPE_KEYS = new Set(Object.keys(propertiesOf(errorSchema)).concat('data'));
const ERROR_KEYS = new Set(Object.keys(propertiesOf(propertiesOf(errorSchema).error)));
const HEADERS = new Set(['Accept', 'Authorization', 'Content-Type']);

describe('the Flutter client against the OpenAPI document', () => {
  it('finds the calls and models it checks (the patterns still match the sources)', () => {
    expect(sources.length).toBeGreaterThanOrEqual(8);
    expect(calls.length).toBeGreaterThanOrEqual(6);
    expect(models.length).toBeGreaterThanOrEqual(6);
  });

  it('every route it calls exists, with that method, and answers the status it expects', () => {
    for (const call of calls) {
      const op = operation(call.method, call.path);
      expect(op, `${call.file}: ${call.method} ${call.path} is not in the OpenAPI document`).toBeDefined();
      expect(Object.keys(op!.responses), `${call.file}: ${call.method} ${call.path} never answers ${call.expect}`).toContain(call.expect);
    }
  });

  it('every body field and query key it sends is declared by the route', () => {
    for (const call of calls) {
      const op = operation(call.method, call.path)!;
      if (call.body) {
        const declared = Object.keys(propertiesOf(op.requestBody?.content['application/json']?.schema));
        for (const key of call.body) expect(declared, `${call.file}: body field "${key}" of ${call.method} ${call.path}`).toContain(key);
      }
      const parameters = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      for (const key of call.query) expect(parameters, `${call.file}: query "${key}" of ${call.method} ${call.path}`).toContain(key);
    }
  });

  it('every JSON key a model reads is in the response schema its marker names', () => {
    for (const model of models) {
      if (model.marker === 'error') {
        for (const key of model.keys) expect([...ENVELOPE_KEYS, ...ERROR_KEYS], `${model.file}: error envelope key "${key}"`).toContain(key);
        continue;
      }
      const [, method, path, at] = /^(GET|POST) (\S+) -> (\S+)$/.exec(model.marker) ?? [];
      expect(method, `${model.file}: malformed marker "${model.marker}"`).toBeDefined();
      const op = operation(method!, path!);
      expect(op, `${model.file}: ${method} ${path} is not in the OpenAPI document`).toBeDefined();
      const success = Object.entries(op!.responses).find(([status]) => /^2\d\d$/.test(status))![1];
      const schema = schemaAt(success.content!['application/json']!.schema, at!);
      const declared = Object.keys(propertiesOf(schema));
      expect(model.keys.length, `${model.file}: ${model.marker} reads no key`).toBeGreaterThan(0);
      for (const key of model.keys) expect(declared, `${model.file}: "${key}" read from ${model.marker}`).toContain(key);
    }
  });

  it('every map access in the Dart sources is one of the checked kinds', () => {
    for (const { file, text } of sources) {
      for (const match of text.matchAll(/\b(\w+)\['([^']+)'\]/g)) {
        const [, name, key] = match as unknown as [string, string, string];
        const ok =
          name === 'json' || (name === 'error' && ERROR_KEYS.has(key)) || (name === 'decoded' && ENVELOPE_KEYS.has(key)) || (name === 'headers' && HEADERS.has(key));
        expect(ok, `${file}: unchecked access ${name}['${key}']`).toBe(true);
      }
    }
  });

  it('it covers every user route of the API (all but the advertiser postbacks and the admin routes)', () => {
    const used = new Set(calls.map((call) => `${call.method} ${template(call.path)}`));
    const userRoutes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${template(path)}`).filter(() => !path.startsWith('/postback') && !path.startsWith('/admin')),
    );
    for (const route of userRoutes) expect([...used], `the Flutter client does not call ${route}`).toContain(route);
  });
});
