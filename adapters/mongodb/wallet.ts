/**
 * The ledger wallet: append-only entries, unique by idempotency key, and a cached balance per
 * user that always equals the sum of the user's entries once each write has returned.
 *
 * - **With transactions**: the entry insert and the balance `$inc` are one transaction.
 * - **Standalone**: the entry insert is the guard (the unique key index lets exactly one
 *   caller insert it), written `folded: false`. The entry is then *folded* into the balance: a
 *   compare-and-set on the wallet document's `seq` adds the sum of the user's unfolded entries
 *   and records their keys as `lastBatch` in the same single-document write; those entries are
 *   flagged `folded` afterwards, and any folder first finishes flagging the previous
 *   `lastBatch`. So an entry is counted exactly once, and a crash at any point leaves either an
 *   unfolded entry (the next write or balance read of that user, or `retryPendingCredits()`,
 *   folds it) or a `lastBatch` still to flag (the next fold flags it before anything else).
 * @module
 */
import { ConflictError, type WalletApplyResult, type WalletOperation, type WalletPort } from 'clickcredit';
import type { ClientSession } from 'mongodb';
import type { StoreCollections } from './collections.js';
import { ledgerToDocument, type LedgerDocument, type WalletDocument } from './documents.js';
import { LostRace, backoffMs, isDuplicateKey, sleep } from './errors.js';
import { insertEventOnce, type EventDocument } from './events.js';
import { asId, asLimit } from './guards.js';
import { fromLong, toLong } from './int64.js';

/** Runs work in a transaction (retrying lost races); supplied by the store. */
export type TransactionRunner = <T>(work: (session: ClientSession) => Promise<T>) => Promise<T>;

/** Most unfolded entries one fold adds up. */
export const FOLD_BATCH = 500;
const MAX_FOLD_ROUNDS = 200;

/** The transactional ledger wallet. Concurrent callers serialise on the wallet document (write conflicts are retried). */
export function transactionalWallet(c: StoreCollections, run: TransactionRunner): WalletPort {
  return {
    apply: (op) => run((session) => postInTransaction(c, op, session)),
    getBalance: (userId) => storedBalance(c, userId),
  };
}

/**
 * Writes one entry and moves the cached balance, inside the caller's transaction. An existing
 * key is a duplicate (same user and amount) or a {@link ConflictError} (anything else).
 */
export async function postInTransaction(c: StoreCollections, op: WalletOperation, session: ClientSession): Promise<WalletApplyResult & { balanceMinor: bigint }> {
  const userId = asId(op.userId, 'userId');
  const existing = await c.ledger.findOne({ key: asId(op.key, 'key') }, { session });
  if (existing) {
    assertSameOperation(existing, op);
    return { duplicate: true, balanceMinor: await storedBalance(c, userId, session) };
  }
  await c.ledger.insertOne(ledgerToDocument(op, true), { session });
  const wallet = await c.wallets.findOneAndUpdate(
    { _id: userId },
    { $inc: { balance: toLong(op.amountMinor) } },
    { upsert: true, returnDocument: 'after', includeResultMetadata: false, session },
  );
  return { duplicate: false, balanceMinor: wallet ? fromLong(wallet.balance) : op.amountMinor };
}

/**
 * The standalone ledger wallet. Exactly one of concurrent callers with one key inserts the
 * entry (unique index); the balance counts it exactly once (see the module comment).
 */
export function standaloneWallet(c: StoreCollections): WalletPort {
  return {
    apply: (op) => applyStandalone(c, op, null),
    async getBalance(userId) {
      const user = asId(userId, 'userId');
      const wallet = await c.wallets.findOne({ _id: user });
      const unfolded = await c.ledger.findOne({ userId: user, folded: false }, { projection: { _id: 1 } });
      return unfolded ? foldWallet(c, user) : balanceOf(wallet);
    },
  };
}

/**
 * The standalone wallet's write: the entry insert (with `event`, the adjustment's event, in the
 * same single-document insert), then the fold. `duplicate` when the key was there already.
 */
export async function applyStandalone(c: StoreCollections, op: WalletOperation, event: EventDocument | null): Promise<WalletApplyResult & { balanceMinor: bigint }> {
  let duplicate = false;
  try {
    await c.ledger.insertOne(event ? { ...ledgerToDocument(op, false), event } : ledgerToDocument(op, false));
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    const existing = await c.ledger.findOne({ key: asId(op.key, 'key') });
    if (!existing) throw error;
    assertSameOperation(existing, op);
    duplicate = true; // still fold: the first caller may have crashed before folding
  }
  return { duplicate, balanceMinor: await foldWallet(c, op.userId, op.key) };
}

