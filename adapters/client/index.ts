/**
 * `clickcredit/client`: a small typed fetch client for the HTTP routes, for browsers, Node and any
 * runtime with `fetch`. It has no run-time dependency; its types come from the server's route
 * table and zod schemas, so a route or schema change on the server shows up here at compile time.
 *
 * ```ts
 * const api = createClickCreditClient({ baseUrl: 'https://app.example/api/v1/earn', token: () => session.token });
 * const { redirectUrl } = await api.createClick('demo-product', { taskUrl: 'https://advertiser.example/offer' });
 * const { balance } = await api.getWallet(); // "50.00"
 * ```
 * Failures throw {@link ClickCreditClientError} with the contract's `code` and the HTTP `status`.
 * @module
 */
import { ClickCreditClientError } from './errors.js';
import type { BodyOf, CallOptions, Method, PathOf, QueryOf, RequestInput, ResponseOf, RouteAt } from './types.js';

export { ClickCreditClientError, isClickCreditClientError } from './errors.js';
export type * from './types.js';

/** Options of {@link createClickCreditClient}. */
export interface ClickCreditClientOptions {
  /** Where the routes are mounted, e.g. `http://localhost:3000/api/v1/earn`. */
  baseUrl: string;
  /** Bearer token (a user's, or an admin's for the admin routes), or a function that returns the current one. */
  token?: string | null | (() => string | null | undefined | Promise<string | null | undefined>);
  /** The fetch to use (default: the platform's). */
  fetch?: typeof globalThis.fetch;
  /** Headers sent with every call. */
  headers?: Record<string, string>;
}

/** The `data` the route at `M path` answers. */
export type DataOf<M extends Method, P extends string> = ResponseOf<RouteAt<M, P>>;
/** The query the route at `M path` takes. */
export type QueryFor<M extends Method, P extends string> = RequestInput<RouteAt<M, P>>['query'];
/** The body the route at `M path` takes. */
export type BodyFor<M extends Method, P extends string> = BodyOf<RouteAt<M, P>>;

/** The admin routes (`/admin/...`): create the client with an admin's token. */
export interface ClickCreditAdminClient {
  /** `GET /admin/postbacks`: postback attempts, refused ones included, newest first. */
  listPostbacks(query?: QueryFor<'GET', '/admin/postbacks'>, options?: CallOptions): Promise<DataOf<'GET', '/admin/postbacks'>>;
  /** `GET /admin/earnings`: `{ approvalStatus: 'pending' }` is the hold queue. */
  listEarnings(query?: QueryFor<'GET', '/admin/earnings'>, options?: CallOptions): Promise<DataOf<'GET', '/admin/earnings'>>;
  /** `GET /admin/earnings/:earningId`: the earning, its click and every attempt that touched it. */
  getEarning(earningId: string, options?: CallOptions): Promise<DataOf<'GET', '/admin/earnings/:earningId'>>;
  /** `POST /admin/earnings/:earningId/approve` (again: `unchanged`; after a reject: 409). */
  approveEarning(earningId: string, options?: CallOptions): Promise<DataOf<'POST', '/admin/earnings/:earningId/approve'>>;
  /** `POST /admin/earnings/:earningId/reject` (again: `unchanged`; after an approve: 409). */
  rejectEarning(earningId: string, options?: CallOptions): Promise<DataOf<'POST', '/admin/earnings/:earningId/reject'>>;
  /** `GET /admin/users/:userId/ledger`: entries with the running balance, and the wallet. */
  ledger(userId: string, query?: QueryFor<'GET', '/admin/users/:userId/ledger'>, options?: CallOptions): Promise<DataOf<'GET', '/admin/users/:userId/ledger'>>;
  /** `POST /admin/users/:userId/adjustments`: a manual credit or debit, idempotent by `key`. */
  adjust(userId: string, body: BodyFor<'POST', '/admin/users/:userId/adjustments'>, options?: CallOptions): Promise<DataOf<'POST', '/admin/users/:userId/adjustments'>>;
  /** `GET /admin/clicks`. */
  listClicks(query?: QueryFor<'GET', '/admin/clicks'>, options?: CallOptions): Promise<DataOf<'GET', '/admin/clicks'>>;
  /** `GET /admin/stats`: per bucket, network and product. */
  stats(query: QueryFor<'GET', '/admin/stats'>, options?: CallOptions): Promise<DataOf<'GET', '/admin/stats'>>;
  /** `GET /admin/webhooks/deliveries`: outgoing webhook deliveries, `{ state: 'dead' }` the dead letters. */
  webhookDeliveries(query?: QueryFor<'GET', '/admin/webhooks/deliveries'>, options?: CallOptions): Promise<DataOf<'GET', '/admin/webhooks/deliveries'>>;
  /** `POST /admin/webhooks/deliveries/:id/retry`: queue a dead delivery again (409 when it is not dead). */
  retryWebhookDelivery(id: string, options?: CallOptions): Promise<DataOf<'POST', '/admin/webhooks/deliveries/:id/retry'>>;
}

