/**
 * The OpenAPI 3.1 document, generated from the route table and the same zod schemas that
 * validate requests, so clients (Flutter or any other) can generate their API code from it.
 *
 * Everything is derived, nothing is listed per route here: named component schemas are the
 * core's exported `…Schema` values (a route that uses one gets a `$ref`), error codes and their
 * statuses come from the core's `ERROR_STATUS`, and tags, security and the error responses follow
 * from each route's `auth` kind plus what the route declares (`errors`, `redirect`, `raw`). A new
 * auth kind fails to compile until {@link AUTH_KINDS} describes it, so nothing is guessed.
 * @module
 */
import * as core from 'clickcredit';
import { ERROR_STATUS, type ErrorCode } from 'clickcredit';
import { z } from 'zod';
import { ROUTES, type RouteDefinition } from './routes.js';

type Json = Record<string, unknown>;
type Auth = RouteDefinition['auth'];
/** Codes on the wire: the contract's, plus `INTERNAL` for an unexpected error (500). */
type WireCode = ErrorCode | 'INTERNAL';

/** The credentials a postback verifier (`clickcredit`'s verification module) may read; any one suffices. */
const POSTBACK_SECURITY = [{ standardWebhooks: [] }, { postbackSecretHeader: [] }, { postbackSecretQuery: [] }, { postbackHash: [] }];

const SECURITY_SCHEMES: Json = {
  bearer: { type: 'http', scheme: 'bearer', description: "A user's token, turned into a user id by the host's `authenticate` hook." },
  adminBearer: { type: 'http', scheme: 'bearer', description: "An operator's token, checked by the host's `authorizeAdmin` hook (401 without it, 403 FORBIDDEN for a non-admin)." },
  standardWebhooks: {
    type: 'apiKey',
    in: 'header',
    name: 'webhook-signature',
    description:
      'hmacSignature (Standard Webhooks): `webhook-signature: v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<payload>`, ' +
      'where the payload is the exact body, or the raw query string of a GET; `webhook-timestamp` (unix seconds) within 300 s. ' +
      'The `svix-id`, `svix-timestamp` and `svix-signature` names are accepted too. Secrets: `whsec_<base64>`, base64, or raw text when the host says so.',
  },
  postbackSecretHeader: { type: 'apiKey', in: 'header', name: 'x-postback-secret', description: 'sharedSecret: a static secret in a header (name configurable).' },
  postbackSecretQuery: { type: 'apiKey', in: 'query', name: 'secret', description: 'sharedSecret: a static secret in a parameter (name configurable).' },
  postbackHash: {
    type: 'apiKey',
    in: 'query',
    name: 'hash',
    description: "offerwallHash: hex md5/sha1/sha256 of configured fields and the secret (parameter name configurable). Network callbacks use the network's own parameter or header.",
  },
};

/** How each auth kind is documented: its tag, its security requirement and the errors any of its routes can answer. */
const AUTH_KINDS: Record<Auth, { tag: { name: string; description: string }; security?: Json[]; errors: readonly WireCode[] }> = {
  none: {
    tag: { name: 'Tracking', description: 'Public tracking links, opened by the user’s browser.' },
    errors: [],
  },
  bearer: {
    tag: { name: 'User', description: 'Routes for the signed-in user (bearer token).' },
    security: [{ bearer: [] }],
    errors: ['UNAUTHORIZED'],
  },
  postback: {
    tag: { name: 'Postbacks', description: 'Server-to-server postbacks and network callbacks, authenticated by the configured verifiers.' },
    security: POSTBACK_SECURITY,
    errors: ['POSTBACK_FORBIDDEN', 'CONFLICT', 'CLICK_EXPIRED'],
  },
  admin: {
    tag: { name: 'Admin', description: 'Operator routes, guarded by the host’s `authorizeAdmin` hook.' },
    security: [{ adminBearer: [] }],
    errors: ['UNAUTHORIZED', 'FORBIDDEN'],
  },
};

