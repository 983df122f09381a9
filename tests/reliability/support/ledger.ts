/**
 * Exactly-once, checked against the ledger as stored (the library's raw reads, which read the
 * tables / keys directly): one earning per click, every earning's entries netting to what its
 * final state owes, no idempotency key twice, cached balances equal to the sum of the entries.
 */
import type { RawReads } from 'clickcredit/testing';
import { FRIEND, REFERRER, commission } from './demo.js';

/** What one click must end as. */
export interface ClickExpectation {
  clickId: string;
  /** Amount (minor units) each conversion id earns when it is the one that wins the click. */
  amounts: ReadonlyMap<string, bigint>;
  /** Conversion ids that were also reversed: they net to zero whatever the order. */
  reversed?: ReadonlySet<string>;
}

export interface LedgerVerdict {
  /** Clicks without their earning, or earnings whose entries net to less than owed. */
  lost: number;
  /** Extra earnings on a click, keys applied twice, or entries netting to more than owed. */
  doubled: number;
  problems: string[];
  /** Expected balances from the stored earnings (minor units). */
  friendMinor: bigint;
  referrerMinor: bigint;
}

export async function verifyLedger(raw: RawReads, clicks: readonly ClickExpectation[]): Promise<LedgerVerdict> {
  const verdict: LedgerVerdict = { lost: 0, doubled: 0, problems: [], friendMinor: 0n, referrerMinor: 0n };
  const problem = (text: string) => {
    if (verdict.problems.length < 20) verdict.problems.push(text);
  };
  const friendEntries = await raw.ledgerEntries(FRIEND.userId);
  const referrerEntries = await raw.ledgerEntries(REFERRER.userId);
  const byEarning = (entries: typeof friendEntries) => {
    const map = new Map<string, bigint>();
    for (const entry of entries) map.set(entry.earningId ?? '-', (map.get(entry.earningId ?? '-') ?? 0n) + entry.amountMinor);
    return map;
  };
  for (const [who, entries] of [['friend', friendEntries], ['referrer', referrerEntries]] as const) {
    const keys = new Set<string>();
    for (const entry of entries) {
      if (keys.has(entry.key)) {
        verdict.doubled += 1;
        problem(`${who}: key ${entry.key} twice`);
      }
      keys.add(entry.key);
    }
  }
  const friendNet = byEarning(friendEntries);
  const referrerNet = byEarning(referrerEntries);
  const known = new Set<string>();
  for (const click of clicks) {
    const earnings = await raw.earningsOfClick(click.clickId);
    if (earnings.length === 0) {
      verdict.lost += 1;
      problem(`click ${click.clickId}: no earning`);
      continue;
    }
    if (earnings.length > 1) {
      verdict.doubled += earnings.length - 1;
      problem(`click ${click.clickId}: ${earnings.length} earnings (${earnings.map((e) => e.conversionId).join(', ')})`);
    }
    for (const earning of earnings) {
      known.add(earning.earningId);
      const amount = click.amounts.get(earning.conversionId);
      if (amount === undefined) {
        problem(`click ${click.clickId}: earning under unknown conversion ${earning.conversionId}`);
        verdict.doubled += 1;
        continue;
      }
      if (earning.amountMinor !== amount) problem(`earning ${earning.earningId}: amount ${earning.amountMinor}, sent ${amount}`);
      const owed = click.reversed?.has(earning.conversionId) ? 0n : amount;
      const owedCommission = click.reversed?.has(earning.conversionId) ? 0n : commission(amount);
      const net = friendNet.get(earning.earningId) ?? 0n;
      const netCommission = referrerNet.get(earning.earningId) ?? 0n;
      if (net < owed || netCommission < owedCommission) {
        verdict.lost += 1;
        problem(`earning ${earning.earningId} (${earning.status}): nets ${net}/${netCommission}, owes ${owed}/${owedCommission}`);
      } else if (net > owed || netCommission > owedCommission) {
        verdict.doubled += 1;
        problem(`earning ${earning.earningId} (${earning.status}): nets ${net}/${netCommission}, owes ${owed}/${owedCommission}`);
      }
      verdict.friendMinor += owed;
      verdict.referrerMinor += owedCommission;
    }
  }
  for (const earningId of new Set([...friendNet.keys(), ...referrerNet.keys()])) {
    if (!known.has(earningId)) {
      verdict.doubled += 1;
      problem(`ledger entries of an earning no click owns: ${earningId}`);
    }
  }
  const sum = (entries: typeof friendEntries) => entries.reduce((total, entry) => total + entry.amountMinor, 0n);
  for (const [who, entries, userId, expected] of [
    ['friend', friendEntries, FRIEND.userId, verdict.friendMinor],
    ['referrer', referrerEntries, REFERRER.userId, verdict.referrerMinor],
  ] as const) {
    const cached = await raw.cachedBalance(userId);
    if (sum(entries) !== expected || cached !== expected) problem(`${who}: entries sum ${sum(entries)}, cached ${cached}, expected ${expected}`);
  }
  return verdict;
}
