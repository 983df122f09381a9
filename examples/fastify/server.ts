/**
 * The Fastify example (`npm run start:fastify`): the same as the Express one, on Fastify 5.
 */
import Fastify from 'fastify';
import { buildOpenApiDocument, clickCreditFrameworkErrors, clickCreditPlugin } from 'clickcredit/fastify';
import { dashboardPlugin } from 'clickcredit/dashboard';
import { adminFromAuthorization, userFromAuthorization } from '../shared/demo-data.js';
import { startBanner } from '../shared/banner.js';
import { PREFIX, setUpExample } from '../shared/tracker.js';
import { mountDemoOnFastify } from '../demo/mount.js';
import { demoRoutesFor } from '../demo/router.js';

const setup = await setUpExample();
// maxParamLength: product ids may be up to 256 characters (Fastify's default is 100), so Fastify
// lets them through and answers exactly as Express does.
const app = Fastify({ trustProxy: process.env.TRUST_PROXY === '1', frameworkErrors: clickCreditFrameworkErrors, maxParamLength: 256 });
const openapi = buildOpenApiDocument(setup.baseUrl);
app.get(`${PREFIX}/openapi.json`, async () => openapi);
// The demo loop in a browser: / redirects to /demo, the mock advertiser is at /demo/advertiser.
mountDemoOnFastify(app, demoRoutesFor(setup, PREFIX));
await app.register(clickCreditPlugin, {
  prefix: PREFIX,
  tracker: setup.tracker,
  authenticate: (request) => userFromAuthorization(request.headers.authorization),
  authorizeAdmin: (request) => adminFromAuthorization(request.headers.authorization),
});
// The operator dashboard: a static page; its data comes from the admin routes above (authorizeAdmin).
await app.register(dashboardPlugin, { prefix: '/dashboard', apiBase: PREFIX });
try {
  // All interfaces, like Express's app.listen(port); IPv4 only where IPv6 is disabled.
  await app.listen({ port: setup.port, host: '::' }).catch(async (error: { code?: string }) => {
    if (error.code !== 'EAFNOSUPPORT' && error.code !== 'EADDRNOTAVAIL') throw error;
    await app.listen({ port: setup.port, host: '0.0.0.0' });
  });
} catch (error) {
  const { message, code } = error as { message?: string; code?: string };
  console.error(`cannot listen on port ${setup.port}: ${message}${code === 'EADDRINUSE' ? ' (another process uses it: set PORT=...)' : ''}`);
  await setup.close();
  process.exit(1);
}
console.log(startBanner(setup, 'Fastify'));

// Background jobs: expire clicks and retry owed credits; a store lease keeps several instances
// of the example from running the same batch at once. Stopped (batch in hand finished) on SIGTERM.
const workers = setup.tracker.startWorkers({
  expireClicks: { intervalMs: 60_000 },
  retryPendingCredits: { intervalMs: 15_000 },
  // With WEBHOOK_URL set (and a store with an event outbox), events go out as signed webhooks.
  ...(setup.webhooks ? { deliverEvents: { intervalMs: 2_000 } } : {}),
});

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await app.close();
  await workers.stop();
  await setup.close();
  console.log('clickcredit example stopped');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