/** What each code means, in the error responses' descriptions. */
const CODE_MEANINGS: Record<WireCode, string> = {
  VALIDATION_ERROR: 'malformed input',
  UNAUTHORIZED: 'missing or bad credentials',
  POSTBACK_FORBIDDEN: 'postback signature, secret or source IP refused',
  FORBIDDEN: 'authenticated, but not allowed',
  NOT_FOUND: 'unknown route, product, click or earning (or somebody else’s)',
  CONFLICT: 'state conflict (click converted under another conversion, rejected, key reused...)',
  CLICK_EXPIRED: 'the click has expired',
  PAYLOAD_TOO_LARGE: 'request body too large',
  UNAVAILABLE: 'storage unreachable, retry later',
  INTERNAL: 'unexpected error (generic message, logged by the host)',
};

/** Errors every route can answer: malformed input, an unknown resource, an unreachable store, an unexpected error. */
const COMMON_ERRORS: readonly WireCode[] = ['VALIDATION_ERROR', 'NOT_FOUND', 'UNAVAILABLE', 'INTERNAL'];

/**
 * A `Date` travels as ISO 8601 text in JSON (a query's `from=2026-01-31`, a serialised
 * `createdAt`), which zod cannot represent by itself.
 */
const CONVERSION = {
  target: 'draft-2020-12',
  unrepresentable: 'any',
  override: (context: { zodSchema: { _zod: { def: { type: string } } }; jsonSchema: Json }) => {
    if (context.zodSchema._zod.def.type === 'date') Object.assign(context.jsonSchema, { type: 'string', format: 'date-time' });
  },
} as const;

const statusOf = (code: WireCode): number => (code === 'INTERNAL' ? 500 : ERROR_STATUS[code]);
const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

/**
 * The core's exported zod schemas, by name without the `Schema` suffix (`ClickViewSchema` is
 * `ClickView`): the names the document's component schemas carry.
 */
function namedSchemas(): Map<z.ZodType, string> {
  const names = new Map<z.ZodType, string>();
  for (const [exported, value] of Object.entries(core)) {
    if (exported.endsWith('Schema') && value instanceof z.ZodType && !names.has(value)) names.set(value, exported.slice(0, -'Schema'.length));
  }
  return names;
}

/**
 * JSON Schemas for one direction (requests are read as zod `input`, responses as `output`), the
 * named ones as `$ref`s to components. `inputSuffix` names the input variant of a schema whose two
 * directions differ (a default makes a field optional in and required out).
 */
class SchemaSet {
  readonly components: Record<string, Json> = {};
  private readonly registry = z.registry<{ id: string }>();

  constructor(
    private readonly names: Map<z.ZodType, string>,
    private readonly io: 'input' | 'output',
    private readonly rename: (name: string) => string,
  ) {
    for (const [schema, name] of names) this.registry.add(schema, { id: name });
    const all = z.toJSONSchema(this.registry, { ...CONVERSION, io, uri: (id) => `#/components/schemas/${id}` });
    for (const [name, schema] of Object.entries(all.schemas)) {
      const { $schema: _dialect, $id: _id, ...rest } = schema as Json;
      this.components[name] = rest;
    }
  }

  /** The schema of `type`: a `$ref` when it is named, else inline with its named parts as `$ref`s. */
  of(type: z.ZodType): Json {
    const name = this.names.get(type);
    if (name !== undefined) return ref(this.rename(name));
    const { $schema: _dialect, $defs: _defs, ...inline } = z.toJSONSchema(type, { ...CONVERSION, io: this.io, metadata: this.registry }) as Json;
    // Every `$defs` entry is a registered schema, already a component: point at it there.
    return rewriteRefs(inline, (target) => (target.startsWith('#/$defs/') ? `#/components/schemas/${this.rename(target.slice('#/$defs/'.length))}` : target)) as Json;
  }
}

function rewriteRefs(value: unknown, rewrite: (target: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, rewrite));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, key === '$ref' && typeof item === 'string' ? rewrite(item) : rewriteRefs(item, rewrite)]));
}

/**
 * Builds the document. `serverUrl` is where the routes are mounted: pass the absolute public URL
 * (the examples pass theirs); the default is the examples' prefix, relative to where the document is served.
 */
