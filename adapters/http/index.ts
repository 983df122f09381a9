/**
 * The framework-neutral HTTP layer both helpers are generated from.
 * @module
 */
export { ROUTES, type RouteDefinition, type RouteContext, type RouteRequest, type RouteResult } from './routes.js';
export { runRoute, notFound, type AdminVerdict, type IncomingRequest, type Outgoing, type ServeOptions } from './run-route.js';
export { toHttpError, type HttpError } from './errors.js';
export { successEnvelope, failureEnvelope, type SuccessEnvelope, type FailureEnvelope } from './envelope.js';
export { parseFlatParams, parseBody, rawQueryOf, DEFAULT_BODY_LIMIT } from './request-input.js';
export { buildOpenApiDocument } from './openapi.js';