/** The client. Every method resolves to the `data` of the success envelope. */
export interface ClickCreditClient {
  /** Any route of the table, typed by its method and path: `request('GET', '/wallet')`. */
  request<M extends Method, P extends PathOf<M>>(method: M, path: P, input?: RequestInput<RouteAt<M, P>>): Promise<DataOf<M, P>>;
  /** `POST /products/:productId/click`: a click id and the redirect URL to open. */
  createClick(productId: string, body: BodyOf<RouteAt<'POST', '/products/:productId/click'>>, options?: CallOptions): Promise<DataOf<'POST', '/products/:productId/click'>>;
  /** `GET /track/:clickId`: records a visit of the tracking link. */
  trackClick(clickId: string, options?: CallOptions): Promise<DataOf<'GET', '/track/:clickId'>>;
  /** `GET /clicks/:clickId`: one of the user's clicks. */
  getClick(clickId: string, options?: CallOptions): Promise<DataOf<'GET', '/clicks/:clickId'>>;
  /** `GET /earnings`: the user's earnings, newest first; pass `nextCursor` back as `cursor`. */
  listEarnings(query?: { cursor?: string; limit?: number }, options?: CallOptions): Promise<DataOf<'GET', '/earnings'>>;
  /** `GET /wallet`: the user's balance as a decimal string. */
  getWallet(options?: CallOptions): Promise<DataOf<'GET', '/wallet'>>;
  /**
   * `POST /postback` with a JSON body (what an advertiser's server sends). For a signed postback,
   * pass the body text you signed as `rawBody` and the signature headers in `headers`.
   */
  sendPostback(
    fields: BodyOf<RouteAt<'POST', '/postback'>>,
    options?: CallOptions & { query?: QueryOf<RouteAt<'POST', '/postback'>>; rawBody?: string },
  ): Promise<DataOf<'POST', '/postback'>>;
  /** The admin routes. */
  admin: ClickCreditAdminClient;
}

