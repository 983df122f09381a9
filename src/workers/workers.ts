/**
 * Background workers: the jobs a tracker needs run on a schedule (expire clicks, retry owed
 * credits; more jobs plug into {@link WorkerJobs}), each tick guarded by a store lease so that of
 * several app instances only one runs a job's batch at a time.
 * @module
 */
import type { ResolvedOptions } from '../options.js';
import { guardStorage } from '../storage-guard.js';
import { retryOwed } from './retry-owed.js';
import { deliverEvents } from '../events/deliver.js';

/** Settings of one job. */
export interface WorkerJobOptions {
  /** Time between two batches, ms (before jitter). */
  intervalMs: number;
  /** Most items one batch handles. Default 500. */
  batchSize?: number;
}

/** Options of {@link ClickTracker.startWorkers}. A job left out (or `false`) does not run. */
export interface WorkersOptions {
  /** Marks pending clicks past their expiry as expired. */
  expireClicks?: WorkerJobOptions | false;
  /** Applies wallet operations that a crash or an outage left owed (outbox mode). */
  retryPendingCredits?: WorkerJobOptions | false;
  /**
   * Sends recorded events to the tracker's `webhook` (signed, in order per user, exponential
   * backoff, dead-lettered after `webhook.maxAttempts` tries). Needs the `webhook` option.
   */
  deliverEvents?: WorkerJobOptions | false;
  /** Spread of each interval, as a fraction (0.1: ±10 %), so instances do not tick in step. Default 0.1. */
  jitter?: number;
  /**
   * The lease each batch takes first: `ttlMs` bounds how long a crashed holder blocks the job
   * (default: twice the longest interval, at least 30 s); `owner` names this instance in the
   * store (default: a random id).
   */
  lease?: { ttlMs?: number; owner?: string };
}

/** What one batch of a job did. */
export interface BatchResult {
  /** Items handled (clicks expired, operations settled...). */
  count: number;
  /** Items the job knows are still waiting. */
  remaining?: number;
}

/** A running set of workers. */
export interface WorkersHandle {
  /** The jobs running, by name. */
  readonly jobs: readonly string[];
  /**
   * Runs one lease-guarded batch of `job` now (tests, admin tools); `null` when another
   * instance holds the lease. Waits for a batch of the same job already in hand.
   */
  runOnce(job: string): Promise<BatchResult | null>;
  /** Stops scheduling, waits for the batches in hand to finish, gives the leases back. */
  stop(): Promise<void>;
}

/** A job body: one bounded batch. */
export type WorkerJob = (o: ResolvedOptions, batchSize: number) => Promise<BatchResult>;

/** The known jobs. A new job (event delivery, say) is one entry here plus its option. */
export const WorkerJobs: Readonly<Record<'expireClicks' | 'retryPendingCredits' | 'deliverEvents', WorkerJob>> = {
  async expireClicks(o, batchSize) {
    const count = await guardStorage(o, 'expireClicks', () => o.storage.expireClicks(o.clock.now(), batchSize));
    return { count };
  },
  retryPendingCredits: retryOwed,
  deliverEvents,
};

const DEFAULT_BATCH = 500;

/** Starts the configured jobs; see {@link WorkersOptions}. */
export function startWorkers(o: ResolvedOptions, options: WorkersOptions): WorkersHandle {
  const jitter = options.jitter ?? 0.1;
  if (!(jitter >= 0 && jitter <= 1)) throw new TypeError('clickcredit: workers jitter must be a fraction from 0 to 1');
  const configured = (Object.keys(WorkerJobs) as Array<keyof typeof WorkerJobs>).flatMap((name) => {
    const job = options[name];
    if (job === undefined || job === false) return [];
    if (name === 'deliverEvents' && (o.webhook === null || o.storage.events === undefined)) {
      throw new TypeError(o.webhook === null
        ? 'clickcredit: workers deliverEvents needs the tracker option `webhook`'
        : `clickcredit: workers deliverEvents: the ${o.storage.name} store has no event outbox`);
    }

    if (!(Number.isInteger(job.intervalMs) && job.intervalMs > 0)) throw new TypeError(`clickcredit: workers ${name}.intervalMs must be a positive integer`);
    const batchSize = job.batchSize ?? DEFAULT_BATCH;
    if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new TypeError(`clickcredit: workers ${name}.batchSize must be a positive integer`);
    return [{ name, intervalMs: job.intervalMs, batchSize, body: WorkerJobs[name] }];
  });
  const longest = Math.max(0, ...configured.map((job) => job.intervalMs));
  const ttlMs = options.lease?.ttlMs ?? Math.max(30_000, 2 * longest);
  if (!(Number.isInteger(ttlMs) && ttlMs > 0)) throw new TypeError('clickcredit: workers lease.ttlMs must be a positive integer');
  const owner = options.lease?.owner ?? `worker-${o.ids.uuid()}`;
  const byName = new Map(configured.map((job) => [job.name as string, job]));
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const inHand = new Map<string, Promise<BatchResult | null>>();
  let stopped = false;

  const leaseName = (job: string) => `worker:${job}`;

  async function batch(name: string): Promise<BatchResult | null> {
    const job = byName.get(name)!;
    const lease = leaseName(name);
    const held = await guardStorage(o, 'leases.acquire', () => o.storage.leases.acquire(lease, owner, ttlMs, o.clock.now()));
    if (!held) return null;
    try {
      const result = await job.body(o, job.batchSize);
      if (result.count > 0) o.logger.info(`worker ${name}: batch done`, { job: name, ...result });
      return result;
    } finally {
      // Given back at once: the next tick of any instance may take it.
      await guardStorage(o, 'leases.release', () => o.storage.leases.release(lease, owner)).catch(() => undefined);
    }
  }

  function run(name: string): Promise<BatchResult | null> {
    const current = inHand.get(name);
    if (current) return current;
    const promise = batch(name).finally(() => inHand.delete(name));
    inHand.set(name, promise);
    return promise;
  }

  function schedule(name: string): void {
    if (stopped) return;
    const job = byName.get(name)!;
    const spread = job.intervalMs * jitter * (Math.random() * 2 - 1);
    const timer = setTimeout(() => {
      timers.delete(name);
      run(name)
        .catch((error: unknown) => o.logger.error(`worker ${name}: batch failed`, { job: name, error: error instanceof Error ? error.message : String(error) }))
        .finally(() => schedule(name));
    }, Math.max(1, Math.round(job.intervalMs + spread)));
    // Workers alone must not keep a process alive that has nothing else to do.
    (timer as { unref?: () => void }).unref?.();
    timers.set(name, timer);
  }

  for (const job of configured) schedule(job.name);
  o.logger.info('workers started', { jobs: configured.map((job) => job.name), owner, leaseTtlMs: ttlMs });

  return {
    jobs: configured.map((job) => job.name),
    async runOnce(name) {
      if (!byName.has(name)) throw new TypeError(`clickcredit: no worker job named ${name}`);
      if (stopped) throw new Error('clickcredit: workers are stopped');
      return run(name);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      const pending = [...inHand.values()];
      await Promise.allSettled(pending);
      o.logger.info('workers stopped', { owner, finishedBatches: pending.length });
    },
  };
}
