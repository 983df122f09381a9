/**
 * The route table: every HTTP route of the contract, once. The Express router, the Fastify
 * plugin and the OpenAPI document are all generated from it, so they cannot drift apart.
 * @module
 */
import { z } from 'zod';
import {
  ClickExpiredError,
  ConflictError,
  ClickCreatedSchema,
  ClickIdSchema,
  ClickViewSchema,
  CreateClickBodySchema,
  EarningsPageSchema,
  IdentifierSchema,
  PostbackResultSchema,
  TrackResultSchema,
  WalletViewSchema,
  type ClickTracker,
  type ErrorCode,
} from 'clickcredit';
import { ADMIN_ROUTE_TABLE } from './admin-routes.js';

/** A request as the route handlers see it, whichever framework received it. */
export interface RouteRequest {
  method: string;
  params: Record<string, string>;
  /** Flat, strictly parsed query (no nested keys, no repeats). */
  query: Record<string, string>;
  rawQuery: string;
  /** Parsed JSON or form body, if any. */
  body: Record<string, unknown> | undefined;
  rawBody: string;
  headers: Record<string, string | string[] | undefined>;
  /** Client IP as the host's trust-proxy setting resolved it. */
  ip: string | null;
}

/** What a handler gets: the tracker, the request, and the authenticated user for bearer routes. */
export interface RouteContext {
  tracker: ClickTracker;
  request: RouteRequest;
  /** Set on `bearer` routes (the runner refuses the request with 401 before otherwise). */
  userId: string;
  /** Set on `admin` routes: the admin the host's `authorizeAdmin` hook named. */
  adminId?: string;
}

/** A route's result: data for the envelope, or a redirect. */
/**
 * A route's result: data for the envelope, a redirect, or a raw reply (a network callback is
 * answered in the network's own terms: its status, content type and body, no envelope).
 */
export type RouteResult = { data: unknown } | { redirect: string } | { raw: { status: number; contentType: string; body: string } };

/** One route of the contract. */
export interface RouteDefinition {
  id: string;
  method: 'GET' | 'POST';
  /** Path under the mount prefix, `:name` for parameters (Express and Fastify syntax alike). */
  path: string;
  /**
   * `bearer`: the host's authenticate hook must name a user; `postback`: verified by the tracker;
   * `admin`: the host's authorizeAdmin hook must name an admin (401 without credentials, 403 for a non-admin).
   */
  auth: 'bearer' | 'postback' | 'admin' | 'none';
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Status and message of a success. */
  status: number;
  message: string;
  response: z.ZodType;
  /** The success is the raw reply of a network (text), not an envelope. */
  raw?: boolean;
  /** Error codes this route answers beyond those every route of its `auth` kind can (for OpenAPI). */
  errors?: readonly ErrorCode[];
  /** When the route answers a 302 redirect (`Location` header) instead of its success (for OpenAPI). */
  redirect?: string;
  handle(context: RouteContext): Promise<RouteResult>;
}

const header = (request: RouteRequest, name: string): string | null => {
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
};

const postback = (context: RouteContext): Promise<RouteResult> =>
  context.tracker
    .handlePostback({
      query: context.request.query,
      body: context.request.body,
      headers: context.request.headers,
      rawBody: context.request.rawBody,
      rawQuery: context.request.rawQuery,
      sourceIp: context.request.ip,
      method: context.request.method,
    })
    .then((data) => ({ data }));

/**
 * The `Location` of a redirect, re-normalised: clicks stored before task URLs were normalised may
 * hold text a header cannot carry (CR/LF, a relative-looking `https:host`), never sent as is.
 */
function locationOf(redirectUrl: string): string {
  try {
    const url = new URL(redirectUrl);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && /^https?:\/\//i.test(redirectUrl)) return url.href;
  } catch {
    // fall through
  }
  throw new ConflictError('The offer URL of this click is not a valid absolute URL');
}

/**
 * A network's callback (option `networks`). Networks that sign the full URL are checked against
 * `publicUrl + /postback/<network> + ? + raw query` exactly as received.
 */
const networkCallback = async (context: RouteContext): Promise<RouteResult> => {
  const { reply } = await context.tracker.handleNetworkCallback(context.request.params.network!, {
    query: context.request.query,
    body: context.request.body,
    headers: context.request.headers,
    rawBody: context.request.rawBody,
    rawQuery: context.request.rawQuery,
    sourceIp: context.request.ip,
    method: context.request.method,
  });
  return { raw: reply };
};

/** The `:network` of a network callback: a configured name. */
const NetworkParamsSchema = z.object({ network: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/).describe("The name the network is configured under (option `networks`)") });

/** Fields a postback may carry, for the OpenAPI document (validation happens in the core). */
const PostbackFieldsSchema = z.object({
  click_id: ClickIdSchema.describe('The click id from the redirect URL'),
  amount: z.union([z.string(), z.number()]).optional().describe('Decimal amount; capped at the product earnUpTo, which it defaults to'),
  status: z.string().optional().describe('completed | approved | pending | rejected | reversed | chargeback (default completed)'),
  transactionId: z.string().optional(),
  conversionId: z.string().optional().describe('Defaults to transactionId, then to the click id'),
  offerId: z.string().optional(),
});

/**
 * Every route of the contract, with its literal types kept (ids, paths, schemas): the typed client
 * (`clickcredit/client`) derives its request and response types from {@link RouteTable}.
 */
