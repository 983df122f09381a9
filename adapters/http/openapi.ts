/**
 * The OpenAPI 3.1 document, generated from the route table and the same zod schemas that
 * validate requests, so clients (Flutter or any other) can generate their API code from it.
 * @module
 */
import { z } from 'zod';
import { ROUTES, type RouteDefinition } from './routes.js';

const ERROR_RESPONSES: Record<string, string> = {
  '400': 'VALIDATION_ERROR: malformed input',
  '401': 'UNAUTHORIZED: missing or bad bearer token',
  '403': 'POSTBACK_FORBIDDEN: postback signature, secret or source IP rejected',
  '404': 'NOT_FOUND: unknown product, click or earning',
  '409': 'CONFLICT: click already converted under another conversion, or rejected',
  '410': 'CLICK_EXPIRED: click expired',
  '413': 'PAYLOAD_TOO_LARGE: body too large',
  '503': 'UNAVAILABLE: storage unreachable, retry later',
};

const ERRORS_BY_AUTH: Record<RouteDefinition['auth'], string[]> = {
  bearer: ['400', '401', '404', '503'],
  postback: ['400', '403', '404', '409', '410', '503'],
  none: ['400', '404', '503'],
};

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });

/** Builds the document; `serverUrl` is where the routes are mounted. */
export function buildOpenApiDocument(serverUrl = 'http://localhost:3000/api/v1/earn'): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'clickcredit',
      version: '1',
      description: 'Click tracking and exactly-once S2S postbacks. Every response is an envelope: { success, message, data } or { success: false, message, error: { code, details } }.',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['success', 'message', 'error'],
          properties: {
            success: { const: false },
            message: { type: 'string' },
            error: { type: 'object', required: ['code'], properties: { code: { type: 'string' }, details: {} } },
          },
        },
      },
    },
    paths,
  };
}

function operation(route: RouteDefinition): Record<string, unknown> {
  const parameters = [
    ...objectParameters(route.params, 'path'),
    ...objectParameters(route.query, 'query'),
  ];
  const responses: Record<string, unknown> = {
    [String(route.status)]: { description: route.message, content: { 'application/json': { schema: successResponseSchema(route) } } },
  };
  if (route.raw === true) {
    // A network's own reply: text such as `1`, `ok` or `<eventId>:OK`, never the envelope.
    responses[String(route.status)] = { description: route.message, content: { 'text/plain': { schema: { type: 'string' } } } };
  }
  if (route.id === 'trackClick') responses['302'] = { description: 'With redirect=1: redirect to the offer (Location header)' };
  const errors = route.body ? [...ERRORS_BY_AUTH[route.auth], '413'] : ERRORS_BY_AUTH[route.auth];
  for (const status of errors) {
    responses[status] = { description: ERROR_RESPONSES[status], content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  }
  return {
    operationId: route.id,
    summary: route.summary,
    ...(route.auth === 'bearer' ? { security: [{ bearer: [] }] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: route.auth !== 'postback',
            content: {
              'application/json': { schema: jsonSchema(route.body) },
              ...(route.auth === 'postback' ? { 'application/x-www-form-urlencoded': { schema: jsonSchema(route.body) } } : {}),
            },
          },
        }
      : {}),
    responses,
  };
}

/**
 * JSON Schema of a route's success envelope. The OpenAPI document and the Fastify plugin's
 * response schemas (fast serialisation) both come from here.
 */
export function successResponseSchema(route: RouteDefinition): Record<string, unknown> {
  const { $schema: _dialect, ...data } = jsonSchema(route.response) as Record<string, unknown>;
  return {
    type: 'object',
    required: ['success', 'message', 'data'],
    properties: { success: { const: true }, message: { type: 'string' }, data },
  };
}

function objectParameters(schema: z.ZodObject | undefined, location: 'path' | 'query'): unknown[] {
  if (!schema) return [];
  const json = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, propertySchema]) => ({
    name,
    in: location,
    required: location === 'path' || (json.required ?? []).includes(name),
    schema: propertySchema,
  }));
}
