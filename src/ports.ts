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
  PostbackAction,
  PostbackAttempt,
  PostbackDecisionCode,
  RiskRuleCode,
  WalletOperation,
} from './records.js';
import type { RiskPolicy } from './risk.js';
import type { AdminStore, LeaseStore } from './admin/types.js';
import type { ProductHold } from './admin/holds.js';
import type { EventStore, StoredEvent } from './events/types.js';

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
  /**
   * User-keyed callbacks: the virtual click (`userKeyedClick()`) to insert in the same atomic
   * step when `clickId` is unknown. Its `clickId` must equal the command's.
   */
  clickIfAbsent?: ClickRecord | null;
  /** Risk rules the store checks in the same atomic step (`null`/absent: none). */
  risk?: RiskPolicy | null;
  /** The IP of the conversion when the network forwards it (the `ip_mismatch` rule, per-IP caps of virtual clicks). */
  conversionIp?: string | null;
  /**
   * Whether the step records its event (`eventOfConversion`) in the store's event outbox.
   * Absent means true; the tracker passes false only when the host turned events off.
   */
  recordEvent?: boolean;
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
  | 'offer_mismatch'
  | 'too_soon'
  | 'too_late'
>;

/** The risk refusals among {@link ConversionDecision}: the decision is the refusing rule's code. */
export type RiskRefusal = Extract<ConversionDecision, 'offer_mismatch' | 'too_soon' | 'too_late'>;

/** What {@link ClickStore.applyConversion} did. */
export interface ConversionOutcome {
  decision: ConversionDecision;
  /** The earning after the step; `null` for `unknown_click`, `expired`, `conflict` and risk refusals. */
  earning: EarningRecord | null;
  /** Outbox mode only: the operations this step recorded as owed (empty otherwise). */
  owed: WalletOperation[];
  /** The risk rule behind the decision (as on the audit row); absent means `null`. */
  rule?: RiskRuleCode | null;
  /** The event the step recorded in the same atomic step (`null`/absent: none). */
  event?: StoredEvent | null;
}

/** A manual review decision on a held earning. */
export interface ApprovalCommand {
  earningId: string;
  approve: boolean;
  now: Date;
  ledger: LedgerMode;
  /** As {@link ConversionCommand.recordEvent}: an `applied` decision records `eventOfApproval`. */
  recordEvent?: boolean;
}

