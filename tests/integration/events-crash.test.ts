/**
 * Crash test: a host process is killed with SIGKILL after the conversion's atomic step, while
 * its webhook delivery is in flight (the receiver holds it). After a restart the event is
 * delivered: the receiver, deduping by `webhook-id`, sees it at least once, and the store holds
 * exactly one event for the change (a replayed postback records none).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickTracker } from 'clickcredit';
import { createPostgresStore, migrate } from 'clickcredit/postgres';
import { DATABASE_URL, postgresAvailable, uniqueSchema } from '../support/services.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';

const HOST = fileURLToPath(new URL('../support/crash-host.ts', import.meta.url));
const SECRET = `whsec_${randomBytes(24).toString('base64')}`;

function host(env: Record<string, string>): { child: ChildProcess; output: () => string; line: (prefix: string) => Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', HOST], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return {
    child,
    output: () => output,
    line: (prefix) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${prefix}" line:\n${output}`)), 60_000);
        const check = setInterval(() => {
          const found = output.split('\n').find((l) => l.startsWith(prefix));
          if (found !== undefined) {
            clearInterval(check);
            clearTimeout(timer);
            resolve(found);
          }
        }, 20);
        child.once('exit', (code) => {
          clearInterval(check);
          clearTimeout(timer);
          reject(new Error(`host exited with ${code} before "${prefix}":\n${output}`));
        });
      }),
  };
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

describe('events survive a crash between the atomic step and the webhook delivery (Postgres server)', () => {
  let available = false;
  let pool: pg.Pool;
  let receiver: Receiver;
  const schema = uniqueSchema('cc_crash');
  beforeAll(async () => {
    available = await postgresAvailable();
    if (!available) return;
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
    await migrate(pool, { schema });
    receiver = await startReceiver(SECRET);
  }, 60_000);
  afterAll(async () => {
    await receiver?.close();
    if (available) {
      await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
      await pool.end();
    }
  });

  it('kill -9 while the delivery is in flight; after restart it is delivered, one event recorded', async (ctx) => {
    if (!available) return ctx.skip();
    const userId = `crash-${randomBytes(4).toString('hex')}`;
    const env = { DATABASE_URL, SCHEMA: schema, WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: SECRET, USER_ID: userId };
    // The first delivery is held open: the process dies before it learns the answer.
    receiver.script(({ tries }) => (tries === 1 ? 'hang' : 200));
    const first = host({ ...env, MODE: 'credit' });
    const [, eventId, clickId] = (await first.line('CREDITED ')).split(' ');
    await receiver.until(() => receiver.arrivals.some((a) => a.id === eventId));
    first.child.kill('SIGKILL');
    await exited(first.child);
    expect(first.child.signalCode).toBe('SIGKILL');
    const storage = createPostgresStore({ client: pool, schema });
    expect(await storage.events!.getDelivery(eventId!)).toMatchObject({ state: 'pending', attempts: 0 });

    const second = host({ ...env, MODE: 'deliver' });
    try {
      await second.line('READY');
      await receiver.until(() => receiver.delivered().includes(eventId!), 30_000);
    } finally {
      second.child.kill('SIGTERM');
      await exited(second.child);
    }
    const arrivals = receiver.arrivals.filter((a) => a.id === eventId);
    expect(arrivals.length).toBeGreaterThanOrEqual(2);
    expect(arrivals.every((a) => a.verified)).toBe(true);
    expect(receiver.delivered().filter((id) => id === eventId)).toHaveLength(1);
    expect(arrivals.at(-1)!.body).toMatchObject({ id: eventId, type: 'conversion.credited', data: { userId, amount: '5.00', clickId } });

    // The advertiser retries the same postback after the crash: a duplicate, no second event.
    const tracker = createClickTracker({
      storage,
      products: { getProduct: (id) => ({ productId: id, earnUpTo: '50.00', active: true }) },
      publicUrl: 'http://127.0.0.1/api/v1/earn',
      allowUnverifiedPostbacks: true,
      logger: { info() {}, warn() {}, error() {} },
    });
    const replay = await tracker.handlePostback({ query: { click_id: clickId! }, body: { amount: '5.00', conversionId: 'crash' }, sourceIp: '203.0.113.1', method: 'POST' });
    expect(replay.duplicate).toBe(true);
    const events = await storage.events!.eventsOfUser(userId);
    expect(events.map((e) => [e.id, e.type, e.state])).toEqual([[eventId, 'conversion.credited', 'delivered']]);
    const rows = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".events WHERE user_id = $1`, [userId]);
    expect(rows.rows[0].n).toBe(1);
    expect((await tracker.getWallet(userId)).balance).toBe('5.00');
  }, 120_000);
});
