/**
 * What every conformance theme shares: a harness per theme, a controllable clock, a product
 * catalog, tracker factories, a host wallet double for outbox mode, and ledger assertions made
 * from the raw stored data.
 * The suite imports the core as `clickcredit` (not by relative path) so a built package has one
 * copy of the error classes.
 * @module
 */
import { v4 as uuidv4 } from 'uuid';
import {
  ConflictError,
  createClickTracker,
  userKeyedClick,
  userKeyedClickId,
  type ClickTracker,
  type ClickTrackerOptions,
  type ConversionCommand,
  type ConversionOutcome,
  type Logger,
  type PostbackAction,
  type Product,
  type RiskPolicy,
  type WalletOperation,
  type WalletPort,
} from 'clickcredit';
import type { ConformanceHarness, ConformanceOptions, TestApi } from './types.js';

/** Public base used by every tracker of the suite. */
export const PUBLIC_URL = 'https://api.example.test/api/v1/earn';

/** Products of the suite's catalog. */
export const PRODUCTS: Record<string, Product> = {
  'prod-50': { productId: 'prod-50', earnUpTo: '50.00', active: true },
  'prod-big': { productId: 'prod-big', earnUpTo: '1000000.00', active: true },
  'prod-off': { productId: 'prod-off', earnUpTo: '10.00', active: false },
  'prod-hosts': { productId: 'prod-hosts', earnUpTo: '5.00', active: true, allowedTaskHosts: ['advertiser.example'] },
  'prod-goals': { productId: 'prod-goals', earnUpTo: '10.00', active: true, goals: true },
  'prod-goal-list': { productId: 'prod-goal-list', earnUpTo: '10.00', active: true, goals: ['install', 'level_10', 'purchase'] },
};

const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** A clock the tests move by hand. Starts at the real time so stores with real TTLs behave. */
export class TestClock {
  private current = new Date(Math.floor(Date.now() / 1000) * 1000);
  now(): Date {
    return new Date(this.current.getTime());
  }
  advanceSeconds(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

/**
 * A host wallet double with the behaviour the port requires (idempotent by key), and switches
 * to make it fail before or after applying, to play out crashes and outages.
 */
export class HostWallet implements WalletPort {
  readonly applied = new Map<string, WalletOperation>();
  readonly calls: string[] = [];
  failBefore = false;
  failAfter = false;

  async apply(op: WalletOperation) {
    this.calls.push(op.key);
    if (this.failBefore) throw new Error('host wallet unreachable');
    const existing = this.applied.get(op.key);
    if (existing && (existing.userId !== op.userId || existing.amountMinor !== op.amountMinor)) {
      throw new ConflictError('key reused');
    }
    const duplicate = existing !== undefined;
    if (!duplicate) this.applied.set(op.key, { ...op });
    if (this.failAfter) throw new Error('host wallet timed out after applying');
    return { duplicate, balanceMinor: await this.getBalance(op.userId) };
  }

  async getBalance(userId: string) {
    let sum = 0n;
    for (const op of this.applied.values()) if (op.userId === userId) sum += op.amountMinor;
    return sum;
  }
}

/** The per-theme context handed to each test. */
export interface SuiteContext {
  harness: ConformanceHarness;
  clock: TestClock;
  /** A tracker on the harness's store, with the suite's defaults plus overrides. */
  tracker(overrides?: Partial<ClickTrackerOptions>): ClickTracker;
  /** A fresh user id. */
  user(label?: string): string;
  /** Asserts from raw data: cached balance = sum of entries = `expected` (decimal string). */
  expectBalance(userId: string, expected: string, tracker?: ClickTracker): Promise<void>;
}

/** A theme: a function that declares tests given the test API and the context getter. */
export type Theme = (api: TestApi, context: () => SuiteContext) => void;

/** Declares a describe block for a theme with its own harness, created before and cleaned after. */
export function describeTheme(options: ConformanceOptions, title: string, theme: Theme): void {
  const { describe, beforeAll, afterAll, expect } = options.test;
  describe(`${options.name}: ${title}`, () => {
    let context: SuiteContext | undefined;
    beforeAll(async () => {
      const harness = await options.createHarness();
      context = makeContext(harness, expect);
    }, 120_000);
    afterAll(async () => {
      await context?.harness.cleanup();
    }, 120_000);
    theme(options.test, () => {
      if (!context) throw new Error('conformance harness was not created');
      return context;
    });
  });
}

function makeContext(harness: ConformanceHarness, expect: TestApi['expect']): SuiteContext {
  const clock = new TestClock();
  const referrers = new Map<string, string>();
  const context: SuiteContext = {
    harness,
    clock,
    tracker(overrides = {}) {
      return createClickTracker({
        storage: harness.storage,
        products: { getProduct: (id) => PRODUCTS[id] ?? null },
        publicUrl: PUBLIC_URL,
        allowUnverifiedPostbacks: true,
        clock,
        logger: silentLogger,
        referrals: { referrerOf: (userId) => referrers.get(userId) ?? null },
        referralCommission: '10%',
        ...overrides,
      });
    },
    user(label = 'user') {
      return `${label}-${uuidv4()}`;
    },
    async expectBalance(userId, expected, tracker) {
      const entries = await harness.raw.ledgerEntries(userId);
      const sum = entries.reduce((total, entry) => total + entry.amountMinor, 0n);
      const cached = await harness.raw.cachedBalance(userId);
      const expectedMinor = toMinor(expected);
      expect({ userId, sumOfEntries: sum, cached }).toEqual({ userId, sumOfEntries: expectedMinor, cached: expectedMinor });
      if (tracker) expect((await tracker.getWallet(userId)).balance).toBe(expected);
    },
  };
  referrersOf.set(context, referrers);
  return context;
}

const referrersOf = new WeakMap<SuiteContext, Map<string, string>>();

/** Declares that `referrerId` referred `userId` for trackers of this context. */
export function refer(context: SuiteContext, userId: string, referrerId: string): void {
  referrersOf.get(context)?.set(userId, referrerId);
}

/** "12.34" → 1234n at scale 2 (test-side helper, strings only). */
export function toMinor(amount: string): bigint {
  const negative = amount.startsWith('-');
  const [whole, fraction = ''] = amount.replace('-', '').split('.');
  const minor = BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2));
  return negative ? -minor : minor;
}

