/**
 * Serving one route, framework-neutral: parse, authenticate, validate, call the handler, and
 * turn the result or any error into a status and an envelope. Never throws.
 * @module
 */
import { consoleLogger, ForbiddenError, UnauthorizedError, ValidationError, type ClickTracker, type Logger } from 'clickcredit';
import type { z } from 'zod';
import { failureEnvelope, successEnvelope } from './envelope.js';
import { toHttpError } from './errors.js';
import { parseBody, parseFlatParams } from './request-input.js';
import type { RouteDefinition, RouteRequest } from './routes.js';

/** What a framework adapter hands over for one request. */
export interface IncomingRequest {
  method: string;
  params: Record<string, string>;
  rawQuery: string;
  rawBody: string;
  /**
   * A body the host app's own parser already consumed (Express `express.json()` mounted before
   * the router), used only when `rawBody` is empty. Its exact bytes are gone, so a signature
   * verifier will refuse it; without one, it is still validated like any body.
   */
  parsedBody?: unknown;
  contentType: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  ip: string | null;
}

/** What a framework adapter sends back. */
/** What a framework adapter sends back: an envelope, a redirect, or a network's raw text reply. */
export type Outgoing = { status: number; body: unknown } | { status: 302; location: string } | { status: number; contentType: string; text: string };

/** Options shared by the Express router and the Fastify plugin. */
export interface ServeOptions<Req> {
  tracker: ClickTracker;
  /** The host's authentication: the user id for a valid bearer token, or `null`. */
  authenticate: (request: Req) => string | null | undefined | Promise<string | null | undefined>;
  /**
   * The host's admin check for the `/admin` routes: the admin's id when the request carries valid
   * admin credentials, `false` when it carries valid credentials of someone who is not an admin
   * (403 `FORBIDDEN`), `null`/`undefined` when credentials are missing or invalid (401
   * `UNAUTHORIZED`). Without it every admin route answers 403. Separate from `authenticate`.
   */
  authorizeAdmin?: (request: Req) => AdminVerdict | Promise<AdminVerdict>;
  /**
   * Called with unexpected (500) errors and the framework's request; the client sees only a
   * generic message. Default: `logger`.
   */
  onError?: (error: unknown, request: Req) => void;
  /**
   * Where unexpected errors are logged, with their stack, when there is no `onError`. Default:
   * Fastify's `request.log` in the plugin, the core's `consoleLogger` in the Express router.
   */
  logger?: Logger;
}

/** What `authorizeAdmin` answers: an admin id, `false` (not an admin) or nothing (no valid credentials). */
export type AdminVerdict = string | false | null | undefined;

/** Serves one request of `route`. */
export async function runRoute<Req>(
  route: RouteDefinition,
  incoming: IncomingRequest,
  native: Req,
  options: ServeOptions<Req>,
): Promise<Outgoing> {
  // An empty path parameter (`/clicks/`) names no resource: Express never matches it, Fastify
  // does; both answer as for a path no route serves.
  for (const key in incoming.params) if (incoming.params[key] === '') return notFound();
  try {
    // Admin routes check credentials before reading anything of the request.
    const adminId = route.auth === 'admin' ? await authorizeAdmin(route, incoming, native, options) : undefined;
    const request: RouteRequest = {
      method: incoming.method,
      params: route.params ? (validate(route.params, incoming.params, 'path') as Record<string, string>) : incoming.params,
      query: parseFlatParams(incoming.rawQuery, 'query'),
      rawQuery: incoming.rawQuery,
      body: incoming.rawBody === '' ? hostParsedBody(incoming.parsedBody) : parseBody(incoming.rawBody, incoming.contentType),
      rawBody: incoming.rawBody,
      headers: incoming.headers,
      ip: incoming.ip,
    };
    let userId = '';
    if (route.auth === 'bearer') {
      const user = await options.authenticate(native);
      if (typeof user !== 'string' || user === '') throw new UnauthorizedError('Missing or invalid bearer token');
      userId = user;
    }
    if (route.auth !== 'postback' && route.query) validate(route.query, request.query, 'query');
    // One context shape for every route (no spread of a throwaway object); `adminId` is undefined off admin routes.
    const result = await route.handle({ tracker: options.tracker, request, userId, adminId });
    if ('redirect' in result) return { status: 302, location: result.redirect };
    if ('raw' in result) return { status: result.raw.status, contentType: result.raw.contentType, text: result.raw.body };
    return { status: route.status, body: successEnvelope(route.message, result.data) };
  } catch (error) {
    const http = toHttpError(isZodError(error) ? fromZod(error) : error);
    if (http.status >= 500 && http.code === 'INTERNAL') reportUnexpected(options, error, native);
    return { status: http.status, body: failureEnvelope(http) };
  }
}

/**
 * Runs the host's admin check. Refusals are logged (route, method, client IP; never the request's
 * data or credentials) and answered 401/403 with no data.
 */
async function authorizeAdmin<Req>(route: RouteDefinition, incoming: IncomingRequest, native: Req, options: ServeOptions<Req>): Promise<string> {
  const verdict = options.authorizeAdmin ? await options.authorizeAdmin(native) : false;
  if (typeof verdict === 'string' && verdict !== '') return verdict;
  const refusal = { route: route.id, method: incoming.method, ip: incoming.ip, reason: !options.authorizeAdmin ? 'no authorizeAdmin hook' : verdict === false ? 'not an admin' : 'missing or invalid credentials' };
  (options.logger ?? consoleLogger).warn('admin request refused', refusal);
  if (verdict === false) throw new ForbiddenError(options.authorizeAdmin ? 'Admin access required' : 'Admin routes are not enabled on this server');
  throw new UnauthorizedError('Missing or invalid admin credentials');
}

/** The answer for a path under the prefix that no route serves. */
export function notFound(): Outgoing {
  return { status: 404, body: failureEnvelope({ status: 404, code: 'NOT_FOUND', message: 'Route not found' }) };
}

/**
 * Ignoring a body the host already parsed would be worse than refusing it: a postback's amount
 * or status would silently fall back to defaults. So it is used, if it is a plain object.
 */
function hostParsedBody(body: unknown): Record<string, unknown> | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('Request body must be a JSON object or a form');
  return Object.keys(body).length === 0 ? undefined : (body as Record<string, unknown>);
}

function validate(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value);
  if (!result.success) throw fromZod(result.error, where);
  return result.data;
}

function isZodError(error: unknown): error is z.ZodError {
  return typeof error === 'object' && error !== null && (error as { name?: string }).name === 'ZodError';
}

function fromZod(error: z.ZodError, where = 'body'): ValidationError {
  const issues = error.issues.map((issue) => ({ path: [where, ...issue.path].join('.'), message: issue.message }));
  return new ValidationError(`${issues[0]?.path ?? where}: ${issues[0]?.message ?? 'invalid'}`, issues);
}

/**
 * Hands an unexpected error to the host's `onError`, else its `logger` (default: the logger
 * port's console default), with the stack. A failing hook is swallowed: it must not turn a 500
 * envelope into a dropped connection.
 */
export function reportUnexpected<Req>(options: Pick<ServeOptions<Req>, 'onError' | 'logger'>, error: unknown, request: Req): void {
  try {
    if (options.onError) options.onError(error, request);
    else (options.logger ?? consoleLogger).error('unexpected error while serving a request', describeError(error));
  } catch {
    // Nothing left to report to.
  }
}

function describeError(error: unknown): Record<string, unknown> {
  return error instanceof Error ? { error: `${error.name}: ${error.message}`, stack: error.stack } : { error: String(error) };
}