const ROUTE_TABLE = [
  {
    id: 'createClick',
    method: 'POST',
    path: '/products/:productId/click',
    auth: 'bearer',
    summary: 'Issue a click id and the redirect URL for an offer',
    params: z.object({ productId: IdentifierSchema }),
    body: CreateClickBodySchema,
    status: 201,
    message: 'Click generated successfully',
    errors: ['CONFLICT'],
    response: ClickCreatedSchema,
    async handle({ tracker, request, userId }) {
      const body = CreateClickBodySchema.parse(request.body ?? {});
      // Object.assign rather than a spread followed by more keys, which is slow on Node 20's V8.
      const data = await tracker.createClick(Object.assign(body, {
        userId,
        productId: request.params.productId!,
        ipAddress: request.ip,
        userAgent: header(request, 'user-agent')?.slice(0, 1024) ?? null,
        referrer: header(request, 'referer')?.slice(0, 2048) ?? null,
      }));
      return { data };
    },
  },
  {
    id: 'trackClick',
    method: 'GET',
    path: '/track/:clickId',
    auth: 'none',
    summary: 'Record a visit of the tracking link; with redirect=1, send the user on to the offer',
    params: z.object({ clickId: ClickIdSchema }),
    query: z.object({ redirect: z.enum(['0', '1', 'true', 'false']).optional() }),
    status: 200,
    message: 'Click tracked',
    errors: ['CONFLICT', 'CLICK_EXPIRED'],
    redirect: 'With redirect=1 (or true): the user is sent on to the offer URL of the click',
    response: TrackResultSchema,
    async handle({ tracker, request }) {
      const { clickId, status, redirectUrl } = await tracker.trackClick(request.params.clickId!);
      const redirect = request.query.redirect;
      if (redirect === '1' || redirect === 'true') {
        // Tell the user now, not after they did a task that can no longer pay.
        if (status === 'expired') throw new ClickExpiredError('This offer link has expired: go back to the app and start the task again');
        return { redirect: locationOf(redirectUrl) };
      }
      return { data: { clickId, status } };
    },
  },
  {
    id: 'postback',
    method: 'POST',
    path: '/postback',
    auth: 'postback',
    summary: 'Server-to-server postback from the advertiser (JSON or form body; fields may also be in the query)',
    query: PostbackFieldsSchema.partial(),
    body: PostbackFieldsSchema.omit({ click_id: true }).extend({ click_id: ClickIdSchema.optional() }),
    status: 200,
    message: 'Postback received and processed',
    response: PostbackResultSchema,
    handle: postback,
  },
  {
    id: 'postbackGet',
    method: 'GET',
    path: '/postback',
    auth: 'postback',
    summary: 'Server-to-server postback with every field in the query (for networks that only send GET)',
    query: PostbackFieldsSchema,
    status: 200,
    message: 'Postback received and processed',
    response: PostbackResultSchema,
    handle: postback,
  },
  {
    id: 'networkCallback',
    method: 'POST',
    path: '/postback/:network',
    auth: 'postback',
    summary: "Callback of a configured network (offerwall or tracker), authenticated and answered as that network documents",
    params: NetworkParamsSchema,
    status: 200,
    message: "The network's own reply (status, content type and body as the network expects); unknown network: 404",
    response: z.string(),
    raw: true,
    handle: networkCallback,
  },
  {
    id: 'networkCallbackGet',
    method: 'GET',
    path: '/postback/:network',
    auth: 'postback',
    summary: 'Callback of a configured network sent as GET (most offerwalls)',
    params: NetworkParamsSchema,
    status: 200,
    message: "The network's own reply (status, content type and body as the network expects); unknown network: 404",
    response: z.string(),
    raw: true,
    handle: networkCallback,
  },
  {
    id: 'getClick',
    method: 'GET',
    path: '/clicks/:clickId',
    auth: 'bearer',
    summary: 'A click, to its owner',
    params: z.object({ clickId: ClickIdSchema }),
    status: 200,
    message: 'Click found',
    response: ClickViewSchema,
    async handle({ tracker, request, userId }) {
      return { data: await tracker.getClick(request.params.clickId!, userId) };
    },
  },
  {
    id: 'listEarnings',
    method: 'GET',
    path: '/earnings',
    auth: 'bearer',
    summary: "The user's earnings, newest first",
    query: z.object({ cursor: z.string().optional(), limit: z.string().regex(/^\d{1,3}$/).optional() }),
    status: 200,
    message: 'Earnings',
    response: EarningsPageSchema,
    async handle({ tracker, request, userId }) {
      const { cursor, limit } = request.query;
      return { data: await tracker.listEarnings(userId, { cursor, limit }) };
    },
  },
  {
    id: 'getWallet',
    method: 'GET',
    path: '/wallet',
    auth: 'bearer',
    summary: "The user's wallet balance",
    status: 200,
    message: 'Wallet',
    response: WalletViewSchema,
    async handle({ tracker, userId }) {
      return { data: await tracker.getWallet(userId) };
    },
  },
  ...ADMIN_ROUTE_TABLE,
] as const satisfies readonly RouteDefinition[];

/** Every route of the contract. */
export const ROUTES: readonly RouteDefinition[] = ROUTE_TABLE;

/** The route table's literal type: one member per route, its id, method, path and zod schemas. */
export type RouteTable = typeof ROUTE_TABLE;
