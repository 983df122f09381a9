/**
 * The conversion state machine and the risk rules as pure functions, table-driven: each row is a
 * click, an earning, a command and the expected decision, rule and writes. The stores' own
 * translations (PL/pgSQL, Lua) are held to the same outcomes by the conformance suite.
 */
import { describe, expect, it } from 'vitest';
import {
  clickGoalsOf,
  moneyOptions,
  resolveRiskPolicy,
  userKeyedClick,
  userKeyedClickId,
  type ClickRecord,
  type ConversionCommand,
  type EarningRecord,
  type RiskPolicy,
} from 'clickcredit';
import { assessRisk, decideConversion, riskCounterKeys, type RiskCounters } from 'clickcredit/store';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const NONE: RiskPolicy = { offerMismatch: null, minSecondsToConvert: null, maxSecondsToConvert: null, perUserDailyCap: null, perIpDailyCap: null, ipMismatch: null };

function clickOf(overrides: Partial<ClickRecord> = {}): ClickRecord {
  return {
    clickId: '11111111-1111-4111-8111-111111111111', userId: 'u', productId: 'p', offerId: 'offer-a', taskUrl: 'https://a.example/',
    redirectUrl: 'https://a.example/?click_id=x', postbackUrl: 'https://api.example/postback', ipAddress: '198.51.100.4', userAgent: null,
    referrer: null, clickedAt: T0, expiresAt: at(86_400), status: 'pending', conversionId: null, postbackReceived: false,
    postbackReceivedAt: null, visitCount: 0, firstVisitAt: null, lastVisitAt: null, createdAt: T0, updatedAt: T0,
    earnUpToMinor: 5000n, referrerId: null, commissionPpm: 0, holdAboveMinor: null, holdWithinSeconds: null,
    network: null, networkTransactionId: null, goals: null, ...overrides,
  };
}

function commandOf(overrides: Partial<ConversionCommand> = {}): ConversionCommand {
  return {
    attemptId: 'a1', clickId: clickOf().clickId, conversionId: 'c', action: 'credit', postbackStatus: 'completed', amountMinor: 1000n,
    rawAmount: '10.00', transactionId: null, offerId: null, now: at(3600), newEarningId: 'e1', ledger: 'inline', sourceIp: null,
    rawData: {}, ...overrides,
  };
}

function earningOf(overrides: Partial<EarningRecord> = {}): EarningRecord {
  return {
    earningId: 'e0', userId: 'u', productId: 'p', offerId: 'offer-a', clickId: clickOf().clickId, conversionId: 'c', transactionId: null,
    amountMinor: 1000n, status: 'pending', approvalStatus: 'pending', type: 'postback', credited: false, creditedAt: null,
    cancelledAt: null, cancelReason: null, reversedBeforeCredit: false, referrerId: null, commissionMinor: 0n,
    lastPostbackStatus: 'pending', postbackReceived: true, postbackReceivedAt: T0, postbackData: {}, earnedAt: T0, createdAt: T0,
    updatedAt: T0, ...overrides,
  };
}

const counters = (user: [number, bigint] | null, ip: [number, bigint] | null = null): RiskCounters => ({
  user: user && { count: user[0], amountMinor: user[1] },
  ip: ip && { count: ip[0], amountMinor: ip[1] },
});

interface Row {
  name: string;
  click: ClickRecord | null;
  earning?: EarningRecord | null;
  command: Partial<ConversionCommand>;
  counters?: RiskCounters;
  decision: string;
  rule?: string | null;
  /** Expected: the click written (status, conversionId), or null when untouched. */
  clickWrite?: { status: string; conversionId: string | null } | null;
  clickCreated?: boolean;
  earningStatus?: string | null;
  counted?: boolean;
  operations?: string[];
}

const virtual = userKeyedClick({
  network: 'wall', transactionId: 't1', userId: 'u', offerId: null, earnUpToMinor: 5000n, referrerId: null, commissionPpm: 0,
  holdAboveMinor: null, ipAddress: null, now: T0,
});
const risk = (overrides: Partial<RiskPolicy>): RiskPolicy => ({ ...NONE, ...overrides });