/** What {@link ClickStore.decideApproval} did. */
export interface ApprovalOutcome {
  /** `applied`: the decision was taken now; `unchanged`: the same decision was already taken. */
  decision: 'applied' | 'unchanged' | 'not_found' | 'not_held';
  earning: EarningRecord | null;
  owed: WalletOperation[];
  /** The event recorded with an `applied` decision (`null`/absent: none). */
  event?: StoredEvent | null;
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
 * 0. Virtual clicks (user-keyed conversions):
 *    - no click `clickId` and `clickIfAbsent` given (with the same `clickId`): the step goes on
 *      with `clickIfAbsent` as the click (a fresh `pending` click, so rule 2 applies) and inserts it
 *      in the same step (bound as rule 2 says) when the step creates its earning, or marks it
 *      `expired`; when the step creates no earning (a risk refusal, a `conflict`) the click is not
 *      inserted and only the audit row is written. Concurrent steps for one new virtual click:
 *      exactly one inserts it; the others wait for that step and then see the click and its
 *      earning (rule 3). A second click with the same (`network`, `networkTransactionId`) is also
 *      refused by a unique constraint where the store has them (`insertClick`: `ConflictError`).
 *    - no click `clickId`, but another click id holds `clickIfAbsent`'s (`network`,
 *      `networkTransactionId`): `conflict`, nothing inserted.
 *    - the click exists, `clickIfAbsent` given and `clickIfAbsent.userId !== click.userId`:
 *      `conflict` (a network transaction never moves to another user); nothing changes.
 * 1. No click (and no `clickIfAbsent`): `unknown_click`.
 * 2. E does not exist:
 *    - `goals` null (one conversion per click) and the click is bound to another conversion
 *      (`conversionId` non-null and different): `conflict`;
 *    - `goals` a list and `conversionId` is not `"goal:" + id` for an id of the list: `conflict`;
 *    - click `rejected`: `conflict`;
 *    - click `expired`, or `now >= expiresAt`: `expired` (a `pending` click is marked `expired`;
 *      a `converted` goals click stays `converted`, its window for new goals is closed);
 *    - otherwise E is built (id `newEarningId`, offerId = `offerId ?? click.offerId`,
 *      transactionId, referrer and commission from the click) and by action:
 *      `credit`: amount = min(amountMinor ?? earnUpTo, earnUpTo), then the risk verdict
 *      `assessRisk(click, command, amount, counters)` (src/risk.ts):
 *      a `refuse` verdict: decision = the rule's code (`offer_mismatch`, `too_soon`, `too_late`),
 *      nothing is written but the audit row (no earning, the click is neither bound nor inserted);
 *      a `hold` verdict, or `isHeld(click, amount, now)` (`holdAboveMinor != null && amount >
 *      holdAboveMinor` or `holdWithinSeconds != null && now - clickedAt < holdWithinSeconds s`):
 *      status `completed`, approval `pending`, no money moves, decision `held`;
 *      else status `completed`, approval `auto_approved`, `credited`, credit entries written
 *      (see below), decision `credited`, and the day's risk counters count it (see below).
 *      `pending`: status `pending`, approval `pending`, decision `recorded_pending`.
 *      `reject`: status `cancelled`, cancelReason `rejected`, approval `rejected`, decision `rejected`.
 *      `reverse`: status `cancelled`, cancelReason `reversed`, approval `rejected`, `reversedBeforeCredit`, decision `pre_reversed`.
 *      Unless refused, the click is bound (`postbackReceived`, `postbackReceivedAt`, `updatedAt`):
 *      with `goals` null, `conversionId` = this conversion and status `converted` (`rejected` for
 *      a reject); with goals, `conversionId` = `click.conversionId ?? this conversion` (the first)
 *      and status `converted` whatever the action (a reject cancels only its own goal).
 * 3. E exists (expiry no longer matters):
 *    - `credit` on `pending`: as a new credit above (risk verdict, hold or credit), amount
 *      re-evaluated from this postback when it carries one; a refusal leaves E unchanged.
 *    - `credit` on `cancelled` with `reversedBeforeCredit`: the credit entries and their
 *      reversal entries are written together (net zero), `reversedBeforeCredit` cleared,
 *      `credited` set, decision `netted` (no risk rule applies: nothing is paid).
 *    - `credit` on `cancelled` with cancelReason `rejected` and not `credited` (rejected before any
 *      credit): `conflict`; `credit` on any other `cancelled` earning: `duplicate`.
 *    - `reject`/`reverse` on `pending`, or on `completed` still held: status `cancelled`
 *      (cancelReason `rejected` or `reversed`), approval `rejected`, no money, decision
 *      `rejected`/`cancelled`; a reject also sets the click `rejected` when `goals` is null.
 *    - `reject`/`reverse` on `completed` and `credited`: reversal entries written (debit of
 *      the amount to the user, referral debit of the commission to the referrer, each pointing
 *      at its credit), status `cancelled`, decision `reversed`; a reject also sets the click
 *      `rejected` when `goals` is null.
 *    - anything else (same or older status again): nothing changes, decision `duplicate`.
 *    Whenever E changes: lastPostbackStatus, postbackReceivedAt, postbackData, updatedAt from this
 *    postback, transactionId = `transactionId ?? E.transactionId`; E's offerId never changes.
 * Every call writes one {@link PostbackAttempt} with the decision, in the same step, and its
 * `rule`: the rule of a risk refusal or of a risk hold, else `null` (a hold by the click's own
 * `holdAboveMinor`/`holdWithinSeconds` has no rule). The click's `offerId` is never overwritten.
 *
 * Risk counters (only when `risk` has a daily cap): per UTC day of `now`, one counter per user
 * (subject `click.userId`, with `perUserDailyCap`) and one per IP (subject `click.ipAddress ??
 * conversionIp`, with `perIpDailyCap`; none when both are null), each `{ count, amountMinor }`
 * of the conversions auto-credited (decision `credited`) that day, starting at zero. The step
 * reads them before `assessRisk` and, when its decision is `credited`, adds `1` and the earned
 * amount to each counter it read, in the same atomic step, so concurrent conversions of one user
 * or IP never exceed a cap. Held, netted, later approved and reversed earnings leave counters
 * unchanged. `riskCounterKeys(click, command)` gives the day and subjects.
 *
 * Credit entries: `earning:<id>:credit` (+amount, user) and, when the click has a referrer and
 * `floor(amount * commissionPpm / 1e6) > 0`, `earning:<id>:referral_credit` (+commission,
 * referrer). Reversal entries: `earning:<id>:debit` and `earning:<id>:referral_debit`, negative,
 * `reversesKey` pointing at the credit. In `inline` mode they become ledger entries and the
 * cached balances move with them; in `outbox` mode they are recorded as owed and returned.
 *
 * Concurrency: for one click, exactly one of any number of concurrent commands creates an
 * earning; one earning per (clickId, conversionId) is also held by a unique constraint.
 * `decideConversion` (src/conversion.ts) is this table as a pure function.
 */
