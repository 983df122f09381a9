/**
 * The admin side of the storage port: cross-user queries for operators, the balance-checked
 * manual adjustment, and the lease that keeps the workers of several app instances apart.
 * Every store implements {@link AdminStore} and {@link LeaseStore} with indexes of its own (see
 * each adapter's docs); the conformance suite's admin themes hold them to this page.
 * @module
 */
import type {
  ApprovalStatus,
  ClickRecord,
  ClickStatus,
  EarningRecord,
  EarningStatus,
  LedgerEntry,
  PostbackAttempt,
  PostbackDecisionCode,
  WalletOperation,
} from '../records.js';
import type { StoredEvent } from '../events/types.js';


/**
 * A position in a newest-first list: the time of the last item seen and its id (ties on the
 * time are broken by id, descending). Lists answer the items strictly after it.
 */
export interface ListPosition {
  at: Date;
  id: string;
}

/** A time range: `from` inclusive, `to` exclusive; either may be absent. */
export interface TimeRange {
  from?: Date;
  to?: Date;
}

/** Filters of the postback attempt list (every field optional; all given ones must match). */
export interface AttemptFilter extends TimeRange {
  decision?: PostbackDecisionCode;
  /** The network of the attempt's click (`ClickRecord.network`). */
  network?: string;
  /** The owner of the attempt's click. Attempts without a known click have no user. */
  userId?: string;
  clickId?: string;
  conversionId?: string;
  sourceIp?: string;
}

/** Filters of the earnings list. `approvalStatus: 'pending'` with `status: 'completed'` is the hold queue. */
export interface EarningFilter extends TimeRange {
  approvalStatus?: ApprovalStatus;
  status?: EarningStatus;
  userId?: string;
  /** The network of the earning's click (`ClickRecord.network`). */
  network?: string;
  productId?: string;
}

/** Filters of the click list (time range on `createdAt`). */
export interface ClickFilter extends TimeRange {
  userId?: string;
  productId?: string;
  status?: ClickStatus;
}

/** A page request of an admin list: `limit` items after `after` (newest first). */
export interface AdminListQuery<F> {
  filter: F;
  limit: number;
  after: ListPosition | null;
}

/** A ledger entry with the balance of its wallet right after it. */
export interface StatementEntry extends LedgerEntry {
  balanceAfterMinor: bigint;
}

/**
 * A page of a user's ledger, newest first. `after` is the store's position of the last entry
 * of the previous page (`entryPosition` of that entry); `null` starts at the newest.
 */
export interface StatementQuery {
  userId: string;
  limit: number;
  after: string | null;
}

/** What {@link AdminStore.ledgerPage} answers: one consistent read of entries and balance. */
export interface StatementPage {
  /** Entries newest first, each with its store position (for the next page's `after`). */
  entries: Array<LedgerEntry & { position: string }>;
  /** The cached balance read in the same snapshot as the entries. */
  balanceMinor: bigint;
}

/**
 * A manual adjustment for {@link AdminStore.adjustWallet}: a `manual_credit` (positive) or
 * `manual_debit` (negative) operation with its idempotency key.
 */
export interface AdjustmentCommand {
  op: WalletOperation;
  /** When false, a debit that would leave the balance below zero is refused (nothing written). */
  allowOverdraft: boolean;
  /**
   * Id of the `wallet.adjusted` event an `applied` adjustment records in the same step
   * (`adjustmentEventId(op.key)`); absent: no event (events turned off).
   */
  eventId?: string;
}

/** What {@link AdminStore.adjustWallet} did. */
export interface AdjustmentOutcome {
  /** `applied`: the entry was written now; `duplicate`: the key was already applied; `insufficient`: refused. */
  decision: 'applied' | 'duplicate' | 'insufficient';
  /** Balance after the step (the unchanged balance for `duplicate` and `insufficient`). */
  balanceMinor: bigint;
  /** The event recorded with an `applied` adjustment (`null`/absent: none). */
  event?: StoredEvent | null;
}

