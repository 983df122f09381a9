/**
 * `clickcredit/dashboard`: the operator dashboard (overview charts, postback log with the reason
 * of every decision, hold queue, user ledger, webhook deliveries), as a page any host app mounts.
 *
 * ```ts
 * // Express: the admin routes under /api/v1/earn (createClickCreditRouter with authorizeAdmin), the page under /dashboard
 * app.use('/dashboard', createDashboardMiddleware({ apiBase: '/api/v1/earn' }));
 * // Fastify
 * await app.register(dashboardPlugin, { prefix: '/dashboard', apiBase: '/api/v1/earn' });
 * ```
 *
 * The page is a static shell (HTML, script, styles and uPlot, all served from here: no CDN, it
 * works offline) that holds no data: every figure is fetched from the admin routes with the
 * operator's token, so the host's `authorizeAdmin` hook guards the dashboard exactly as it guards
 * the admin API (401 without a token, 403 for a non-admin). Nothing here imports Express or
 * Fastify.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DASHBOARD_ASSETS, UPLOT_VERSION } from './assets.generated.js';

export { UPLOT_VERSION };

/** Options of the dashboard helpers. */
export interface DashboardOptions {
  /** Where the clickcredit routes (with the admin routes) are mounted: `/api/v1/earn` or an absolute URL. */
  apiBase: string;
}

/** One answer of the dashboard. */
export interface DashboardResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The answer for `subPath` (the path under the dashboard's mount point: `/` or `/assets/<file>`),
 * or `null` when the dashboard does not serve it. `mountPath` is where the page is mounted
 * (`/dashboard`), so the page can name its assets.
 */
export function dashboardResponse(subPath: string, mountPath: string, options: DashboardOptions): DashboardResponse | null {
  const headers = securityHeaders(options.apiBase);
  if (subPath === '' || subPath === '/') {
    const base = mountPath.replace(/\/+$/, '');
    const html = DASHBOARD_ASSETS['dashboard.html']!.body
      .replaceAll('__API_BASE__', escapeAttribute(options.apiBase))
      .replaceAll('__ASSETS__', escapeAttribute(`${base}/assets`));
    return { status: 200, headers: { ...headers, 'content-type': DASHBOARD_ASSETS['dashboard.html']!.type, 'cache-control': 'no-store' }, body: html };
  }
  const name = /^\/assets\/([\w.-]+)$/.exec(subPath)?.[1];
  const asset = name && name !== 'dashboard.html' ? DASHBOARD_ASSETS[name] : undefined;
  if (!asset) return null;
  return { status: 200, headers: { ...headers, 'content-type': asset.type, 'cache-control': 'public, max-age=300' }, body: asset.body };
}

/**
 * Express (or any connect-style app): `app.use('/dashboard', createDashboardMiddleware({ apiBase }))`.
 * Paths it does not serve go on to `next()`.
 */
export function createDashboardMiddleware(options: DashboardOptions): (req: IncomingMessage & { baseUrl?: string; path?: string }, res: ServerResponse, next: () => void) => void {
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const subPath = req.path ?? (req.url ?? '/').split('?')[0]!;
    const answer = dashboardResponse(subPath, req.baseUrl ?? '', options);
    if (!answer) return next();
    res.statusCode = answer.status;
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    res.end(req.method === 'HEAD' ? undefined : answer.body);
  };
}

/** The part of a Fastify instance the plugin uses (kept structural: no Fastify types in this subpath). */
export interface DashboardFastifyInstance {
  prefix: string;
  get(path: string, handler: (request: { params: unknown }, reply: DashboardFastifyReply) => Promise<unknown>): unknown;
}
/** The part of a Fastify reply the plugin uses. */
export interface DashboardFastifyReply {
  code(status: number): DashboardFastifyReply;
  headers(values: Record<string, string>): DashboardFastifyReply;
  send(body: string): DashboardFastifyReply;
}

/** Fastify: `await app.register(dashboardPlugin, { prefix: '/dashboard', apiBase: '/api/v1/earn' })`. */
export async function dashboardPlugin(fastify: DashboardFastifyInstance, options: DashboardOptions): Promise<void> {
  const reply = (answer: DashboardResponse | null, out: DashboardFastifyReply) =>
    answer ? out.code(answer.status).headers(answer.headers).send(answer.body) : out.code(404).headers({ 'content-type': 'text/plain' }).send('Not found');
  fastify.get('/', async (_request, out) => reply(dashboardResponse('/', fastify.prefix, options), out));
  fastify.get('/assets/:name', async (request, out) => {
    const { name } = request.params as { name: string };
    return reply(dashboardResponse(`/assets/${name}`, fastify.prefix, options), out);
  });
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Same-origin only (plus the API's origin when it is elsewhere): the page loads nothing from a CDN. */
function securityHeaders(apiBase: string): Record<string, string> {
  let connect = "'self'";
  try {
    if (/^https?:\/\//i.test(apiBase)) connect += ` ${new URL(apiBase).origin}`;
  } catch {
    // A relative base: same origin.
  }
  return {
    'content-security-policy': `default-src 'self'; connect-src ${connect}; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
  };
}