/**
 * Folds a user's unfolded entries into the cached balance; returns the balance. With `ownKey`,
 * returns once that entry is folded (by this call or another).
 */
export async function foldWallet(c: StoreCollections, userId: string, ownKey?: string): Promise<bigint> {
  const user = asId(userId, 'userId');
  let balance = 0n;
  for (let round = 1; round <= MAX_FOLD_ROUNDS; round += 1) {
    const wallet = await c.wallets.findOne({ _id: user });
    balance = balanceOf(wallet);
    // The previous fold's entries are flagged before the unfolded ones are read, so no entry
    // already in the balance is ever read as unfolded.
    if (wallet?.lastBatch?.length) {
      await c.ledger.updateMany({ key: { $in: wallet.lastBatch }, folded: false }, { $set: { folded: true }, $unset: { event: '' } });
    }
    const unfolded = await c.ledger
      .find({ userId: user, folded: false }, { projection: { key: 1, amount: 1, event: 1 } })
      .sort({ _id: 1 })
      .limit(FOLD_BATCH)
      .toArray();
    if (unfolded.length === 0) return balance;
    const keys = unfolded.map((entry) => entry.key);
    const complete = unfolded.length < FOLD_BATCH;
    if (ownKey !== undefined && complete && !keys.includes(ownKey)) {
      return balanceOf(await c.wallets.findOne({ _id: user })); // someone else folded ours
    }
    const sum = unfolded.reduce((total, entry) => total + fromLong(entry.amount), 0n);
    // Events before the fold's claim: once an entry can be flagged folded, its event is recorded.
    for (const entry of unfolded) if (entry.event) await insertEventOnce(c, entry.event);
    try {
      await claimFold(c, user, wallet, sum, keys);
    } catch (error) {
      if (!(error instanceof LostRace)) throw error;
      await sleep(backoffMs(round));
      continue;
    }
    await c.ledger.updateMany({ key: { $in: keys } }, { $set: { folded: true }, $unset: { event: '' } });
    balance += sum;
    if (complete || ownKey === undefined || keys.includes(ownKey)) return balance;
  }
  if (ownKey !== undefined) throw new Error('clickcredit/mongodb: wallet too busy to fold the entry; it stays recorded and is folded by the next write or read');
  return balance;
}

/** Folds every wallet that has unfolded entries (crash recovery); returns how many wallets. */
export async function foldStaleWallets(c: StoreCollections, limit: number): Promise<number> {
  const entries = await c.ledger.find({ folded: false }, { projection: { userId: 1 } }).limit(asLimit(limit)).toArray();
  const users = [...new Set(entries.map((entry) => entry.userId))];
  for (const user of users) await foldWallet(c, user);
  return users.length;
}

/** The cached balance as stored (`0n` without a wallet document). */
export async function storedBalance(c: StoreCollections, userId: string, session?: ClientSession): Promise<bigint> {
  return balanceOf(await c.wallets.findOne({ _id: asId(userId, 'userId') }, { projection: { balance: 1 }, session }));
}

/** The single-document compare-and-set that moves the balance by a batch: exactly one folder per `seq` wins. */
async function claimFold(c: StoreCollections, user: string, wallet: WalletDocument | null, sum: bigint, keys: string[]): Promise<void> {
  if (wallet === null) {
    try {
      await c.wallets.insertOne({ _id: user, balance: toLong(sum), seq: 1, lastBatch: keys });
      return;
    } catch (error) {
      if (isDuplicateKey(error)) throw new LostRace('wallet'); // created meanwhile by another folder
      throw error;
    }
  }
  // `seq: null` also matches a wallet without the field (one the transactional path wrote).
  const result = await c.wallets.updateOne(
    { _id: user, seq: wallet.seq ?? null },
    { $inc: { balance: toLong(sum) }, $set: { seq: (wallet.seq ?? 0) + 1, lastBatch: keys } },
  );
  if (result.matchedCount === 0) throw new LostRace('wallet');
}

function balanceOf(wallet: Pick<WalletDocument, 'balance'> | null): bigint {
  return wallet ? fromLong(wallet.balance) : 0n;
}

function assertSameOperation(existing: LedgerDocument, op: WalletOperation): void {
  if (existing.userId !== op.userId || fromLong(existing.amount) !== op.amountMinor) {
    throw new ConflictError('Idempotency key already used for a different wallet operation');
  }
}
