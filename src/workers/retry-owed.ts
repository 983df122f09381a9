/**
 * The retry job's batch: owed wallet operations, oldest first, each applied and settled on its
 * own so one failing wallet call does not hold up the rest (they stay owed for the next batch).
 * @module
 */
import type { ResolvedOptions } from '../options.js';
import { settleOwed } from '../owed.js';
import { guardStorage } from '../storage-guard.js';
import type { BatchResult } from './workers.js';

/** Applies at most `batchSize` owed operations; `remaining` counts what was left owed in the batch read. */
export async function retryOwed(o: ResolvedOptions, batchSize: number): Promise<BatchResult> {
  const { recoverOwed } = o.storage;
  if (recoverOwed) await guardStorage(o, 'recoverOwed', () => recoverOwed.call(o.storage, batchSize));
  const owed = await guardStorage(o, 'listOwedOperations', () => o.storage.listOwedOperations(batchSize));
  let count = 0;
  for (const op of owed) count += await settleOwed(o, [op]);
  return { count, remaining: owed.length - count };
}