/** Creates a client for the routes mounted at `options.baseUrl`. */
export function createClickCreditClient(options: ClickCreditClientOptions): ClickCreditClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);

  async function call(method: Method, path: string, input: InternalInput = {}): Promise<unknown> {
    const url = base + fillPath(path, input.params) + queryString(input.query);
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers, ...input.headers };
    const token = typeof options.token === 'function' ? await options.token() : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (input.rawBody !== undefined) body = input.rawBody;
    else if (input.body !== undefined) body = JSON.stringify(input.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';

    let response: Response;
    try {
      response = await doFetch(url, { method, headers, body, signal: input.signal });
    } catch (error) {
      if ((error as { name?: string }).name === 'AbortError') throw error;
      throw new ClickCreditClientError('NETWORK_ERROR', 0, `${method} ${url} got no answer: ${(error as Error).message}`, undefined, { cause: error });
    }
    return unwrap(response, method, url);
  }

  const request = ((method: Method, path: string, input?: InternalInput) => call(method, path, input)) as ClickCreditClient['request'];

  return {
    request,
    createClick: (productId, body, callOptions) => request('POST', '/products/:productId/click', { ...callOptions, params: { productId }, body }),
    trackClick: (clickId, callOptions) => request('GET', '/track/:clickId', { ...callOptions, params: { clickId } }),
    getClick: (clickId, callOptions) => request('GET', '/clicks/:clickId', { ...callOptions, params: { clickId } }),
    listEarnings: (query, callOptions) => request('GET', '/earnings', { ...callOptions, query: { cursor: query?.cursor, limit: query?.limit } }),
    getWallet: (callOptions) => request('GET', '/wallet', callOptions),
    sendPostback: (fields, { query, rawBody, ...callOptions } = {}) =>
      call('POST', '/postback', { ...callOptions, query, body: fields, rawBody }) as Promise<DataOf<'POST', '/postback'>>,
    admin: {
      listPostbacks: (query, callOptions) => request('GET', '/admin/postbacks', { ...callOptions, query }),
      listEarnings: (query, callOptions) => request('GET', '/admin/earnings', { ...callOptions, query }),
      getEarning: (earningId, callOptions) => request('GET', '/admin/earnings/:earningId', { ...callOptions, params: { earningId } }),
      approveEarning: (earningId, callOptions) => request('POST', '/admin/earnings/:earningId/approve', { ...callOptions, params: { earningId } }),
      rejectEarning: (earningId, callOptions) => request('POST', '/admin/earnings/:earningId/reject', { ...callOptions, params: { earningId } }),
      ledger: (userId, query, callOptions) => request('GET', '/admin/users/:userId/ledger', { ...callOptions, params: { userId }, query }),
      adjust: (userId, body, callOptions) => request('POST', '/admin/users/:userId/adjustments', { ...callOptions, params: { userId }, body }),
      listClicks: (query, callOptions) => request('GET', '/admin/clicks', { ...callOptions, query }),
      stats: (query, callOptions) => request('GET', '/admin/stats', { ...callOptions, query }),
      webhookDeliveries: (query, callOptions) => request('GET', '/admin/webhooks/deliveries', { ...callOptions, query }),
      retryWebhookDelivery: (id, callOptions) => request('POST', '/admin/webhooks/deliveries/:id/retry', { ...callOptions, params: { id } }),

    },
  };
}

interface InternalInput extends CallOptions {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
  rawBody?: string;
}

function fillPath(path: string, params: Record<string, unknown> = {}): string {
  return path.replace(/:(\w+)/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined || value === null || value === '') throw new TypeError(`clickcredit client: missing path parameter "${name}" for ${path}`);
    return encodeURIComponent(String(value));
  });
}

function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value instanceof Date) search.append(key, value.toISOString());
    else if (value !== undefined && value !== null) search.append(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** The envelope's `data`, or the envelope's error as a {@link ClickCreditClientError}. */
async function unwrap(response: Response, method: string, url: string): Promise<unknown> {
  const text = await response.text();
  let envelope: { success?: unknown; message?: unknown; data?: unknown; error?: { code?: unknown; details?: unknown } } | undefined;
  try {
    envelope = JSON.parse(text) as typeof envelope;
  } catch {
    envelope = undefined;
  }
  if (envelope && envelope.success === true && response.ok) return envelope.data;
  if (envelope && envelope.success === false && typeof envelope.error?.code === 'string') {
    const message = typeof envelope.message === 'string' ? envelope.message : `HTTP ${response.status}`;
    throw new ClickCreditClientError(envelope.error.code as ClickCreditClientError['code'], response.status, message, envelope.error.details);
  }
  throw new ClickCreditClientError('INVALID_RESPONSE', response.status, `${method} ${url} answered ${response.status} without the API's envelope`, text.slice(0, 500));
}
