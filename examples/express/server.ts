/**
 * The Express example (`npm start`): clickcredit mounted under /api/v1/earn on embedded PGlite.
 * Environment: PORT, PUBLIC_URL, DATABASE_URL, REDIS_URL, MONGODB_URL, POSTBACK_SECRET, DATA_DIR.
 */
import express from 'express';
import { buildOpenApiDocument, createClickCreditRouter } from 'clickcredit/express';
import { createDashboardMiddleware } from 'clickcredit/dashboard';
import { adminFromAuthorization, userFromAuthorization } from '../shared/demo-data.js';
import { startBanner } from '../shared/banner.js';
import { PREFIX, setUpExample } from '../shared/tracker.js';
import { mountDemoOnExpress } from '../demo/mount.js';
import { demoRoutesFor } from '../demo/router.js';

const setup = await setUpExample();
const app = express();
app.set('trust proxy', process.env.TRUST_PROXY === '1' ? 1 : false);
const openapi = buildOpenApiDocument(setup.baseUrl);
app.get(`${PREFIX}/openapi.json`, (_req, res) => void res.json(openapi));
// The demo loop in a browser: / redirects to /demo, the mock advertiser is at /demo/advertiser.
mountDemoOnExpress(app, demoRoutesFor(setup, PREFIX));
app.use(
  PREFIX,
  createClickCreditRouter({
    tracker: setup.tracker,
    authenticate: (req) => userFromAuthorization(req.headers.authorization),
    authorizeAdmin: (req) => adminFromAuthorization(req.headers.authorization),
  }),
);
// The operator dashboard: a static page; its data comes from the admin routes above (authorizeAdmin).
app.use('/dashboard', createDashboardMiddleware({ apiBase: PREFIX }));

const server = app.listen(setup.port, (error?: Error) => {
  if (error) return void cannotListen(error);
  console.log(startBanner(setup, 'Express'));
});

async function cannotListen(error: Error): Promise<void> {
  console.error(`cannot listen on port ${setup.port}: ${error.message}${(error as { code?: string }).code === 'EADDRINUSE' ? ' (another process uses it: set PORT=...)' : ''}`);
  await setup.close();
  process.exit(1);
}

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
  // Stop accepting, let requests in flight finish (idle keep-alive sockets are closed at once),
  // then close the store so PGlite's files under .data are left consistent.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const forced = setTimeout(() => server.closeAllConnections(), 5_000);
  await closed;
  clearTimeout(forced);
  await workers.stop();
  await setup.close();
  console.log('clickcredit example stopped');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
