/**
 * `clickcredit/fastify`: an encapsulated Fastify 5 plugin serving every route of the contract.
 *
 * ```ts
 * await app.register(clickCreditPlugin, { prefix: '/api/v1/earn', tracker, authenticate: (request) => userFromToken(request.headers.authorization) });
 * ```
 * @module
 */
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { successResponseSchema } from '../http/openapi.js';
import { DEFAULT_BODY_LIMIT, failureEnvelope, notFound, rawQueryOf, ROUTES, runRoute, toHttpError, type Outgoing, type ServeOptions } from '../http/index.js';
import { reportUnexpected } from '../http/run-route.js';

/** Longest id a route parameter may carry (IdentifierSchema). */
const MAX_ID_LENGTH = 256;

/** Options of {@link clickCreditPlugin}. */
export interface ClickCreditPluginOptions extends ServeOptions<FastifyRequest> {
  /** Largest accepted body in bytes (413 above). Default 1 MiB. */
  bodyLimit?: number;
}

/** Unexpected errors go to the request's own logger (with its request id), `err` carrying the stack. */
const logToRequest = (error: unknown, request: FastifyRequest): void => {
  request.log.error({ err: error }, 'clickcredit: unexpected error while serving a request');
};

const plugin: FastifyPluginAsync<ClickCreditPluginOptions> = async (fastify, pluginOptions) => {
  // Without the host's onError or logger, unexpected errors are logged through Fastify's request.log.
  const options: ClickCreditPluginOptions = pluginOptions.onError || pluginOptions.logger ? pluginOptions : { ...pluginOptions, onError: logToRequest };
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const maxParamLength = maxParamLengthOf(fastify.initialConfig);
  if (maxParamLength < MAX_ID_LENGTH) {
    // Ids of up to 256 characters are valid; below that limit Fastify refuses what Express accepts.
    fastify.log.warn(`clickcredit: set the server's maxParamLength to at least ${MAX_ID_LENGTH} (it is ${maxParamLength}): longer product ids are refused by Fastify before clickcredit sees them`);
  }
  // Bodies are kept as text (signatures are computed over the exact bytes) and parsed by the shared layer.
  fastify.removeAllContentTypeParsers();
  const keepText = (_request: FastifyRequest, body: string | Buffer, done: (error: Error | null, body?: unknown) => void) => done(null, body);
  fastify.addContentTypeParser(['application/json', 'application/x-www-form-urlencoded'], { parseAs: 'string', bodyLimit }, keepText);
  fastify.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, keepText);

  for (const route of ROUTES) {
    fastify.route({
      method: route.method,
      url: route.path,
      // Response schemas from the route table: Fastify serialises the success envelope with them.
      schema: { response: { [route.status]: successResponseSchema(route) } },
      handler: async (request, reply) => {
        const outgoing = await runRoute(
          route,
          {
            method: request.method,
            params: request.params as Record<string, string>,
            rawQuery: rawQueryOf(request.url),
            rawBody: typeof request.body === 'string' ? request.body : '',
            contentType: request.headers['content-type'],
            headers: request.headers,
            ip: request.ip ?? null,
          },
          request,
          options,
        );
        return send(reply, outgoing);
      },
    });
  }

  fastify.setNotFoundHandler((_request, reply) => send(reply, notFound()));
  fastify.setErrorHandler((error, request, reply) => {
    const http = toHttpError(error);
    if (http.code === 'INTERNAL') reportUnexpected(options, error, request);
    return send(reply, { status: http.status, body: failureEnvelope(http) });
  });
};

/**
 * The plugin. Wrapped with fastify-plugin for its name (`clickcredit`, visible to `hasPlugin` and
 * to other plugins' `dependencies`) and its Fastify version check (`5.x`), but with
 * `encapsulate: true`: its body parsing, not-found and error handlers stay inside its own prefix
 * and never touch the host's other routes. Client IPs come from `request.ip`, so the host's
 * `trustProxy` setting applies.
 */
export const clickCreditPlugin: FastifyPluginAsync<ClickCreditPluginOptions> = fastifyPlugin(plugin, {
  name: 'clickcredit',
  fastify: '5.x',
  encapsulate: true,
});

/**
 * Fastify answers a few malformed requests before any route or plugin sees them (an undecodable
 * URL such as `/track/%ZZ`, a path parameter over `maxParamLength`), with its own error body.
 * Pass this as the server's `frameworkErrors` option so those get the contract's envelope too
 * (400 `VALIDATION_ERROR`); only the host can, since it is a server-wide option.
 *
 * ```ts
 * const app = Fastify({ frameworkErrors: clickCreditFrameworkErrors });
 * ```
 */
export function clickCreditFrameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const http = toHttpError(error);
  void send(reply, { status: http.status, body: failureEnvelope(http) });
}

/**
 * The router's `maxParamLength`: Fastify 5 takes it under `routerOptions` (the top-level option
 * is deprecated there, and `initialConfig.maxParamLength` then still shows the default 100).
 */
function maxParamLengthOf(config: FastifyInstance['initialConfig']): number {
  const { routerOptions } = config as { routerOptions?: { maxParamLength?: number } };
  return routerOptions?.maxParamLength ?? config.maxParamLength ?? 100;
}

function send(reply: FastifyReply, outgoing: Outgoing): FastifyReply {
  if ('location' in outgoing) return reply.redirect(outgoing.location, 302);
  if ('text' in outgoing) return reply.code(outgoing.status).type(outgoing.contentType).send(outgoing.text);
  return reply.code(outgoing.status).send(outgoing.body);
}
export { buildOpenApiDocument } from '../http/openapi.js';
export type { AdminVerdict } from '../http/index.js';