const ROWS: Row[] = [
  { name: 'unknown click', click: null, command: {}, decision: 'unknown_click', clickWrite: null },
  { name: 'first credit', click: clickOf(), command: {}, decision: 'credited', clickWrite: { status: 'converted', conversionId: 'c' }, earningStatus: 'completed', operations: ['credit'] },
  { name: 'second conversion id on a single click', click: clickOf({ status: 'converted', conversionId: 'other' }), command: {}, decision: 'conflict', clickWrite: null },
  { name: 'expired pending click is marked', click: clickOf({ expiresAt: at(60) }), command: {}, decision: 'expired', clickWrite: { status: 'expired', conversionId: null } },
  // Virtual clicks
  { name: 'virtual click created with its credit', click: null, command: { clickId: virtual.clickId, clickIfAbsent: virtual }, decision: 'credited', clickCreated: true, clickWrite: { status: 'converted', conversionId: 'c' }, operations: ['credit'] },
  { name: 'virtual click created pre-reversed', click: null, command: { clickId: virtual.clickId, clickIfAbsent: virtual, action: 'reverse' }, decision: 'pre_reversed', clickCreated: true, clickWrite: { status: 'converted', conversionId: 'c' }, earningStatus: 'cancelled' },
  { name: 'virtual click id mismatch is unknown', click: null, command: { clickIfAbsent: virtual }, decision: 'unknown_click', clickWrite: null },
  { name: 'existing virtual click, another user', click: { ...virtual }, command: { clickId: virtual.clickId, clickIfAbsent: { ...virtual, userId: 'v' } }, decision: 'conflict', clickWrite: null },
  { name: 'virtual click refused: not inserted', click: null, command: { clickId: virtual.clickId, clickIfAbsent: { ...virtual, offerId: 'o1' }, offerId: 'o2', risk: risk({ offerMismatch: 'refuse' }) }, decision: 'offer_mismatch', rule: 'offer_mismatch', clickWrite: null, clickCreated: false },
  { name: 'time rules do not apply to virtual clicks', click: null, command: { clickId: virtual.clickId, clickIfAbsent: virtual, risk: risk({ minSecondsToConvert: { seconds: 60, effect: 'refuse' } }) }, decision: 'credited', clickCreated: true },
  // Goals
  { name: 'goals list: listed goal on a converted click', click: clickOf({ goals: ['install', 'buy'], status: 'converted', conversionId: 'goal:install' }), command: { conversionId: 'goal:buy' }, decision: 'credited', clickWrite: { status: 'converted', conversionId: 'goal:install' } },
  { name: 'goals list: unlisted goal', click: clickOf({ goals: ['install'] }), command: { conversionId: 'goal:buy' }, decision: 'conflict' },
  { name: 'goals list: a bare goal id is not its conversion id', click: clickOf({ goals: ['install'] }), command: { conversionId: 'install' }, decision: 'conflict' },
  { name: 'goals true: any conversion id', click: clickOf({ goals: true, status: 'converted', conversionId: 'a' }), command: { conversionId: 'b' }, decision: 'credited' },
  { name: 'goals: first reject leaves the click converted', click: clickOf({ goals: true }), command: { action: 'reject' }, decision: 'rejected', clickWrite: { status: 'converted', conversionId: 'c' } },
  { name: 'single: first reject rejects the click', click: clickOf(), command: { action: 'reject' }, decision: 'rejected', clickWrite: { status: 'rejected', conversionId: 'c' } },
  { name: 'goals: new goal past the window, click stays converted', click: clickOf({ goals: true, status: 'converted', conversionId: 'a', expiresAt: at(60) }), command: { conversionId: 'b' }, decision: 'expired', clickWrite: null },
  { name: 'goals: later reject of a paid goal reverses it, click untouched', click: clickOf({ goals: true, status: 'converted', conversionId: 'c' }), earning: earningOf({ status: 'completed', approvalStatus: 'auto_approved', credited: true }), command: { action: 'reject' }, decision: 'reversed', clickWrite: null, operations: ['debit'] },
  { name: 'single: later reject of a paid conversion rejects the click', click: clickOf({ status: 'converted', conversionId: 'c' }), earning: earningOf({ status: 'completed', approvalStatus: 'auto_approved', credited: true }), command: { action: 'reject' }, decision: 'reversed', clickWrite: { status: 'rejected', conversionId: 'c' }, operations: ['debit'] },
  // Risk rules
  { name: 'offer mismatch refused', click: clickOf(), command: { offerId: 'offer-b', risk: risk({ offerMismatch: 'refuse' }) }, decision: 'offer_mismatch', rule: 'offer_mismatch', clickWrite: null, earningStatus: null },
  { name: 'offer mismatch held', click: clickOf(), command: { offerId: 'offer-b', risk: risk({ offerMismatch: 'hold' }) }, decision: 'held', rule: 'offer_mismatch', earningStatus: 'completed', operations: [] },
  { name: 'no offer in the postback: no mismatch', click: clickOf(), command: { risk: risk({ offerMismatch: 'refuse' }) }, decision: 'credited', rule: null },
  { name: 'too soon refused (1 s short)', click: clickOf(), command: { now: at(59), risk: risk({ minSecondsToConvert: { seconds: 60, effect: 'refuse' } }) }, decision: 'too_soon', rule: 'too_soon' },
  { name: 'exactly the minimum is not too soon', click: clickOf(), command: { now: at(60), risk: risk({ minSecondsToConvert: { seconds: 60, effect: 'refuse' } }) }, decision: 'credited' },
  { name: 'too late held', click: clickOf(), command: { now: at(601), risk: risk({ maxSecondsToConvert: { seconds: 600, effect: 'hold' } }) }, decision: 'held', rule: 'too_late' },
  { name: 'exactly the maximum is not too late', click: clickOf(), command: { now: at(600), risk: risk({ maxSecondsToConvert: { seconds: 600, effect: 'refuse' } }) }, decision: 'credited' },
  { name: 'refusal wins over an earlier hold', click: clickOf(), command: { offerId: 'offer-b', now: at(10), risk: risk({ offerMismatch: 'hold', minSecondsToConvert: { seconds: 60, effect: 'refuse' } }) }, decision: 'too_soon', rule: 'too_soon' },
  { name: 'first hold in order wins', click: clickOf(), command: { offerId: 'offer-b', conversionIp: '192.0.2.1', risk: risk({ offerMismatch: 'hold', ipMismatch: 'hold' }) }, decision: 'held', rule: 'offer_mismatch' },
  { name: 'ip mismatch held', click: clickOf(), command: { conversionIp: '192.0.2.1', risk: risk({ ipMismatch: 'hold' }) }, decision: 'held', rule: 'ip_mismatch' },
  { name: 'user cap: count reached', click: clickOf(), command: { risk: risk({ perUserDailyCap: { count: 2, amountMinor: null } }) }, counters: counters([2, 2000n]), decision: 'held', rule: 'user_daily_cap', counted: false },
  { name: 'user cap: one below the count, counted', click: clickOf(), command: { risk: risk({ perUserDailyCap: { count: 2, amountMinor: null } }) }, counters: counters([1, 1000n]), decision: 'credited', counted: true },
  { name: 'user cap: amount would exceed', click: clickOf(), command: { risk: risk({ perUserDailyCap: { count: null, amountMinor: 1500n } }) }, counters: counters([1, 501n]), decision: 'held', rule: 'user_daily_cap' },
  { name: 'user cap: amount exactly reached is fine', click: clickOf(), command: { risk: risk({ perUserDailyCap: { count: null, amountMinor: 1500n } }) }, counters: counters([1, 500n]), decision: 'credited', counted: true },
  { name: 'ip cap after user cap in order', click: clickOf(), command: { risk: risk({ perUserDailyCap: { count: 1, amountMinor: null }, perIpDailyCap: { count: 1, amountMinor: null } }) }, counters: counters([1, 0n], [1, 0n]), decision: 'held', rule: 'user_daily_cap' },
  { name: 'ip cap', click: clickOf(), command: { risk: risk({ perIpDailyCap: { count: 1, amountMinor: null } }) }, counters: counters(null, [1, 0n]), decision: 'held', rule: 'ip_daily_cap' },
  { name: 'click hold policy has no rule', click: clickOf({ holdAboveMinor: 500n }), command: {}, decision: 'held', rule: null, counted: false },
  { name: 'pending earning refused stays pending', click: clickOf({ status: 'converted', conversionId: 'c' }), earning: earningOf(), command: { offerId: 'offer-b', risk: risk({ offerMismatch: 'refuse' }) }, decision: 'offer_mismatch', rule: 'offer_mismatch', earningStatus: null },
  { name: 'netting ignores risk rules', click: clickOf({ status: 'converted', conversionId: 'c' }), earning: earningOf({ status: 'cancelled', cancelReason: 'reversed', reversedBeforeCredit: true }), command: { offerId: 'offer-b', risk: risk({ offerMismatch: 'refuse' }) }, decision: 'netted', operations: ['credit', 'debit'] },
  { name: 'reversal is never refused', click: clickOf({ status: 'converted', conversionId: 'c' }), earning: earningOf({ status: 'completed', approvalStatus: 'auto_approved', credited: true }), command: { action: 'reverse', offerId: 'offer-b', risk: risk({ offerMismatch: 'refuse' }) }, decision: 'reversed', operations: ['debit'] },
];