/** Sends a postback the way the HTTP helpers would (query holds click_id, body the rest). */
export function postback(tracker: ClickTracker, clickId: string, body: Record<string, unknown> = {}) {
  return tracker.handlePostback({ query: { click_id: clickId }, body, sourceIp: '203.0.113.7', method: 'POST' });
}

/** Creates a click for `userId` on `productId` (default prod-50). */
export function click(tracker: ClickTracker, userId: string, productId = 'prod-50', extra: { offerId?: string; ipAddress?: string } = {}) {
  return tracker.createClick({ userId, productId, taskUrl: 'https://advertiser.example/offer?x=1', ipAddress: '198.51.100.4', userAgent: 'conformance', ...extra });
}

/** A user-keyed callback as a network route hands it to the store (the virtual-click command). */
export interface UserKeyedInput {
  network?: string;
  transactionId: string;
  userId: string;
  /** Decimal amount (scale 2) or `null` (then the network maximum). */
  amount: string | null;
  action?: PostbackAction;
  /** The network's maximum, default `100.00`. */
  maximum?: string;
  referrerId?: string | null;
  /** Hold above this amount (the tracker's approvalHold.aboveAmount). */
  holdAbove?: string | null;
  offerId?: string | null;
  ipAddress?: string | null;
  conversionIp?: string | null;
  risk?: RiskPolicy | null;
}

/** The network the user-keyed helpers use unless told otherwise. */
export const TEST_NETWORK = 'conformance-wall';

/** The command a network route builds for a user-keyed callback (10% commission when referred). */
export function userKeyedCommand(context: SuiteContext, input: UserKeyedInput): ConversionCommand {
  const now = context.clock.now();
  const network = input.network ?? TEST_NETWORK;
  const action = input.action ?? 'credit';
  const referrerId = input.referrerId ?? null;
  return {
    attemptId: uuidv4(),
    clickId: userKeyedClickId(network, input.transactionId),
    conversionId: input.transactionId,
    action,
    postbackStatus: { credit: 'completed', pending: 'pending', reject: 'rejected', reverse: 'reversed' }[action],
    amountMinor: input.amount === null ? null : toMinor(input.amount),
    rawAmount: input.amount,
    transactionId: input.transactionId,
    offerId: input.offerId ?? null,
    now,
    newEarningId: uuidv4(),
    ledger: context.harness.storage.supportsInlineLedger ? 'inline' : 'outbox',
    sourceIp: '203.0.113.9',
    rawData: { network, transactionId: input.transactionId, user: input.userId, amount: input.amount },
    clickIfAbsent: userKeyedClick({
      network,
      transactionId: input.transactionId,
      userId: input.userId,
      offerId: input.offerId ?? null,
      earnUpToMinor: toMinor(input.maximum ?? '100.00'),
      referrerId,
      commissionPpm: referrerId === null ? 0 : 100_000,
      holdAboveMinor: input.holdAbove ? toMinor(input.holdAbove) : null,
      ipAddress: input.ipAddress ?? input.conversionIp ?? null,
      now,
    }),
    risk: input.risk ?? null,
    conversionIp: input.conversionIp ?? null,
  };
}

/**
 * Applies a command through the store, then (outbox stores) applies and settles what it owes
 * through the store's own wallet, as the core does.
 */
export async function applyThroughStore(context: SuiteContext, command: ConversionCommand): Promise<ConversionOutcome> {
  const { storage } = context.harness;
  const outcome = await storage.applyConversion(command);
  for (const op of outcome.owed) {
    await storage.wallet.apply(op);
    await storage.settleOwedOperation(op.key, command.now);
  }
  return outcome;
}

/** Sends one user-keyed callback through the store. */
export function userKeyed(context: SuiteContext, input: UserKeyedInput): Promise<ConversionOutcome> {
  return applyThroughStore(context, userKeyedCommand(context, input));
}

/** A risk policy with every rule off, to override field by field. */
export const NO_RISK: RiskPolicy = Object.freeze({
  offerMismatch: null,
  minSecondsToConvert: null,
  maxSecondsToConvert: null,
  perUserDailyCap: null,
  perIpDailyCap: null,
  ipMismatch: null,
});
