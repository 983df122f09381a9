/**
 * The client's request and response types, computed from the server's route table and zod
 * schemas (type-only imports: nothing here exists at run time). A route renamed, a field added or
 * a schema changed on the server changes these types, so the client cannot drift from it.
 * @module
 */
import type { z } from 'zod';
import type { ErrorCode } from 'clickcredit';
import type { RouteTable } from '../http/routes.js';

/** One route of the server's table, with its literal id, method, path and schemas. */
export type Route = RouteTable[number];

/** HTTP methods the routes use. */
export type Method = Route['method'];

/** The paths served for `M` (under the mount prefix, `:name` for parameters). */
export type PathOf<M extends Method> = Extract<Route, { method: M }>['path'];

/** The route served at `M path`. */
export type RouteAt<M extends Method, P extends string> = Extract<Route, { method: M; path: P }>;

/** The input type of a zod schema (what a request sends), or `never`. */
export type InputOf<S> = S extends z.ZodType ? z.input<S> : never;

/** Path parameters of a route (`{ productId: string }`), or `never` when it has none. */
export type ParamsOf<R> = R extends { params: infer S extends z.ZodType } ? InputOf<S> : never;
/** Query of a route, or `never`. Values travel as strings (a `Date` as ISO 8601). */
export type QueryOf<R> = R extends { query: infer S extends z.ZodType } ? InputOf<S> : never;
/** Body of a route, or `never`. */
export type BodyOf<R> = R extends { body: infer S extends z.ZodType } ? InputOf<S> : never;
/** The `data` of a route's success envelope. */
export type ResponseOf<R> = R extends { response: infer S extends z.ZodType } ? z.output<S> : never;

/** Options every call accepts. */
export interface CallOptions {
  /** Extra headers for this call (a postback's signature headers, say). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * What a call of route `R` takes: `params` when the path has parameters, `query` and `body`
 * when the route declares them.
 */
export type RequestInput<R> = CallOptions &
  ([ParamsOf<R>] extends [never] ? { params?: undefined } : { params: ParamsOf<R> }) &
  ([QueryOf<R>] extends [never] ? { query?: undefined } : { query?: Partial<Record<keyof QueryOf<R>, string | number | Date | undefined>> }) &
  ([BodyOf<R>] extends [never] ? { body?: undefined } : { body?: BodyOf<R> });

/**
 * The codes a {@link ClickCreditClientError} carries: the contract's error codes, `INTERNAL` (the
 * server's generic 500), and two of the client's own: `NETWORK_ERROR` (no answer at all) and
 * `INVALID_RESPONSE` (an answer that is not the API's envelope, e.g. a proxy's error page).
 */
export type ClientErrorCode = ErrorCode | 'INTERNAL' | 'NETWORK_ERROR' | 'INVALID_RESPONSE';
