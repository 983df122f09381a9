/**
 * Ports: what the core needs from the outside world. Storage adapters implement
 * {@link ClickStore}; hosts may supply a {@link WalletPort}, a {@link ProductCatalog}, a
 * {@link ReferralResolver}, a {@link Clock}, an {@link IdGenerator} and a {@link Logger}.
 * @module
 */
import type {
  ApprovalStatus,
  ClickRecord,
  EarningRecord,
  LedgerEntry,
  PostbackAction,
  PostbackAttempt,
  PostbackDecisionCode,
  WalletOperation,
} from './records.js';

/**
 * Where a conversion's wallet movements go:
 * - `inline`: the store writes the ledger entries and the cached balance in the same atomic step
 *   as the earning (its own ledger wallet, when the store can do both at once);
 * - `outbox`: the store records the movements as owed operations in the same atomic step and
 *   returns them; the core then applies them through the wallet port and settles them.
 *   `retryPendingCredits()` finishes any that a crash interrupted.
 */
export type LedgerMode = 'inline' | 'outbox';

/** One postback, validated and normalised by the core, for the store to apply atomically. */
export interface ConversionCommand {
  /** Id of the audit row the store writes for this attempt. */
  attemptId: string;
  clickId: string;
  conversionId: string;
  action: PostbackAction;
  /** The normalised status word (`completed`, `approved`, `pending`, `rejected`, ...). */
  postbackStatus: string;
  /** Parsed amount; `null` means "the click's earnUpTo". Never negative. */
  amountMinor: bigint | null;
  /** The amount as received, for the audit row. */
  rawAmount: string | null;
  transactionId: string | null;
  offerId: string | null;
  now: Date;
  /** Id to give the earning if this command creates it. */
  newEarningId: string;
  ledger: LedgerMode;
  sourceIp: string | null;
  rawData: Record<string, unknown>;
}

/** Decisions a store can reach for a conversion (a subset of {@link PostbackDecisionCode}). */
export type ConversionDecision = Extract<
  PostbackDecisionCode,
  | 'credited'
  | 'held'
  | 'recorded_pending'
  | 'rejected'
  | 'reversed'
  | 'cancelled'
  | 'pre_reversed'
  | 'netted'
  | 'duplicate'
  | 'unknown_click'
  | 'expired'
  | 'conflict'
>;

/** What {@link ClickStore.applyConversion} did. */
export interface ConversionOutcome {
  decision: ConversionDecision;
  /** The earning after the step; `null` for `unknown_click`, `expired` and `conflict`. */
  earning: EarningRecord | null;
  /** Outbox mode only: the operations this step recorded as owed (empty otherwise). */
  owed: WalletOperation[];
}

/** A manual review decision on a held earning. */
export interface ApprovalCommand {
  earningId: string;
  approve: boolean;
  now: Date;
  ledger: LedgerMode;
}

/** What {@link ClickStore.decideApproval} did. */
export interface ApprovalOutcome {
  /** `applied`: the decision was taken now; `unchanged`: the same decision was already taken. */
  decision: 'applied' | 'unchanged' | 'not_found' | 'not_held';
  earning: EarningRecord | null;
  owed: WalletOperation[];
}

/** Keyset cursor of the earnings list (newest first). */
export interface EarningCursor {
  createdAt: Date;
  earningId: string;
}

/** Result of applying one wallet operation. */
export interface WalletApplyResult {
  /** True when the key had already been applied: nothing moved this time. */
  duplicate: boolean;
  /** Balance after the operation, when the wallet can tell. */
  balanceMinor?: bigint;
}

/**
 * A wallet: the storage adapter's own ledger, or the host's wallet service.
 * `apply` MUST be idempotent by `op.key`: the core may call it more than once for one key
 * (after a crash, or from `retryPendingCredits()` racing a live postback), and exactly one
 * application may move money. Reusing a key for a different user or amount is a
 * `ConflictError`.
 */