export function buildOpenApiDocument(serverUrl = '/api/v1/earn'): Record<string, unknown> {
  const names = namedSchemas();
  const responses = new SchemaSet(names, 'output', (name) => name);
  const differs = new Set<string>();
  const requests = new SchemaSet(names, 'input', (name) => (differs.has(name) ? `${name}Input` : name));
  for (const [name, schema] of Object.entries(requests.components)) {
    if (JSON.stringify(schema) === JSON.stringify(responses.components[name])) continue;
    if (`${name}Input` in requests.components) throw new Error(`openapi: ${name}Input names both a schema and the input variant of ${name}`);
    differs.add(name);
  }

  const paths: Record<string, Json> = {};
  for (const route of ROUTES) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route, requests, responses);
  }

  const components: Record<string, Json> = {
    ErrorCode: {
      type: 'string',
      enum: [...Object.keys(ERROR_STATUS), 'INTERNAL'],
      description: 'Stable error code; `INTERNAL` is an unexpected error (500, generic message).',
    },
    ErrorEnvelope: {
      type: 'object',
      required: ['success', 'message', 'error'],
      properties: {
        success: { const: false },
        message: { type: 'string' },
        error: { type: 'object', required: ['code'], properties: { code: ref('ErrorCode'), details: { description: 'Safe details, e.g. validation issues' } } },
      },
    },
    ...responses.components,
    ...Object.fromEntries([...differs].map((name) => [`${name}Input`, rewriteRefs(requests.components[name], renameInputRef(differs))])),
  };

  return {
    openapi: '3.1.0',
    info: {
      title: 'clickcredit',
      version: '1',
      license: { name: 'MIT', identifier: 'MIT' },
      description:
        'Click tracking and exactly-once S2S postbacks. Every response is an envelope: { success, message, data } or ' +
        '{ success: false, message, error: { code, details } }, except network callbacks, answered in the network’s own terms.',
    },
    servers: [{ url: serverUrl }],
    tags: usedTags(),
    paths,
    components: { securitySchemes: usedSecuritySchemes(), schemas: reachable(components, paths) },
  };
}

/** A `$ref` inside an input component points at the input variant of a schema that has one. */
function renameInputRef(differs: Set<string>): (target: string) => string {
  return (target) => {
    const name = target.slice('#/components/schemas/'.length);
    return target.startsWith('#/components/schemas/') && differs.has(name) ? `#/components/schemas/${name}Input` : target;
  };
}