describe('decideConversion, table-driven', () => {
  for (const row of ROWS) {
    it(row.name, () => {
      const t = decideConversion(row.click, row.earning ?? null, commandOf(row.command), row.counters);
      expect(t.decision).toBe(row.decision);
      if (row.rule !== undefined) expect(t.rule).toBe(row.rule);
      if (row.clickWrite !== undefined) {
        expect(t.click === null ? null : { status: t.click.status, conversionId: t.click.conversionId }).toEqual(row.clickWrite);
      }
      if (row.clickCreated !== undefined) expect(t.clickCreated).toBe(row.clickCreated);
      if (row.earningStatus !== undefined) expect(t.earningChanged ? t.earning?.status : null).toBe(row.earningStatus);
      if (row.counted !== undefined) expect(t.counted).toBe(row.counted);
      if (row.operations !== undefined) expect(t.operations.map((op) => op.kind)).toEqual(row.operations);
      // A refusal writes nothing at all.
      if (['offer_mismatch', 'too_soon', 'too_late'].includes(t.decision)) {
        expect({ click: t.click, earning: t.earning, changed: t.earningChanged, ops: t.operations }).toEqual({ click: null, earning: null, changed: false, ops: [] });
      }
    });
  }
});

describe('assessRisk, riskCounterKeys, resolveRiskPolicy', () => {
  it('is off without a policy and with a null counter', () => {
    expect(assessRisk(clickOf(), { offerId: 'x', now: at(0) }, 1n, counters(null))).toBeNull();
    expect(assessRisk(clickOf(), { offerId: null, now: at(0), risk: risk({ perUserDailyCap: { count: 1, amountMinor: null } }) }, 1n, counters(null))).toBeNull();
  });

  it('keys counters by UTC day, user, and click IP before the conversion IP', () => {
    const policy = risk({ perUserDailyCap: { count: 1, amountMinor: null }, perIpDailyCap: { count: 1, amountMinor: null } });
    const now = new Date('2026-03-01T23:59:59.999Z');
    expect(riskCounterKeys(clickOf(), { offerId: null, now, risk: policy, conversionIp: '192.0.2.1' })).toEqual({ day: '2026-03-01', userId: 'u', ip: '198.51.100.4' });
    expect(riskCounterKeys(clickOf({ ipAddress: null }), { offerId: null, now, risk: policy, conversionIp: '192.0.2.1' }).ip).toBe('192.0.2.1');
    expect(riskCounterKeys(clickOf(), { offerId: null, now, risk: risk({}) })).toEqual({ day: '2026-03-01', userId: null, ip: null });
  });

  it('resolves the host options into minor units and refuses malformed rules at start-up', () => {
    const money = moneyOptions({ scale: 2 });
    expect(resolveRiskPolicy(undefined, money)).toBeNull();
    expect(resolveRiskPolicy({}, money)).toBeNull();
    expect(resolveRiskPolicy({ dailyCaps: { perUser: { count: 3, amount: '25.50' } }, ipMismatch: 'hold' }, money)).toEqual({
      ...NONE, perUserDailyCap: { count: 3, amountMinor: 2550n }, ipMismatch: 'hold',
    });
    expect(() => resolveRiskPolicy({ offerMismatch: 'block' as never }, money)).toThrow(/offerMismatch/);
    expect(() => resolveRiskPolicy({ minSecondsToConvert: { seconds: 0, effect: 'hold' } }, money)).toThrow(/positive integer/);
    expect(() => resolveRiskPolicy({ maxSecondsToConvert: { seconds: 10 } as never }, money)).toThrow(/effect/);
    expect(() => resolveRiskPolicy({ minSecondsToConvert: { seconds: 60, effect: 'hold' }, maxSecondsToConvert: { seconds: 60, effect: 'hold' } }, money)).toThrow(/below/);
    expect(() => resolveRiskPolicy({ dailyCaps: { perIp: {} } }, money)).toThrow(/count or an amount/);
    expect(() => resolveRiskPolicy({ dailyCaps: { perIp: { count: 1.5 } } }, money)).toThrow(/count/);
    expect(() => resolveRiskPolicy({ ipMismatch: 'refuse' as never }, money)).toThrow(/ipMismatch/);
  });
});

