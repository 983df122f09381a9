/**
 * The one place where store failures become a 503: anything a store throws that is not one of
 * our typed errors (connection refused, timeout, failover...) means "retry later". Because every
 * store step is atomic, a failed step has changed nothing, so the retry is safe.
 *
 * And the bound on how long a store may keep a request waiting. A driver that loses its server
 * often waits instead of failing (ioredis queues commands while it reconnects, a `pg` Pool waits
 * for a free connection, the MongoDB driver for server selection: 10 to 30 s), and an
 * advertiser's callback times out instead of getting a 503 it would retry. Every store call (the
 * store's wallet and a host wallet too) therefore gets a deadline: past it, the call counts as
 * failed and the request answers 503 `UNAVAILABLE`.
 *
 * A call that timed out may still finish later: a Lua script already on the wire runs when the
 * server answers again, a SQL statement may still commit. That is safe for the same reason a
 * retry is: every step is keyed and idempotent (the retried postback answers `duplicate`, the
 * retried wallet operation finds its idempotency key), so nothing is applied twice.
 * @module
 */
import { UnavailableError, isClickCreditError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import type { ClickStore, WalletPort } from './ports.js';

/** Default bound of one store call, ms: long enough for a busy store, short enough for a callback. */
export const DEFAULT_STORAGE_TIMEOUT_MS = 3000;

/** A store or wallet call that did not settle within its deadline (answered as 503). */
export class StorageTimeoutError extends Error {
  override readonly name = 'StorageTimeoutError';
  constructor(operation: string, readonly timeoutMs: number) {
    super(`storage ${operation} did not answer within ${timeoutMs} ms`);
  }
}

/** Runs a store call, turning unexpected failures into {@link UnavailableError}. */
export async function guardStorage<T>(
  options: Pick<ResolvedOptions, 'logger'>,
  operation: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isClickCreditError(error)) throw error;
    options.logger.error(`storage ${operation} failed`, { error: describe(error) });
    throw new UnavailableError(undefined, { cause: error });
  }
}

/**
 * `promise`, or a {@link StorageTimeoutError} once `timeoutMs` has passed. The late outcome of a
 * timed-out call is dropped (its rejection handled), so it never becomes an unhandled rejection.
 */
export function withDeadline<T>(promise: Promise<T>, timeoutMs: number, operation: string): Promise<T> {
  if (!Number.isFinite(timeoutMs)) return promise;
  const queue = deadlineQueue(timeoutMs);
  return new Promise<T>((resolve, reject) => {
    const waiter = queue.add(() => reject(new StorageTimeoutError(operation, timeoutMs)));
    promise.then(
      (value) => {
        queue.remove(waiter);
        resolve(value);
      },
      (error: unknown) => {
        queue.remove(waiter);
        reject(error);
      },
    );
  });
}

/** A call waiting on its deadline (ms on the `performance.now()` clock). */
interface Waiter {
  readonly deadline: number;
  readonly expire: () => void;
  prev: Waiter | null;
  next: Waiter | null;
  queued: boolean;
}

/**
 * The calls under one deadline length, and one timer for all of them, instead of a timer per
 * call (a store call is often a few microseconds; a timer costs about as much to set and clear).
 * Every call's deadline is its start plus the same length, so the calls queue in deadline order:
 * the timer is armed for the oldest one, and when it fires it fails every call past its deadline
 * and re-arms for the oldest left. A call that settles leaves the queue at once.
 */
class DeadlineQueue {
  private head: Waiter | null = null;
  private tail: Waiter | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly timeoutMs: number) {}

  add(expire: () => void): Waiter {
    const waiter: Waiter = { deadline: performance.now() + this.timeoutMs, expire, prev: this.tail, next: null, queued: true };
    if (this.tail === null) this.head = waiter;
    else this.tail.next = waiter;
    this.tail = waiter;
    if (this.timer === null) this.arm(this.timeoutMs);
    return waiter;
  }

  remove(waiter: Waiter): void {
    if (!waiter.queued) return;
    waiter.queued = false;
    if (waiter.prev === null) this.head = waiter.next;
    else waiter.prev.next = waiter.next;
    if (waiter.next === null) this.tail = waiter.prev;
    else waiter.next.prev = waiter.prev;
    waiter.prev = null;
    waiter.next = null;
  }

  private arm(ms: number): void {
    const timer = setTimeout(this.fire, Math.max(1, Math.ceil(ms)));
    // The timer alone must not keep a process alive that has nothing else to do.
    (timer as { unref?: () => void }).unref?.();
    this.timer = timer;
  }

  private readonly fire = (): void => {
    this.timer = null;
    const now = performance.now();
    while (this.head !== null && this.head.deadline <= now) {
      const waiter = this.head;
      this.remove(waiter);
      waiter.expire();
    }
    if (this.head !== null) this.arm(this.head.deadline - now);
  };
}

/** One queue per deadline length in the process (trackers with the same `storageTimeoutMs` share it). */
const deadlineQueues = new Map<number, DeadlineQueue>();

function deadlineQueue(timeoutMs: number): DeadlineQueue {
  let queue = deadlineQueues.get(timeoutMs);
  if (queue === undefined) {
    queue = new DeadlineQueue(timeoutMs);
    deadlineQueues.set(timeoutMs, queue);
  }
  return queue;
}

/**
 * Every promise-returning method of `target` under {@link withDeadline}, other properties as
 * they are. A Proxy rather than a list of methods, so a method a store adds is bounded too.
 */
function bounded<T extends object>(target: T, timeoutMs: number, prefix: string, unbounded: ReadonlySet<PropertyKey>, nested: Partial<Record<keyof T, object>> = {}): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(object, property, receiver) {
      if (Object.hasOwn(nested, property)) return nested[property as keyof T];
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function' || unbounded.has(property)) return value;
      let method = wrapped.get(property);
      if (method === undefined) {
        const name = `${prefix}${String(property)}`;
        method = (...args: unknown[]) => {
          const result: unknown = Reflect.apply(value, object, args);
          return isThenable(result) ? withDeadline(Promise.resolve(result), timeoutMs, name) : result;
        };
        wrapped.set(property, method);
      }
      return method;
    },
  });
}

const NOTHING_UNBOUNDED: ReadonlySet<PropertyKey> = new Set();
// Closing waits for the store's own work to finish; it is not a request and has no deadline.
const STORE_UNBOUNDED: ReadonlySet<PropertyKey> = new Set(['close']);

/** A wallet whose calls fail with {@link StorageTimeoutError} past `timeoutMs`. */
export function boundedWallet(wallet: WalletPort, timeoutMs: number): WalletPort {
  return Number.isFinite(timeoutMs) ? bounded(wallet, timeoutMs, 'wallet.', NOTHING_UNBOUNDED) : wallet;
}

/** A store whose calls (and whose wallet's) fail with {@link StorageTimeoutError} past `timeoutMs`. */
export function boundedStore(store: ClickStore, timeoutMs: number): ClickStore {
  if (!Number.isFinite(timeoutMs)) return store;
  return bounded(store, timeoutMs, '', STORE_UNBOUNDED, {
    wallet: boundedWallet(store.wallet, timeoutMs),
    // The admin queries and the worker leases are store calls like any other.
    ...(store.admin ? { admin: bounded(store.admin, timeoutMs, 'admin.', NOTHING_UNBOUNDED) } : {}),
    ...(store.leases ? { leases: bounded(store.leases, timeoutMs, 'leases.', NOTHING_UNBOUNDED) } : {}),
    ...(store.events ? { events: bounded(store.events, timeoutMs, 'events.', NOTHING_UNBOUNDED) } : {}),

  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
