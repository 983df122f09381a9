/**
 * `clickcredit/testing`: the adapter conformance suite. One function, themed files, and raw
 * read hooks so an adapter cannot pass by agreeing with its own bugs.
 *
 * ```ts
 * import { describe, it, expect, beforeAll, afterAll } from 'vitest';
 * import { runConformanceSuite } from 'clickcredit/testing';
 * runConformanceSuite({
 *   name: 'my-store',
 *   test: { describe, it, expect, beforeAll, afterAll },
 *   createHarness: async () => {
 *     const store = createMyStore();
 *     // Raw reads come from the adapter's test hook, never from the store object itself.
 *     return { storage: store, raw: createMyStoreRawReads(store), cleanup: () => store.close() };
 *   },
 * });
 * ```
 * @module
 */
import { describeTheme, type Theme } from './context.js';
import { adminTheme } from './themes/admin.js';
import { approvalTheme } from './themes/approval.js';
import { clicksTheme } from './themes/clicks.js';
import { concurrencyTheme } from './themes/concurrency.js';
import { earningsTheme } from './themes/earnings.js';
import { expiryTheme } from './themes/expiry.js';
import { ledgerTheme } from './themes/ledger.js';
import { outboxTheme } from './themes/outbox.js';
import { postbacksTheme } from './themes/postbacks.js';
import { goalsTheme } from './themes/goals.js';
import { referralsTheme } from './themes/referrals.js';
import { riskTheme } from './themes/risk.js';
import { eventsTheme } from './themes/events.js';
import { stateMachineTheme } from './themes/state-machine.js';
import { userKeyedTheme } from './themes/user-keyed.js';
import type { ConformanceOptions } from './types.js';

/** The themes, in the order they run. */
export const CONFORMANCE_THEMES: Readonly<Record<string, Theme>> = {
  clicks: clicksTheme,
  postbacks: postbacksTheme,
  earnings: earningsTheme,
  ledger: ledgerTheme,
  referrals: referralsTheme,
  approval: approvalTheme,
  expiry: expiryTheme,
  outbox: outboxTheme,
  concurrency: concurrencyTheme,
  admin: adminTheme,
  'user-keyed': userKeyedTheme,
  goals: goalsTheme,
  risk: riskTheme,
  events: eventsTheme,
  'state-machine': stateMachineTheme,
};


/** Declares the whole conformance suite (or the themes in `options.only`) for one adapter. */
export function runConformanceSuite(options: ConformanceOptions): void {
  const { expect, it } = options.test;
  for (const [title, theme] of Object.entries(CONFORMANCE_THEMES)) {
    if (options.only && !options.only.includes(title)) continue;
    if (options.skip?.includes(title)) continue;
    describeTheme(options, title, theme);
  }
  options.test.describe(`${options.name}: store shape`, () => {
    it('implements every ClickStore method and raw read', async () => {
      const harness = await options.createHarness();
      try {
        for (const method of STORE_METHODS) expect(typeof (harness.storage as unknown as Record<string, unknown>)[method]).toBe('function');
        for (const method of RAW_READS) expect(typeof (harness.raw as unknown as Record<string, unknown>)[method]).toBe('function');
        expect(typeof harness.storage.wallet.apply).toBe('function');
        for (const method of ADMIN_METHODS) expect(typeof (harness.storage.admin as unknown as Record<string, unknown>)[method]).toBe('function');
        for (const method of ['acquire', 'release']) expect(typeof (harness.storage.leases as unknown as Record<string, unknown>)[method]).toBe('function');
        expect(typeof harness.storage.supportsInlineLedger).toBe('boolean');
        // Optional recovery step: when a store has one, it is a method (called before listOwedOperations).
        if ('recoverOwed' in harness.storage) expect(typeof harness.storage.recoverOwed).toBe('function');
      } finally {
        await harness.cleanup();
      }
    });
  });
}

const STORE_METHODS = [
  'insertClick', 'recordVisit', 'getClick', 'applyConversion', 'recordPostbackAttempt', 'listPostbackAttempts',
  'getEarning', 'listEarnings', 'decideApproval', 'expireClicks', 'listOwedOperations', 'settleOwedOperation', 'close',
] as const;
const ADMIN_METHODS = ['listAttempts', 'listEarnings', 'attemptsOfEarning', 'listClicks', 'ledgerPage', 'adjustWallet', 'stats'] as const;
const RAW_READS = ['ledgerEntries', 'cachedBalance', 'earningsOfClick', 'outboxOfEarning', 'clickOf'] as const;

export { HostWallet, TestClock, PUBLIC_URL, PRODUCTS, type Theme, type SuiteContext } from './context.js';
export type { ConformanceHarness, ConformanceOptions, RawReads, TestApi } from './types.js';
export {
  STATE_MACHINE_TABLE, TABLE_STATES, TABLE_CLICK, TABLE_AMOUNTS,
  type TableRow, type TableState, type TableStep, type TableEarning,
} from './state-machine-table.js';
