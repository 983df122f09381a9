/**
 * The one place where store failures become a 503: anything a store throws that is not one of
 * our typed errors (connection refused, timeout, failover...) means "retry later". Because every
 * store step is atomic, a failed step has changed nothing, so the retry is safe.
 * @module
 */
import { UnavailableError, isClickCreditError } from './errors.js';
import type { ResolvedOptions } from './options.js';

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

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
