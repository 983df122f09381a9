/**
 * Server errors the adapter handles by meaning, recognised by code (not by class, so two copies
 * of the driver in one process change nothing).
 * @module
 */

/** MongoDB's duplicate key error code (a unique index refused a write). */
export const DUPLICATE_KEY = 11000;

/** Whether `error` is a duplicate key error (from a single write or a bulk write). */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === DUPLICATE_KEY;
}

/** A compare-and-set found the document moved on: someone else's step won; read again and redo. */
export class LostRace extends Error {
  constructor(what: string) {
    super(`clickcredit/mongodb: lost a race on ${what}`);
    this.name = 'LostRace';
  }
}

/** A click carries an unfinished standalone step: finish it, then read again. */
export class PendingJournal extends Error {
  constructor(readonly clickId: string) {
    super('clickcredit/mongodb: click has an unfinished step');
    this.name = 'PendingJournal';
  }
}

/**
 * How long to wait before retry `attempt` (1-based) after a lost race: a little random jitter
 * growing with the attempt, so a crowd of losers does not retry in lock step.
 */
export function backoffMs(attempt: number): number {
  return Math.floor(Math.random() * Math.min(50, 2 * attempt));
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
