/**
 * Crash at every step (in process, outbox mode with a host wallet). A postback's path is a
 * sequence of awaited calls on the store and the wallet (the store step, then per owed operation
 * the wallet call and the settle). A dry run lists them; then, for every step N and every way
 * of dying there (throw before the call, throw after it ran, never return before, never return
 * after), a tracker on a wrapped store and wallet is interrupted at N and abandoned as a crashed
 * process would be. A fresh tracker on the same real store then runs the recovery
 * (`retryPendingCredits`) and the advertiser retries, in both orders. The host wallet is a real
 * ledger (a second store of the same kind, its own wallet port); exactly-once is checked there
 * by key, amount and balance, and the outbox of the earning must end fully settled.
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { Redis, Cluster } from 'ioredis';
import { createClickTracker, type ClickStore, type ClickTracker, type WalletPort } from 'clickcredit';
import { migrate } from 'clickcredit/postgres';
import { memoryStoreWithRaw, postgresStoreWithRaw, rawOf, redisStoreWithRaw } from '../../support/raw-reads.js';
import { startLocalCluster } from '../../support/redis-cluster.js';
import { Problems, type Case, type Outcome } from '../support/scenario.js';
import { postgresStore, startRedisServer } from '../support/stores.js';

type Kind = 'memory' | 'pglite' | 'postgres' | 'redis' | 'redis-cluster';

/** The store under test and the host's wallet, each a real store with raw reads. */
interface Stores {
  store: ClickStore;
  host: ClickStore;
  close(): Promise<void>;
}

async function openStores(kind: Kind): Promise<Stores> {
  if (kind === 'memory') {
    const store = memoryStoreWithRaw();
    const host = memoryStoreWithRaw();
    return { store, host, close: async () => undefined };
  }
  if (kind === 'pglite') {
    const db = new PGlite();
    await migrate(db, { schema: 'tracker' });
    await migrate(db, { schema: 'host' });
    return { store: postgresStoreWithRaw({ client: db, schema: 'tracker' }), host: postgresStoreWithRaw({ client: db, schema: 'host' }), close: () => db.close() };
  }
  if (kind === 'postgres') {
    const database = await postgresStore();
    const pool = new pg.Pool({ connectionString: database.env().DATABASE_URL, max: 6 });
    await migrate(pool, { schema: 'tracker' });
    await migrate(pool, { schema: 'host' });
    return {
      store: postgresStoreWithRaw({ client: pool, schema: 'tracker' }),
      host: postgresStoreWithRaw({ client: pool, schema: 'host' }),
      close: async () => {
        await pool.end();
        await database.cleanup();
      },
    };
  }
  if (kind === 'redis') {
    const server = await startRedisServer();
    const client = new Redis(server.url);
    return {
      store: redisStoreWithRaw({ client, prefix: 'rel-tracker' }),
      host: redisStoreWithRaw({ client, prefix: 'rel-host' }),
      close: async () => {
        client.disconnect();
        await server.stop();
      },
    };
  }
  const cluster = await startLocalCluster(7300);
  const client = new Cluster(cluster.nodes);
  return {
    store: redisStoreWithRaw({ client, prefix: 'rel-tracker' }),
    host: redisStoreWithRaw({ client, prefix: 'rel-host' }),
    close: async () => {
      client.disconnect();
      await cluster.stop();
    },
  };
}

type Death = 'throw-before' | 'throw-after' | 'hang-before' | 'hang-after';
const DEATHS: Death[] = ['throw-before', 'throw-after', 'hang-before', 'hang-after'];

/**
 * Wraps every method of `target`: each call while armed is one step, and the step numbered
 * `dieAt` dies the chosen way. Everything else passes through to the real object.
 */
class StepTrap {
  steps: string[] = [];
  armed = false;
  dieAt = -1;
  death: Death = 'throw-before';
  died = false;
  private onDeath: () => void = () => undefined;
  /** Resolves once the trapped step has died. */
  readonly death$ = new Promise<void>((resolve) => (this.onDeath = resolve));