export interface WalletPort {
  apply(op: WalletOperation): Promise<WalletApplyResult>;
  /** Current balance in minor units (may be negative after a reversal). */
  getBalance(userId: string): Promise<bigint>;
}

/**
 * The storage port. Every state-changing method is one atomic step in the store: concurrent
 * calls never both see the same "before" state. Adapters never read-then-write from the client.
 *
 * ### applyConversion, the state machine (`E` = the earning of (clickId, conversionId))
 * 1. No click: `unknown_click`.
 * 2. E does not exist:
 *    - click bound to another conversion, or click `rejected`: `conflict`;
 *    - click `expired`, or `pending` with `now >= expiresAt`: `expired` (a pending click is
 *      marked `expired`);
 *    - otherwise E is created (id `newEarningId`), the click is bound to the conversion
 *      (`conversionId`, `postbackReceived`, `postbackReceivedAt`) and set to `converted`
 *      (`rejected` for a reject), and by action:
 *      `credit`: amount = min(amountMinor ?? earnUpTo, earnUpTo); held when
 *      `holdAboveMinor != null && amount > holdAboveMinor` or
 *      `holdWithinSeconds != null && now - clickedAt < holdWithinSeconds s`:
 *      then status `completed`, approval `pending`, no money moves, decision `held`;
 *      else status `completed`, approval `auto_approved`, `credited`, credit entries written
 *      (see below), decision `credited`.
 *      `pending`: status `pending`, approval `pending`, decision `recorded_pending`.
 *      `reject`: status `cancelled`, cancelReason `rejected`, approval `rejected`, decision `rejected`.
 *      `reverse`: status `cancelled`, cancelReason `reversed`, approval `rejected`, `reversedBeforeCredit`, decision `pre_reversed`.
 * 3. E exists (expiry no longer matters):
 *    - `credit` on `pending`: as a new credit above (hold or credit), amount re-evaluated from
 *      this postback when it carries one.
 *    - `credit` on `cancelled` with `reversedBeforeCredit`: the credit entries and their
 *      reversal entries are written together (net zero), `reversedBeforeCredit` cleared,
 *      `credited` set, decision `netted`.
 *    - `credit` on `cancelled` with cancelReason `rejected` and not `credited` (rejected before any
 *      credit): `conflict`; `credit` on any other `cancelled` earning: `duplicate`.
 *    - `reject`/`reverse` on `pending`, or on `completed` still held: status `cancelled`
 *      (cancelReason `rejected` or `reversed`), approval `rejected`, no money, decision
 *      `rejected`/`cancelled`; a reject also sets the click `rejected`.
 *    - `reject`/`reverse` on `completed` and `credited`: reversal entries written (debit of
 *      the amount to the user, referral debit of the commission to the referrer, each pointing
 *      at its credit), status `cancelled`, decision `reversed`; a reject also sets the click
 *      `rejected`.
 *    - anything else (same or older status again): nothing changes, decision `duplicate`.
 * Every call writes one {@link PostbackAttempt} with the decision, in the same step.
 *
 * Credit entries: `earning:<id>:credit` (+amount, user) and, when the click has a referrer and
 * `floor(amount * commissionPpm / 1e6) > 0`, `earning:<id>:referral_credit` (+commission,
 * referrer). Reversal entries: `earning:<id>:debit` and `earning:<id>:referral_debit`, negative,
 * `reversesKey` pointing at the credit. In `inline` mode they become ledger entries and the
 * cached balances move with them; in `outbox` mode they are recorded as owed and returned.
 *
 * Concurrency: for one click, exactly one of any number of concurrent commands creates an
 * earning; one earning per (clickId, conversionId) is also held by a unique constraint.
 */
export interface ClickStore {
  /** A short name for logs and benchmarks (`memory`, `postgres`, `redis`, ...). */
  readonly name: string;
  /** Whether `inline` ledger mode is available (the ledger lives in the same atomic domain). */
  readonly supportsInlineLedger: boolean;
  /** The store's own ledger wallet (append-only entries + cached balance). */
  readonly wallet: WalletPort;

