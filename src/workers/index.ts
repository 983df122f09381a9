/**
 * Background workers of a tracker: `startWorkers(tracker, options)` (or `tracker.startWorkers(options)`).
 * @module
 */
import type { ClickTracker } from '../tracker.js';
import type { WorkersHandle, WorkersOptions } from './workers.js';

// WorkerJobs/WorkerJob are internal (they take the resolved options).
export { type BatchResult, type WorkerJobOptions, type WorkersHandle, type WorkersOptions } from './workers.js';

/**
 * Starts the tracker's background jobs (expire clicks, retry owed credits) with intervals,
 * jitter and a store lease per batch; `stop()` on the handle finishes the batches in hand.
 * The same as `tracker.startWorkers(options)`.
 */
export function startWorkers(tracker: Pick<ClickTracker, 'startWorkers'>, options: WorkersOptions): WorkersHandle {
  return tracker.startWorkers(options);
}
