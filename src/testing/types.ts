/**
 * Types of the conformance suite's inputs.
 * @module
 */
import type { ClickRecord, ClickStore, EarningRecord, LedgerEntry, WalletOperation } from 'clickcredit';

/**
 * Small read hooks of an adapter's stored data for the conformance suite, so outcomes are checked
 * against the data and not only against the adapter's own answers. Test-only: they are not part of
 * the storage port nor of the store objects; each adapter exports a factory of its own
 * (`createMemoryRawReads`, `createPostgresRawReads`, `createRedisRawReads`, `createMongoRawReads`).
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
  /** A click as stored (every `ClickRecord` field, the virtual-click and goals fields included). */
  clickOf(clickId: string): Promise<ClickRecord | null>;
}

/** One store under test plus raw reads of its data. */
export interface ConformanceHarness {
  storage: ClickStore;
  /** Reads of the stored data that bypass the adapter's own answers. */
  raw: RawReads;
  /** Releases what the harness opened (pool, client, schema, temp files). */
  cleanup(): Promise<void>;
}

/** The subset of a vitest/jest-like API the suite uses. */
export interface TestApi {
  describe: (name: string, body: () => void) => void;
  it: (name: string, body: () => Promise<void> | void, timeout?: number) => void;
  expect: (value: unknown) => any;
  beforeAll: (body: () => Promise<void> | void, timeout?: number) => void;
  afterAll: (body: () => Promise<void> | void, timeout?: number) => void;
}

/** Options of {@link runConformanceSuite}. */
export interface ConformanceOptions {
  /** Shown in the test names, e.g. `postgres (pg Pool)`. */
  name: string;
  /** The test framework's functions (pass vitest's). */
  test: TestApi;
  /**
   * Makes the store under test. Called once per themed group; tests use fresh random ids, so
   * the store need not be emptied between tests, only isolated from other runs.
   */
  createHarness: () => Promise<ConformanceHarness>;
  /**
   * Themes to run (default all): clicks, postbacks, earnings, ledger, referrals, approval, expiry,
   * outbox, concurrency, admin, user-keyed, goals, risk, events, state-machine.
   */
  only?: readonly string[];
  /** Themes to leave out (e.g. ones an adapter does not implement yet); applied after `only`. */
  skip?: readonly string[];
}