  wrap<T extends object>(target: T, label: string): T {
    return new Proxy(target, {
      get: (object, property, receiver) => {
        const value = Reflect.get(object, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (!this.armed) return value.apply(object, args);
          const index = this.steps.length;
          this.steps.push(`${label}.${String(property)}${describeOp(args[0])}`);
          if (index !== this.dieAt) return value.apply(object, args);
          this.died = true;
          this.armed = false; // a crashed process does nothing more
          this.onDeath();
          if (this.death === 'throw-before') return Promise.reject(new Error(`crash before ${String(property)}`));
          if (this.death === 'hang-before') return new Promise(() => undefined);
          return Promise.resolve(value.apply(object, args)).then(() => {
            if (this.death === 'throw-after') throw new Error(`crash after ${String(property)}`);
            return new Promise(() => undefined);
          });
        };
      },
    });
  }
}

/** The store step first, then for each owed operation (any order) its wallet call directly followed by its settle. */
function isPostbackPath(steps: string[], kinds: string[]): boolean {
  if (steps.length !== 1 + 2 * kinds.length || steps[0] !== 'store.applyConversion') return false;
  const seen = new Set<string>();
  for (let i = 1; i < steps.length; i += 2) {
    const kind = /^wallet\.apply\((\w+)\)$/.exec(steps[i]!)?.[1];
    if (kind === undefined || !kinds.includes(kind) || seen.has(kind) || steps[i + 1] !== `store.settleOwedOperation(${kind})`) return false;
    seen.add(kind);
  }
  return true;
}

function describeOp(arg: unknown): string {
  if (typeof arg === 'string') return `(${arg.split(':').at(-1)})`;
  if (arg && typeof arg === 'object' && 'kind' in arg) return `(${String((arg as { kind: unknown }).kind)})`;
  return '';
}

const silent = { info() {}, warn() {}, error() {} };
const PRODUCT = { productId: 'p', earnUpTo: '50.00', active: true };

function tracker(storage: ClickStore, wallet: WalletPort): ClickTracker {
  return createClickTracker({
    storage,
    wallet,
    products: { getProduct: () => PRODUCT },
    referrals: { referrerOf: (userId) => (userId.startsWith('user-') ? `ref-${userId}` : null) },
    referralCommission: '10%',
    publicUrl: 'https://api.example.test/earn',
    allowUnverifiedPostbacks: true,
    logger: silent,
  });
}

/**
 * How the interrupted postback ended: it returned or threw, or (a hung step) it is still
 * waiting shortly after the step died, and is abandoned like a dead process's request.
 */
async function untilCrash(promise: Promise<unknown>, trap: StepTrap): Promise<'returned' | 'threw' | 'hung'> {
  const settled = promise.then(() => 'returned' as const, () => 'threw' as const);
  if (trap.dieAt < 0 || trap.death.startsWith('throw')) return settled;
  const hung = trap.death$.then(() => new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 20)));
  return Promise.race([settled, hung]);
}

export function crashStepCases(): Case[] {
  return (['memory', 'pglite', 'postgres', 'redis', 'redis-cluster'] as Kind[]).map((kind) => ({
    name: `crash-at-every-step/${kind}`,
    run: () => crashEveryStep(kind),
  }));
}