function operation(route: RouteDefinition, requests: SchemaSet, responses: SchemaSet): Json {
  const kind = AUTH_KINDS[route.auth];
  const parameters = [
    ...objectParameters(route.params, 'path', requests),
    ...objectParameters(route.query, 'query', requests),
    ...(route.auth === 'postback' ? SIGNATURE_HEADER_PARAMETERS : []),
  ];
  const success = route.raw === true
    ? // A network's own reply: text such as `1`, `ok` or `<eventId>:OK`, never the envelope.
      { description: route.message, content: { 'text/plain': { schema: { type: 'string' } } } }
    : { description: route.message, content: { 'application/json': { schema: envelopeOf(responses.of(route.response)) } } };
  const result: Json = { [String(route.status)]: success };
  if (route.redirect !== undefined) {
    result['302'] = {
      description: route.redirect,
      headers: { Location: { description: 'Where the user is sent', required: true, schema: { type: 'string', format: 'uri' } } },
    };
  }
  // A raw route (a network callback) answers its auth kind's refusals in the network's own terms
  // (`4XX`, text); what fails before or around it (bad input, unknown network, outage) is an envelope.
  const kindErrors = route.raw === true ? [] : kind.errors;
  if (route.raw === true) {
    result['4XX'] = { description: "The network's refusal reply (status, content type and body as the network expects)", content: { 'text/plain': { schema: { type: 'string' } } } };
  }
  const codes = new Set<WireCode>([...COMMON_ERRORS, ...kindErrors, ...(route.errors ?? []), ...(route.body ? (['PAYLOAD_TOO_LARGE'] as const) : [])]);
  for (const [status, list] of groupByStatus(codes)) {
    // The envelope, with the codes this status can carry on this route.
    const schema = { allOf: [ref('ErrorEnvelope'), { type: 'object', properties: { error: { type: 'object', properties: { code: { enum: list } } } } }] };
    result[String(status)] = { description: list.map((code) => `${code}: ${CODE_MEANINGS[code]}`).join('; '), content: { 'application/json': { schema } } };
  }
  const bodySchema = route.body ? requests.of(route.body) : undefined;
  return {
    operationId: route.id,
    summary: route.summary,
    tags: [kind.tag.name],
    ...(kind.security ? { security: kind.security } : { security: [] }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(bodySchema
      ? {
          requestBody: {
            // Postback fields may all sit in the query instead.
            required: route.auth !== 'postback',
            content: {
              'application/json': { schema: bodySchema },
              ...(route.auth === 'postback' ? { 'application/x-www-form-urlencoded': { schema: bodySchema } } : {}),
            },
          },
        }
      : {}),
    responses: Object.fromEntries(Object.entries(result).sort(([a], [b]) => a.localeCompare(b))),
  };
}

/** The two other Standard Webhooks headers (the signature itself is the `standardWebhooks` security scheme). */
const SIGNATURE_HEADER_PARAMETERS = [
  { name: 'webhook-id', in: 'header', required: false, description: 'Standard Webhooks message id (with hmacSignature; `svix-id` accepted)', schema: { type: 'string' } },
  { name: 'webhook-timestamp', in: 'header', required: false, description: 'Unix seconds of the signature (with hmacSignature; `svix-timestamp` accepted)', schema: { type: 'string', pattern: '^\\d{1,12}$' } },
];

function groupByStatus(codes: Iterable<WireCode>): [number, WireCode[]][] {
  const byStatus = new Map<number, WireCode[]>();
  for (const code of codes) byStatus.set(statusOf(code), [...(byStatus.get(statusOf(code)) ?? []), code]);
  return [...byStatus];
}

function envelopeOf(data: Json): Json {
  return { type: 'object', required: ['success', 'message', 'data'], properties: { success: { const: true }, message: { type: 'string' }, data } };
}

function usedTags(): Json[] {
  const used = new Set(ROUTES.map((route) => route.auth));
  return (Object.keys(AUTH_KINDS) as Auth[]).filter((auth) => used.has(auth)).map((auth) => AUTH_KINDS[auth].tag);
}

function usedSecuritySchemes(): Json {
  const used = new Set(ROUTES.flatMap((route) => (AUTH_KINDS[route.auth].security ?? []).flatMap((requirement) => Object.keys(requirement))));
  return Object.fromEntries(Object.entries(SECURITY_SCHEMES).filter(([name]) => used.has(name)));
}

/** The components some path refers to, directly or through another component; no unused ones. */
function reachable(components: Record<string, Json>, paths: Json): Record<string, Json> {
  const keep = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== 'object' || value === null) return;
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string' && item.startsWith('#/components/schemas/')) {
        const name = item.slice('#/components/schemas/'.length);
        if (!keep.has(name)) {
          keep.add(name);
          visit(components[name]);
        }
      } else visit(item);
    }
  };
  visit(paths);
  return Object.fromEntries(Object.keys(components).filter((name) => keep.has(name)).sort().map((name) => [name, components[name]!]));
}

/**
 * JSON Schema of a route's success envelope, self-contained (no `$ref`): the Fastify plugin's
 * response schemas (fast serialisation) come from here.
 */
export function successResponseSchema(route: RouteDefinition): Record<string, unknown> {
  const { $schema: _dialect, ...data } = z.toJSONSchema(route.response, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Json;
  return envelopeOf(data);
}

function objectParameters(schema: z.ZodObject | undefined, location: 'path' | 'query', requests: SchemaSet): unknown[] {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || !(property as z.ZodType).isOptional(),
    schema: requests.of(property as z.ZodType),
  }));
}