describe('virtual clicks and goals snapshots', () => {
  it('derives a stable click id per (network, transaction id)', () => {
    expect(userKeyedClickId('wall', 't1')).toBe(userKeyedClickId('wall', 't1'));
    expect(userKeyedClickId('wall', 't1')).not.toBe(userKeyedClickId('wall', 't2'));
    // The separator keeps the network and the transaction id apart.
    expect(userKeyedClickId('wal', 'lt1')).not.toBe(userKeyedClickId('wall', 't1'));
    expect(userKeyedClickId('wall', 't1')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Pinned: stored virtual clicks are found by this id, so it must never change.
    expect(userKeyedClickId('tapjoy', 'abc-123')).toBe('b24bf982-8002-58bb-b459-bbd70acf6074');
  });

  it('snapshots goals from the product', () => {
    expect(clickGoalsOf({})).toBeNull();
    expect(clickGoalsOf({ goals: true })).toBe(true);
    expect(clickGoalsOf({ goals: [] })).toBeNull();
    expect(clickGoalsOf({ goals: ['a', 'b', 'a'] })).toEqual(['a', 'b']);
    expect(() => clickGoalsOf({ goals: ['a', ''] })).toThrow(TypeError);
    expect(() => clickGoalsOf({ goals: 'a' })).toThrow(TypeError);
  });
});
