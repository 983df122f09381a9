/**
 * A small host process for the crash test: a tracker on the Postgres server (schema `SCHEMA`)
 * with webhooks to `WEBHOOK_URL`. `MODE=credit`: credits one conversion for `USER_ID`, prints
 * `CREDITED <eventId>`, then runs the delivery worker (the test kills it with SIGKILL while the
 * receiver holds the first delivery). `MODE=deliver`: only runs the delivery worker, prints
 * `READY`, and stops its workers on SIGTERM.
 */
import pg from 'pg';
import { createClickTracker } from 'clickcredit';
import { createPostgresStore } from 'clickcredit/postgres';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`crash-host: ${name} is required`);
  return value;
};

const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: 2 });
const storage = createPostgresStore({ client: pool, schema: env('SCHEMA') });
const tracker = createClickTracker({
  storage,
  products: { getProduct: (id) => ({ productId: id, earnUpTo: '50.00', active: true }) },
  publicUrl: 'http://127.0.0.1/api/v1/earn',
  allowUnverifiedPostbacks: true,
  logger: { info() {}, warn() {}, error: (message, context) => console.error(message, context) },
  webhook: { url: env('WEBHOOK_URL'), secret: env('WEBHOOK_SECRET'), backoff: { initialMs: 50, maxMs: 200 } },
});

if (env('MODE') === 'credit') {
  const userId = env('USER_ID');
  const { clickId } = await tracker.createClick({ userId, productId: 'p', taskUrl: 'https://advertiser.example/o' });
  await tracker.handlePostback({ query: { click_id: clickId }, body: { amount: '5.00', conversionId: 'crash' }, sourceIp: '203.0.113.1', method: 'POST' });
  const [event] = await storage.events!.eventsOfUser(userId);
  console.log(`CREDITED ${event!.id} ${clickId}`);
}
const workers = tracker.startWorkers({ deliverEvents: { intervalMs: 20 }, jitter: 0, lease: { ttlMs: 1000 } });
// Keeps the process alive (worker timers are unref'd).
const alive = setInterval(() => undefined, 1000);
console.log('READY');
process.once('SIGTERM', () => {
  void workers.stop().then(async () => {
    clearInterval(alive);
    await pool.end();
    process.exit(0);
  });
});
