/**
 * Records ⇄ MongoDB documents. Pure mapping, no I/O:
 * - money is BSON int64 (`Long` on the way in; read back as `bigint` with `useBigInt64`);
 * - times are BSON dates;
 * - the advertiser's raw postback data is stored as JSON text, never as a sub-document: its
 *   field names come from the outside world and may start with `$`, contain `.` or a NUL, which
 *   BSON refuses (NUL) or MongoDB updates treat specially (`$`, `.`). Text keeps them exactly.
 * @module
 */
import { ObjectId, type Long } from 'mongodb';
import type { ClickRecord, EarningRecord, LedgerEntry, PostbackAttempt, WalletOperation } from 'clickcredit';
import type { EventDocument } from './events.js';
import { fromLong, toLong } from './int64.js';

/** An int64 as written (`Long`) or as read back (`bigint`). */
export type StoredInt64 = Long | bigint;

/** A wallet operation owed to the wallet, embedded in its earning (the outbox). */
export interface OwedDocument extends Omit<WalletOperation, 'amountMinor'> {
  amount: StoredInt64;
  /** When the wallet confirmed it; `null` while owed. */
  settledAt: Date | null;
}

/** The earning fields a journal or a transaction sets on an existing earning. */
export type EarningFields = Omit<EarningDocument, '_id' | 'version' | 'owed' | 'owing'>;

/** A change to an existing earning: compare-and-set on its version, owed operations appended. */
export interface EarningUpdate {
  earningId: string;
  expectedVersion: number;
  set: EarningFields;
  push: OwedDocument[];
}

/**
 * The standalone path's write-ahead record, stored on the click in the same single-document
 * write that claims the click. It holds every other write of the step, so whoever finds it
 * (the next postback of the click, an approval, `retryPendingCredits()`) can finish the step.
 */
export interface JournalDocument {
  /** The attempt (postback) or a random id (approval) that wrote it. */
  id: string;
  at: Date;
  insert: EarningDocument | null;
  update: EarningUpdate | null;
  attempt: AttemptDocument | null;
  /** The step's event, inserted into the outbox if absent (absent or null: the step records none). */
  event?: EventDocument | null;
}

/** A click: the record plus its compare-and-set `version` and, briefly, a journal. */
export type ClickDocument = Omit<ClickRecord, 'clickId' | 'earnUpToMinor' | 'holdAboveMinor' | 'network' | 'networkTransactionId' | 'goals'> & {
  _id: string;
  earnUpTo: StoredInt64;
  holdAbove: StoredInt64 | null;
  /** User-keyed clicks only (absent on clicks stored before these fields existed). */
  network?: string | null;
  networkTransactionId?: string | null;
  /** The goals snapshot (absent or null: one conversion per click). */
  goals?: true | string[] | null;
  /** Moved by every state change of the click or its earning: the serialisation point. */
  version: number;
  journal?: JournalDocument;
};

/** An earning, with its version and its outbox (owed wallet operations) embedded. */
export type EarningDocument = Omit<EarningRecord, 'earningId' | 'amountMinor' | 'commissionMinor' | 'postbackData'> & {
  _id: string;
  amount: StoredInt64;
  commission: StoredInt64;
  /** JSON text of the last postback's raw data. */
  postbackData: string | null;
  version: number;
  owed: OwedDocument[];
  /** True while any owed operation is unsettled (indexed, so the retry finds them cheaply). */
  owing: boolean;
};

/** A ledger entry. `folded` says whether the wallet's cached balance already includes it. */
export interface LedgerDocument extends Omit<LedgerEntry, 'entryId' | 'amountMinor'> {
  _id?: ObjectId;
  amount: StoredInt64;
  folded: boolean;
  /**
   * Standalone path: the event of an adjustment, written in the entry's own insert and moved to
   * the outbox before the entry is folded (then removed), so it is recorded exactly once.
   */
  event?: EventDocument;
}

/** A wallet's cached balance; `seq` and `lastBatch` serve the standalone path's folding. */
export interface WalletDocument {
  _id: string;
  balance: StoredInt64;
  seq?: number | null;
  lastBatch?: string[];
}

/**
 * A postback attempt (audit row); raw data as JSON text. `order` is an ObjectId taken when the
 * row is made: attempts of one click often share a `receivedAt` to the millisecond, and the
 * ObjectId's timestamp-then-counter layout keeps them in the order they were made.
 */
export type AttemptDocument = Omit<PostbackAttempt, 'attemptId' | 'rawData'> & { _id: string; rawData: string; order: ObjectId };

/**
 * A day counter of the risk daily caps (src/risk.ts): the conversions auto-credited that UTC day
 * for one user or one IP. `_id` is `<scope>:<YYYY-MM-DD>:<subject>`; a TTL index removes it once
 * `expiresAt` (a day after its day ends) has passed.
 */
export interface RiskCounterDocument {
  _id: string;
  count: number;
  amount: StoredInt64;
  expiresAt: Date;
  /** Standalone path: reservations in flight (attempt id, amount reserved), already in count and amount. */
  reservations?: Array<{ id: string; amount: StoredInt64 }>;
}

/**
 * The unique claim of a user-keyed click's (network, transaction id): `_id` is the pair as JSON
 * text (`["<network>","<transaction id>"]`, unambiguous whatever the two contain), unique
 * cluster-wide even when the collection is sharded by `_id`, unlike a secondary unique index on
 * hashed-sharded clicks.
 */
export interface NetworkTransactionDocument {
  _id: string;
  clickId: string;
}

