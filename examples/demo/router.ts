/**
 * The demo loop's pages, framework-neutral: `/` redirects to the demo, `/demo` is the reward app
 * (pick a user, see offers, start a task, watch the wallets), `/demo/advertiser` the mock
 * advertiser the task opens, and `POST /demo/advertiser/postback` its server side. Both example
 * servers mount it through `mount.ts`. Pages are plain HTML, CSS and JavaScript read once at start,
 * served with a same-origin-only Content-Security-Policy (no CDN: the demo works offline).
 */
import { readFileSync } from 'node:fs';
import { DEMO_PRODUCTS, DEMO_REFERRERS, DEMO_TOKENS } from '../shared/demo-data.js';
import { ADVERTISER_ACTIONS, sendAdvertiserPostback, sendTapjoyCallback, type AdvertiserAction, type AdvertiserOptions } from './advertiser.js';

/** A response of the demo routes. */
export interface DemoResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What the demo needs to know about the running example. */
export interface DemoOptions extends AdvertiserOptions {
  /** Mount path of the API routes, e.g. `/api/v1/earn`. */
  prefix: string;
}

/** The demo routes. */
export interface DemoRoutes {
  /** Paths the demo serves (for frameworks that register routes one by one). */
  readonly paths: readonly { method: 'GET' | 'POST'; path: string }[];
  /** The answer for `method path`, or `null` when the demo does not serve it. */
  handle(method: string, path: string, body: unknown): Promise<DemoResponse | null>;
}

const PAGES_DIR = new URL('./pages/', import.meta.url);
const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};
const ASSETS = ['app.html', 'advertiser.html', 'app.js', 'advertiser.js', 'money.js', 'demo.css', 'logo.svg'];
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'self'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** Creates the demo routes; the page files are read here, once. */
export function createDemoRoutes(options: DemoOptions): DemoRoutes {
  const files = new Map(ASSETS.map((name) => [name, readFileSync(new URL(name, PAGES_DIR), 'utf8')]));
  const file = (name: string): DemoResponse => ({
    status: 200,
    headers: { 'content-type': CONTENT_TYPES[name.split('.').pop()!]!, ...SECURITY_HEADERS },
    body: files.get(name)!,
  });
  const json = (status: number, value: unknown): DemoResponse => ({
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...SECURITY_HEADERS },
    body: JSON.stringify(value),
  });
  // What the page shows and uses: the demo users (their tokens are public demo data) and offers.
  const config = {
    prefix: options.prefix,
    signed: options.secret !== null,
    users: Object.entries(DEMO_TOKENS).map(([token, userId]) => ({ userId, token, referrerId: DEMO_REFERRERS[userId] ?? null })),
    offers: Object.values(DEMO_PRODUCTS).map((product) => ({ productId: product.productId, earnUpTo: product.earnUpTo, active: product.active })),
  };

  return {
    paths: [
      { method: 'GET', path: '/' },
      { method: 'GET', path: '/demo' },
      { method: 'GET', path: '/demo/advertiser' },
      { method: 'GET', path: '/demo/config.json' },
      ...ASSETS.filter((name) => !name.endsWith('.html')).map((name) => ({ method: 'GET' as const, path: `/demo/assets/${name}` })),
      { method: 'POST', path: '/demo/advertiser/postback' },
      { method: 'POST', path: '/demo/advertiser/network-callback' },
    ],
    async handle(method, path, body) {
      if (method === 'GET' || method === 'HEAD') {
        if (path === '/') return { status: 302, headers: { location: '/demo' }, body: '' };
        if (path === '/demo' || path === '/demo/') return file('app.html');
        if (path === '/demo/advertiser') return file('advertiser.html');
        if (path === '/demo/config.json') return json(200, config);
        const asset = /^\/demo\/assets\/([\w.-]+)$/.exec(path)?.[1];
        if (asset && files.has(asset) && !asset.endsWith('.html')) return file(asset);
        return null;
      }
      if (method === 'POST' && path === '/demo/advertiser/postback') return advertiserPostback(options, body, json);
      if (method === 'POST' && path === '/demo/advertiser/network-callback') return networkCallback(options, body, json);
      return null;
    },
  };
}

async function advertiserPostback(options: AdvertiserOptions, body: unknown, json: (status: number, value: unknown) => DemoResponse): Promise<DemoResponse> {
  const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const { clickId, postbackUrl, action, amount } = input;
  if (typeof clickId !== 'string' || typeof postbackUrl !== 'string' || !ADVERTISER_ACTIONS.includes(action as AdvertiserAction)) {
    return json(400, { error: `send { clickId, postbackUrl, action: ${ADVERTISER_ACTIONS.join(' | ')}, amount? }` });
  }
  if (amount !== undefined && (typeof amount !== 'string' || !/^\d{1,12}(\.\d{1,8})?$/.test(amount))) {
    return json(400, { error: 'amount must be a decimal string such as 50.00' });
  }
  try {
    return json(200, await sendAdvertiserPostback(options, { clickId, postbackUrl, action: action as AdvertiserAction, amount }));
  } catch (error) {
    return json(error instanceof TypeError ? 400 : 502, { error: error instanceof Error ? error.message : String(error) });
  }
}

/** A Tapjoy callback crediting one of the demo users (the only users the example's networks accept). */
async function networkCallback(options: AdvertiserOptions, body: unknown, json: (status: number, value: unknown) => DemoResponse): Promise<DemoResponse> {
  const { userId, amount } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof userId !== 'string' || !Object.values(DEMO_TOKENS).includes(userId) || typeof amount !== 'string' || !/^\d{1,6}(\.\d{1,2})?$/.test(amount)) {
    return json(400, { error: 'send { userId: a demo user, amount: a decimal string such as 10.00 }' });
  }
  try {
    return json(200, await sendTapjoyCallback(options, { userId, amount }));
  } catch (error) {
    return json(502, { error: error instanceof Error ? error.message : String(error) });
  }
}

/** The demo routes of a running example. */
export function demoRoutesFor(setup: { baseUrl: string; port: number; secret: string | null }, prefix: string): DemoRoutes {
  return createDemoRoutes({ prefix, baseUrl: setup.baseUrl, localBaseUrl: `http://127.0.0.1:${setup.port}${prefix}`, secret: setup.secret });
}