export interface ClickStore {
  /** A short name for logs and benchmarks (`memory`, `postgres`, `redis`, ...). */
  readonly name: string;
  /** Whether `inline` ledger mode is available (the ledger lives in the same atomic domain). */
  readonly supportsInlineLedger: boolean;
  /** The store's own ledger wallet (append-only entries + cached balance). */
  readonly wallet: WalletPort;
  /**
   * Cross-user queries and the balance-checked manual adjustment of the admin API, on the store's
   * own indexes. `adjustWallet`: of concurrent debits of one wallet, the store serialises them, so
   * whichever runs second sees the first one's balance (and is refused if it no longer fits).
   */
  readonly admin: AdminStore;
  /**
   * Worker leases. Under concurrency the first `acquire` of a free or expired lease wins; the
   * others get `false` until the holder releases it or `ttlMs` passes.
   */
  readonly leases: LeaseStore;
  /**
   * The event outbox (src/events/types.ts): `applyConversion`, `decideApproval` and
   * `admin.adjustWallet` record their event in it in their own atomic step, and the
   * `deliverEvents` worker reads and updates delivery states through it.
   */
  readonly events?: EventStore;

  /** Inserts a new click.
 A duplicate `clickId` is a `ConflictError`. */
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
   * is not held, is `not_held`. Exactly one of concurrent callers applies. `decideApproval`
   * (src/approval.ts, `clickcredit/store`) is this rule as a pure function; `STATE_MACHINE_TABLE`
   * (`clickcredit/testing`) lists it with the conversion table, state by state.
   */
  decideApproval(command: ApprovalCommand): Promise<ApprovalOutcome>;

  /** Marks at most `limit` `pending` clicks with `expiresAt <= now` as `expired`; returns how many. */
  expireClicks(now: Date, limit: number): Promise<number>;

  /** Owed (unsettled) outbox operations, oldest first. Reads only: recovery is {@link recoverOwed}. */
  listOwedOperations(limit: number): Promise<WalletOperation[]>;
  /**
   * Recovery as its own step: finishes at most about `limit` steps a crash interrupted between the
   * store's own writes (MongoDB without transactions: click journals, ledger entries not yet folded
   * into a balance), so their owed operations and balances are in place before
   * {@link listOwedOperations} reads them. The core calls it once per `retryPendingCredits()` and
   * per retry-worker batch, before the list. Idempotent and safe next to live traffic: concurrent
   * callers finish each interrupted step once. Stores whose every step is one atomic write have
   * nothing to recover and leave it out. Returns how many interrupted steps it finished.
   */
  recoverOwed?(limit: number): Promise<number>;
  /** Marks an owed operation settled (idempotent). */
  settleOwedOperation(key: string, at: Date): Promise<void>;

  /** Releases what the adapter opened itself (never a client the host passed in). */
  close(): Promise<void>;
}

/** A product as the catalog describes it. */
export interface Product {
  productId: string;
  /** Cap and default amount of an earning (decimal string or number). */
  earnUpTo: string | number;
  active: boolean;
  /** When given, task URLs must point at one of these hosts (or a subdomain of one). */
  allowedTaskHosts?: readonly string[];
  /**
   * Several conversions per click (goals such as install, level_10, purchase), each its own
   * earning paid once and capped at `earnUpTo`. `true`: any conversion id; a list of goal ids:
   * only those goals, named `goal=<id>` in a postback (conversion id `goal:<id>`). Absent: one
   * conversion per click. Snapshotted on each click when it is created.
   */
  goals?: true | readonly string[];
  /**
   * Approval hold of this product's conversions, on top of the tracker's `approvalHold` (the
   * stricter applies): `'always'` holds every conversion for an admin's review. Snapshotted on
   * each click when it is created.
   */
  hold?: ProductHold;
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
