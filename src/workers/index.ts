/**
 * Background workers of a tracker; see {@link startWorkers}.
 * @module
 */
export { WorkerJobs, type BatchResult, type WorkerJob, type WorkerJobOptions, type WorkersHandle, type WorkersOptions } from './workers.js';
