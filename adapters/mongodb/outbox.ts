/**
 * The outbox: wallet operations owed by an earning are embedded in the earning document, so
 * they are recorded in the same single-document write (or transaction) as the earning itself.
 * @module
 */
import type { WalletOperation } from 'clickcredit';
import type { StoreCollections } from './collections.js';
import { owedFromDocument } from './documents.js';
import { asDate, asId, asLimit } from './guards.js';
import { finishStaleJournals } from './journal.js';
import { foldStaleWallets } from './wallet.js';

/**
 * `ClickStore.recoverOwed`: finishes what a crash interrupted on the standalone path, click
 * journals (whose earning and owed operations may not be written yet) and ledger entries not yet
 * folded into a balance, so {@link listOwedOperations} then lists what they owe. Both are
 * idempotent and safe next to live traffic. Returns how many journals and wallets it finished.
 */
export async function recoverOwed(c: StoreCollections, limit: number): Promise<number> {
  const max = asLimit(limit);
  return (await finishStaleJournals(c, max)) + (await foldStaleWallets(c, max));
}

/** Unsettled owed operations, oldest first. Reads only (recovery is {@link recoverOwed}). */
export async function listOwedOperations(c: StoreCollections, limit: number): Promise<WalletOperation[]> {
  const max = asLimit(limit);
  const owing = await c.earnings.find({ owing: true }, { projection: { owed: 1 } }).sort({ updatedAt: 1 }).limit(max).toArray();
  return owing
    .flatMap((earning) => earning.owed.filter((op) => op.settledAt === null).map(owedFromDocument))
    .map(({ settledAt: _settled, ...op }) => op)
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
    .slice(0, max);
}

/**
 * Marks an owed operation settled (idempotent: an operation already settled keeps its first
 * time). One update pipeline sets the operation's `settledAt` and recomputes the earning's
 * `owing` flag in the same single-document write, so the flag never disagrees with the list.
 * Values enter the pipeline through `$literal`, so no string can be read as a field path.
 */
export async function settleOwedOperation(c: StoreCollections, key: string, at: Date): Promise<void> {
  const owedKey = asId(key, 'key');
  const settledAt = asDate(at, 'settledAt');
  // Located first so the update names its document by _id and shard key: before MongoDB 7.1 an
  // updateOne on a sharded collection must.
  const earning = await c.earnings.findOne({ 'owed.key': owedKey }, { projection: { _id: 1, clickId: 1 } });
  if (!earning) return;
  const isThisUnsettled = { $and: [{ $eq: ['$$op.key', { $literal: owedKey }] }, { $eq: ['$$op.settledAt', null] }] };
  await c.earnings.updateOne({ _id: asId(earning._id, 'earningId'), clickId: asId(earning.clickId, 'clickId') }, [
    {
      $set: {
        owed: {
          $map: { input: '$owed', as: 'op', in: { $cond: [isThisUnsettled, { $mergeObjects: ['$$op', { settledAt: { $literal: settledAt } }] }, '$$op'] } },
        },
      },
    },
    { $set: { owing: { $anyElementTrue: [{ $map: { input: '$owed', as: 'op', in: { $eq: ['$$op.settledAt', null] } } }] } } },
  ]);
}