async function crashEveryStep(kind: Kind): Promise<Outcome> {
  const problems = new Problems();
  const stores = await openStores(kind);
  let requests = 0;
  let faults = 0;
  let lost = 0;
  let doubled = 0;
  const stepNames = new Map<string, number>();
  try {
    const hostWallet = stores.host.wallet;
    const clean = tracker(stores.store, hostWallet);
    let serial = 0;

    for (const path of ['credit', 'reversal'] as const) {
      // The dry run: which calls does this path make?
      const dry = await runPath(path, -1, 'throw-before', 'recovery-first');
      const kinds = path === 'credit' ? ['credit', 'referral_credit'] : ['debit', 'referral_debit'];
      problems.check(isPostbackPath(dry, kinds), `${path}: the path's calls are ${dry.join(' → ')}; expected the store step, then a wallet call and its settle for each of ${kinds.join(', ')}`);
      for (let step = 0; step < dry.length; step++) {
        stepNames.set(`${path}:${dry[step]}`, step);
        for (const death of DEATHS) {
          for (const order of ['recovery-first', 'retry-first'] as const) await runPath(path, step, death, order);
        }
      }
    }

    /** One interrupted postback on a fresh click, the recovery, and the checks; returns the steps seen. */
    async function runPath(path: 'credit' | 'reversal', dieAt: number, death: Death, order: 'recovery-first' | 'retry-first'): Promise<string[]> {
      serial += 1;
      const user = `user-${kind}-${serial}-${Math.random().toString(36).slice(2, 8)}`;
      const referrer = `ref-${user}`;
      const amountMinor = BigInt(100 + ((serial * 137) % 4900));
      const amount = `${amountMinor / 100n}.${String(amountMinor % 100n).padStart(2, '0')}`;
      const { clickId } = await clean.createClick({ userId: user, productId: 'p', taskUrl: 'https://advertiser.example/offer' });
      const credit = { query: { click_id: clickId }, body: { amount, conversionId: 'c', status: 'completed' } };
      const reversal = { query: { click_id: clickId }, body: { amount, conversionId: 'c', status: 'reversed' } };
      if (path === 'reversal') {
        await clean.handlePostback(credit);
        requests += 1;
      }
      const trap = new StepTrap();
      trap.dieAt = dieAt;
      trap.death = death;
      const crashing = tracker(trap.wrap(stores.store, 'store'), trap.wrap(hostWallet, 'wallet'));
      const interrupted = path === 'credit' ? credit : reversal;
      trap.armed = true;
      const how = await untilCrash(crashing.handlePostback(interrupted), trap);
      trap.armed = false;
      requests += 1;
      if (dieAt >= 0) {
        faults += 1;
        if (!trap.died) problems.add(`${path} step ${dieAt} (${death}): the path never reached that step (${trap.steps.join(' → ')})`);
        if (death.startsWith('hang') && how !== 'hung') problems.add(`${path} step ${dieAt} (${death}): a hung call did not hang the postback (${how})`);
      }
      // The process is gone; a new one recovers, and the advertiser retries its postback.
      const recovery = async () => void (await clean.retryPendingCredits());
      const retry = async () => {
        requests += 1;
        await clean.handlePostback(interrupted);
      };
      if (order === 'recovery-first') {
        await recovery();
        await retry();
      } else {
        await retry();
        await recovery();
      }
      // Exactly once, from the host wallet's stored ledger and the store's outbox.
      const expected = path === 'credit' ? { user: amountMinor, referrer: amountMinor / 10n } : { user: 0n, referrer: 0n };
      const label = `${path} died at step ${dieAt} ${dieAt >= 0 ? trap.steps[dieAt] : ''} (${death}, ${order})`;
      const earnings = await rawOf(stores.store).earningsOfClick(clickId);
      if (earnings.length !== 1) {
        problems.add(`${label}: ${earnings.length} earnings`);
        if (earnings.length === 0) lost += 1;
        else doubled += 1;
        return trap.steps;
      }
      const outbox = await rawOf(stores.store).outboxOfEarning(earnings[0]!.earningId);
      const unsettled = outbox.filter((op) => op.settledAt === null).length;
      if (unsettled > 0) problems.add(`${label}: ${unsettled} outbox operation(s) left owed after the recovery`);
      for (const [who, userId, want] of [['user', user, expected.user], ['referrer', referrer, expected.referrer]] as const) {
        const entries = await rawOf(stores.host).ledgerEntries(userId);
        const keys = entries.map((entry) => entry.key);
        const sum = entries.reduce((total, entry) => total + entry.amountMinor, 0n);
        const cached = await rawOf(stores.host).cachedBalance(userId);
        const wantEntries = path === 'credit' ? 1 : 2;
        if (new Set(keys).size !== keys.length || sum > want) doubled += 1;
        if (sum < want || entries.length < wantEntries) lost += 1;
        if (sum !== want || cached !== want || entries.length !== wantEntries || new Set(keys).size !== keys.length) {
          problems.add(`${label}: host wallet of ${who} has ${entries.length} entries [${keys.join(', ')}] summing to ${sum}, cached ${cached}, expected ${want}`);
        }
      }
      return trap.steps;
    }
  } finally {
    await stores.close();
  }
  return {
    figures: { requests, faults, lost, doubled, fiveXx: 0, interruptionPoints: stepNames.size, deaths: DEATHS.length },
    problems: problems.done(),
  };
}
