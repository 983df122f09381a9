/**
 * The outbox, core side: wallet operations a store recorded as owed are applied through the
 * wallet port (idempotent by key) and then settled. A crash between the two leaves the
 * operation owed; `retryPendingCredits()` applies it again, and the key makes that harmless.
 * @module
 */
import type { ResolvedOptions } from './options.js';
import type { WalletOperation } from './records.js';

/** Applies and settles owed operations in order; stops at the first failure (the rest stay owed). */
export async function settleOwed(options: ResolvedOptions, owed: readonly WalletOperation[]): Promise<number> {
  let settled = 0;
  for (const op of owed) {
    try {
      await options.wallet.apply(op);
      await options.storage.settleOwedOperation(op.key, options.clock.now());
      settled += 1;
    } catch (error) {
      options.logger.warn('wallet operation left owed; retryPendingCredits() will finish it', {
        key: op.key,
        error: error instanceof Error ? error.message : String(error),
      });
      break;
    }
  }
  return settled;
}