/** A statistics request: `[from, to)` in `bucket` steps (UTC), optionally one network or product. */
export interface StatsQuery {
  from: Date;
  to: Date;
  bucket: 'hour' | 'day';
  network?: string;
  productId?: string;
}

/** One statistics row: the counts of one bucket for one (network, product). */
export interface StatsRow {
  /** Start of the bucket (UTC hour or day). */
  bucketStart: Date;
  /** `ClickRecord.network` of the clicks counted (`null`: clicks the tracker issued itself). */
  network: string | null;
  /** `null` for refused attempts whose click was never known. */
  productId: string | null;
  /** Clicks created in the bucket. */
  clicks: number;
  /** Earnings created in the bucket. */
  conversions: number;
  /** Sum of earnings credited in the bucket (`creditedAt`), minor units. */
  creditedMinor: bigint;
  /** Sum of credited earnings cancelled (reversed or rejected) in the bucket (`cancelledAt`), minor units. */
  reversedMinor: bigint;
  /** Postback attempts decided `held` in the bucket. */
  held: number;
  /** Refused postback attempts in the bucket, by decision code (see {@link REFUSED_DECISIONS}). */
  refused: Partial<Record<PostbackDecisionCode, number>>;
}

/** Decision codes that count as refused attempts in the statistics. */
export const REFUSED_DECISIONS: readonly PostbackDecisionCode[] = [
  'unknown_click', 'expired', 'conflict', 'offer_mismatch', 'too_soon', 'too_late', 'invalid_input', 'invalid_amount', 'forbidden',
];

/**
 * Cross-user queries and balance-checked adjustments. Lists are newest first, `limit` items
 * strictly after `after`, by (`receivedAt`|`createdAt` desc, id desc). Time ranges are
 * `[from, to)`. Reads are plain reads; only {@link adjustWallet} writes.
 */
export interface AdminStore {
  /** Postback attempts, refused ones included (also those without a click id). */
  listAttempts(query: AdminListQuery<AttemptFilter>): Promise<PostbackAttempt[]>;
  listEarnings(query: AdminListQuery<EarningFilter>): Promise<EarningRecord[]>;
  /** Every attempt that touched the earning (by earning id, or by its click and conversion id), oldest first. */
  attemptsOfEarning(earning: EarningRecord): Promise<PostbackAttempt[]>;
  listClicks(query: AdminListQuery<ClickFilter>): Promise<ClickRecord[]>;
  /** A page of a user's ledger with the cached balance, read together (one snapshot). */
  ledgerPage(query: StatementQuery): Promise<StatementPage>;
  /**
   * Applies a manual adjustment atomically with its balance check. Order inside the step: an
   * already applied key answers `duplicate` (a key reused for another user or amount is a
   * `ConflictError`), then a debit the balance does not cover answers `insufficient` unless
   * `allowOverdraft`, then the entry and the cached balance are written. Concurrency: debits of
   * one wallet are serialised by the store (row lock, single-threaded script, transaction), so
   * the one that would overdraw sees the balance the other left and is refused; no interleaving
   * can take the balance below zero. Of concurrent calls with one key, exactly one applies.
   */
  adjustWallet(command: AdjustmentCommand): Promise<AdjustmentOutcome>;
  /**
   * Statistics rows of `[from, to)`, one per (bucket, network, product) with any activity. The
   * cost depends on the rows inside the window (time indexes), never on the rest of history.
   */
  stats(query: StatsQuery): Promise<StatsRow[]>;
}

/**
 * Leases: a named, expiring claim so that of several app instances only one runs a job's batch.
 * Atomic in each store: of concurrent `acquire` calls on a free (or expired) lease exactly one
 * wins; the holder may renew its own lease; nobody else can take it before `ttlMs` has passed.
 */
export interface LeaseStore {
  /** True when `owner` now holds `name` until `now + ttlMs` (taken or renewed). */
  acquire(name: string, owner: string, ttlMs: number, now: Date): Promise<boolean>;
  /** Gives the lease up if `owner` holds it (nothing otherwise). */
  release(name: string, owner: string): Promise<void>;
}