  /** Inserts a new click. A duplicate `clickId` is a `ConflictError`. */
  insertClick(click: ClickRecord): Promise<void>;
  /** Counts a visit (first/last visit, count) atomically; `null` when the click is unknown. */
  recordVisit(clickId: string, at: Date): Promise<ClickRecord | null>;
  getClick(clickId: string): Promise<ClickRecord | null>;

  /** Applies one postback atomically; see the state machine above. */
  applyConversion(command: ConversionCommand): Promise<ConversionOutcome>;
  /** Writes the audit row of an attempt refused before it reached {@link applyConversion}. */
  recordPostbackAttempt(attempt: PostbackAttempt): Promise<void>;
  /** Audit rows of a click, oldest first. */
  listPostbackAttempts(clickId: string): Promise<PostbackAttempt[]>;

  getEarning(earningId: string): Promise<EarningRecord | null>;
  /** A user's earnings, newest first (createdAt desc, earningId desc), after the cursor. */
  listEarnings(query: { userId: string; limit: number; after: EarningCursor | null }): Promise<EarningRecord[]>;
  /**
   * Approves or rejects a held earning (`completed`, approval `pending`) atomically.
   * Approve: approval `manual_approved`, credit entries written/owed. Reject: approval
   * `rejected`, status `cancelled`, cancelReason `approval_rejected`. The same decision again
   * is `unchanged`; the other decision on a decided earning, or any decision on an earning that
   * is not held, is `not_held`. Exactly one of concurrent callers applies.
   */
  decideApproval(command: ApprovalCommand): Promise<ApprovalOutcome>;

  /** Marks at most `limit` `pending` clicks with `expiresAt <= now` as `expired`; returns how many. */
  expireClicks(now: Date, limit: number): Promise<number>;

  /** Owed (unsettled) outbox operations, oldest first. */
  listOwedOperations(limit: number): Promise<WalletOperation[]>;
  /** Marks an owed operation settled (idempotent). */
  settleOwedOperation(key: string, at: Date): Promise<void>;

  /** Releases what the adapter opened itself (never a client the host passed in). */
  close(): Promise<void>;
}

/**
 * Small read hooks an adapter gives the conformance suite, so outcomes are checked against the
 * stored data and not only against the adapter's own answers.
 */
export interface RawReads {
  /** Every ledger entry of a user, as stored. */
  ledgerEntries(userId: string): Promise<LedgerEntry[]>;
  /** The cached balance as stored (`0n` when the user has no wallet row). */
  cachedBalance(userId: string): Promise<bigint>;
  /** Every earning of a click, as stored. */
  earningsOfClick(clickId: string): Promise<EarningRecord[]>;
  /** Outbox operations (settled or not) of an earning. */
  outboxOfEarning(earningId: string): Promise<Array<WalletOperation & { settledAt: Date | null }>>;
}

/** A product as the catalog describes it. */
export interface Product {
  productId: string;
  /** Cap and default amount of an earning (decimal string or number). */
  earnUpTo: string | number;
  active: boolean;
  /** When given, task URLs must point at one of these hosts (or a subdomain of one). */
  allowedTaskHosts?: readonly string[];
}

/** Where products come from (the host's database, a config file...). */
export interface ProductCatalog {
  getProduct(productId: string): Promise<Product | null> | Product | null;
}

/** Who referred a user, if anyone. */
export interface ReferralResolver {
  referrerOf(userId: string): Promise<string | null> | string | null;
}

/** Source of "now"; tests and replays inject their own. */
export interface Clock {
  now(): Date;
}

/** Source of ids. Click ids must be UUID v4. */
export interface IdGenerator {
  uuid(): string;
}

/** Minimal structured logger (console, pino and winston fit with an adapter line). */
export interface Logger {
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

export type { ApprovalStatus };