/** The `_id` of a (network, transaction id) claim. */
export function networkTransactionKey(network: string, transactionId: string): string {
  return JSON.stringify([network, transactionId]);
}

/** The claim a click makes, or null for a click of our own (no network). */
export function networkTransactionOf(click: Pick<ClickRecord, 'clickId' | 'network' | 'networkTransactionId'>): NetworkTransactionDocument | null {
  if (click.network === null || click.networkTransactionId === null) return null;
  return { _id: networkTransactionKey(click.network, click.networkTransactionId), clickId: click.clickId };
}

/** The fields a conversion may change on a click (never the visit counters, which move on their own). */
export const CLICK_STATE_FIELDS = ['status', 'conversionId', 'postbackReceived', 'postbackReceivedAt', 'updatedAt'] as const;

/** Raw postback data → JSON text (bigints as strings, should a host put one there). */
export function encodeRawData(data: Record<string, unknown>): string {
  return JSON.stringify(data, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
}

/** JSON text → raw postback data; text that is not a JSON object is kept under `unreadable`. */
export function decodeRawData(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through: stored by something else than this adapter
  }
  return { unreadable: text };
}

/** A click record → its document at `version`. */
export function clickToDocument(c: ClickRecord, version: number): ClickDocument {
  const { clickId, earnUpToMinor, holdAboveMinor, goals, ...rest } = c;
  return {
    ...rest,
    _id: clickId,
    earnUpTo: toLong(earnUpToMinor),
    holdAbove: holdAboveMinor === null ? null : toLong(holdAboveMinor),
    goals: goals === null || goals === true ? goals : [...goals],
    version,
  };
}

/** A click document → its record (version and journal dropped; clicks stored before the network and goals fields read as `null`). */
export function clickFromDocument(d: ClickDocument): ClickRecord {
  const { _id, earnUpTo, holdAbove, version: _version, journal: _journal, network, networkTransactionId, goals, ...rest } = d;
  return {
    ...rest,
    clickId: _id,
    earnUpToMinor: fromLong(earnUpTo),
    holdAboveMinor: holdAbove === null ? null : fromLong(holdAbove),
    network: network ?? null,
    networkTransactionId: networkTransactionId ?? null,
    goals: goals === true ? true : Array.isArray(goals) && goals.length > 0 ? [...goals] : null,
  };
}

/** The fields of a click a conversion changed, for `$set` (see {@link CLICK_STATE_FIELDS}). */
export function clickStateFields(c: ClickRecord): Partial<ClickDocument> {
  const fields: Partial<ClickDocument> = {};
  for (const name of CLICK_STATE_FIELDS) (fields as Record<string, unknown>)[name] = c[name];
  return fields;
}

/** An earning record → its document fields (no version, no outbox). */
export function earningFields(e: EarningRecord): EarningFields & { _id: string } {
  const { earningId, amountMinor, commissionMinor, postbackData, ...rest } = e;
  return {
    ...rest,
    _id: earningId,
    amount: toLong(amountMinor),
    commission: toLong(commissionMinor),
    postbackData: postbackData === null ? null : encodeRawData(postbackData),
  };
}

/** A new earning document at version 1 with its owed operations. */
export function earningToDocument(e: EarningRecord, owed: OwedDocument[]): EarningDocument {
  return { ...earningFields(e), version: 1, owed, owing: owed.length > 0 };
}

/** An earning document → its record (version and outbox dropped). */
export function earningFromDocument(d: EarningDocument): EarningRecord {
  const { _id, amount, commission, postbackData, version: _version, owed: _owed, owing: _owing, ...rest } = d;
  return {
    ...rest,
    earningId: _id,
    amountMinor: fromLong(amount),
    commissionMinor: fromLong(commission),
    postbackData: postbackData === null ? null : decodeRawData(postbackData),
  };
}

/** A wallet operation → an owed (unsettled) outbox entry. */
export function owedToDocument(op: WalletOperation): OwedDocument {
  const { amountMinor, ...rest } = op;
  return { ...rest, amount: toLong(amountMinor), settledAt: null };
}

/** An outbox entry → its wallet operation and when it was settled. */
export function owedFromDocument(d: OwedDocument): WalletOperation & { settledAt: Date | null } {
  const { amount, ...rest } = d;
  return { ...rest, amountMinor: fromLong(amount) };
}

/** A wallet operation → a ledger entry document. */
export function ledgerToDocument(op: WalletOperation, folded: boolean): LedgerDocument {
  const { amountMinor, ...rest } = op;
  return { ...rest, amount: toLong(amountMinor), folded };
}

/** A ledger entry document → the core's entry (its ObjectId as `entryId`). */
export function ledgerFromDocument(d: LedgerDocument): LedgerEntry {
  const { _id, amount, folded: _folded, event: _event, ...rest } = d;
  return { ...rest, entryId: String(_id), amountMinor: fromLong(amount) };
}

/** An attempt record → its document, ordered after every attempt made before it in this process. */
export function attemptToDocument(a: PostbackAttempt): AttemptDocument {
  const { attemptId, rawData, rule, ...rest } = a;
  return { ...rest, _id: attemptId, rawData: encodeRawData(rawData), order: new ObjectId(), rule: rule ?? null };
}

/** An attempt document → its record (`rule` null when absent). */
export function attemptFromDocument(d: AttemptDocument): PostbackAttempt {
  const { _id, rawData, order: _order, rule, ...rest } = d;
  return { ...rest, attemptId: _id, rawData: decodeRawData(rawData), rule: rule ?? null };
}
