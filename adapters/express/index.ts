/**
 * `clickcredit/express`: an Express 5 Router serving every route of the contract.
 *
 * ```ts
 * app.use('/api/v1/earn', createClickCreditRouter({ tracker, authenticate: (req) => userFromToken(req.headers.authorization) }));
 * ```
 * @module
 */
import express, { type Request, type Response, type Router } from 'express';
import { DEFAULT_BODY_LIMIT, notFound, rawQueryOf, ROUTES, runRoute, toHttpError, failureEnvelope, type Outgoing, type ServeOptions } from '../http/index.js';
import { reportUnexpected } from '../http/run-route.js';
import { ValidationError } from 'clickcredit';

/** Options of {@link createClickCreditRouter}. */
export interface ClickCreditRouterOptions extends ServeOptions<Request> {
  /** Largest accepted body in bytes (413 above). Default 1 MiB. */
  bodyLimit?: number;
}

/**
 * Creates the Router. Client IPs come from `req.ip`, so the host app's `trust proxy` setting
 * decides whether `X-Forwarded-For` is believed. Unexpected errors (answered 500 with a generic
 * message) go to `onError`, else to `logger` (pass the tracker's), else to `consoleLogger`.
 */
export function createClickCreditRouter(options: ClickCreditRouterOptions): Router {
  const router = express.Router();
  // The raw bytes are kept (signatures are computed over them) and parsed by the shared layer.
  const rawBody = express.raw({ type: () => true, limit: options.bodyLimit ?? DEFAULT_BODY_LIMIT });
  // Routes with path parameters check their length before the body is read; the others go
  // straight to the body (one middleware layer less per request).
  const paramsThenBody = (req: Request, res: Response, next: (error?: unknown) => void): void => {
    if (refuseLongParams(req, res)) rawBody(req, res, next);
  };
  for (const route of ROUTES) {
    const method = route.method === 'GET' ? 'get' : 'post';
    router[method](route.path, route.path.includes(':') ? paramsThenBody : rawBody, async (req: Request, res: Response) => {
      const body: unknown = req.body;
      const text = rawBodyOf(body);
      const outgoing = await runRoute(
        route,
        {
          method: req.method,
          params: req.params as Record<string, string>,
          rawQuery: rawQueryOf(req.originalUrl),
          rawBody: text ?? '',
          parsedBody: text === undefined ? body : undefined,
          contentType: req.headers['content-type'],
          headers: req.headers,
          ip: req.ip ?? null,
        },
        req,
        options,
      );
      send(res, outgoing);
    });
  }
  router.use((_req: Request, res: Response) => send(res, notFound()));
  // Body-parser failures (413, malformed) arrive here; they get the same envelope as the rest.
  router.use((error: unknown, req: Request, res: Response, _next: (error?: unknown) => void) => {
    const http = toHttpError(error);
    if (http.code === 'INTERNAL') reportUnexpected(options, error, req);
    send(res, { status: http.status, body: failureEnvelope(http) });
  });
  return router;
}

/** Longest path parameter let through, as the Fastify plugin asks of the server (`maxParamLength`). */
const MAX_PARAM_LENGTH = 256;

/**
 * Refuses an over-long path parameter before the body is read, as Fastify's router does: the
 * same request then gets the same 400 on both frameworks, not a 413 here for a large body.
 * Answers the request and returns `false` when it refuses.
 */
function refuseLongParams(req: Request, res: Response): boolean {
  const params = req.params as Record<string, string>;
  for (const key in params) {
    if (params[key]!.length > MAX_PARAM_LENGTH) {
      const http = toHttpError(new ValidationError(`path parameter is longer than ${MAX_PARAM_LENGTH} characters`));
      send(res, { status: http.status, body: failureEnvelope(http) });
      return false;
    }
  }
  return true;
}

/**
 * The exact bytes of the body as our raw parser (a Buffer) or a host's text parser left it, or
 * `undefined` when a host parser mounted before the router made something else of it (what
 * `express.json()`/`urlencoded()` made, or nothing), which is then handed over as `parsedBody`.
 */
function rawBodyOf(body: unknown): string | undefined {
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (typeof body === 'string') return body;
  return undefined;
}

function send(res: Response, outgoing: Outgoing): void {
  if ('location' in outgoing) {
    res.status(302).location(outgoing.location).end();
    return;
  }
  if ('text' in outgoing) {
    // A network's reply is for a server, which has no use for an ETag: written directly when
    // its content type already names its charset (Express would write the same header).
    if (UTF8_CONTENT_TYPE.test(outgoing.contentType)) writeDirectly(res, outgoing.status, outgoing.contentType, outgoing.text);
    else res.status(outgoing.status).type(outgoing.contentType).send(outgoing.text);
    return;
  }
  if (!isLeanJson(res)) {
    res.status(outgoing.status).json(outgoing.body);
    return;
  }
  // The envelope written directly: res.json would re-set the content type through two header
  // parsers and hash the body for an ETag, which no client can use on a POST answer. GET
  // answers keep Express's own path (ETag, conditional 304), and so does any app that set its
  // own JSON settings.
  writeDirectly(res, outgoing.status, 'application/json; charset=utf-8', JSON.stringify(outgoing.body));
}

/** A content type Express's `res.send` would leave as it is: a media type and `charset=utf-8`. */
const UTF8_CONTENT_TYPE = /^[a-z]+\/[a-z0-9.+-]+; charset=utf-8$/;

/** Status, content type and length, and the text (no ETag, no conditional 304). */
function writeDirectly(res: Response, status: number, contentType: string, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** A POST answer on an app without its own `json replacer`, `json spaces` or `json escape`. */
function isLeanJson(res: Response): boolean {
  if (res.req.method !== 'POST') return false;
  const settings = res.app.settings as Record<string, unknown>;
  return settings['json replacer'] === undefined && settings['json spaces'] === undefined && !settings['json escape'];
}
export { buildOpenApiDocument } from '../http/openapi.js';
export type { AdminVerdict } from '../http/index.js';
