import { describe, expect, it } from 'vitest';
import { userKeyedClick, type ClickRecord, type ConversionCommand, type RiskPolicy } from 'clickcredit';
import { clickToDocument, earningToDocument, type EarningDocument } from '../../adapters/mongodb/documents.js';
import { planApproval, planConversion } from '../../adapters/mongodb/plan.js';
import { toLong } from '../../adapters/mongodb/int64.js';
import { counterExpiry, counterIdsOf, reservationFilter, reservedCounters } from '../../adapters/mongodb/risk-counters.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const later = new Date(t0.getTime() + 60_000);

const click: ClickRecord = {
  clickId: 'c1', userId: 'u', productId: 'p', offerId: null, taskUrl: 't', redirectUrl: 'r', postbackUrl: 'b', ipAddress: null,
  userAgent: null, referrer: null, clickedAt: t0, expiresAt: new Date(t0.getTime() + 86_400_000), status: 'pending', conversionId: null,
  postbackReceived: false, postbackReceivedAt: null, visitCount: 4, firstVisitAt: t0, lastVisitAt: t0, createdAt: t0, updatedAt: t0,
  earnUpToMinor: 5000n, referrerId: 'ref', commissionPpm: 100_000, holdAboveMinor: null, holdWithinSeconds: null,
  network: null, networkTransactionId: null, goals: null,
};

function command(overrides: Partial<ConversionCommand> = {}): ConversionCommand {
  return {
    attemptId: 'att-1', clickId: 'c1', conversionId: 'conv', action: 'credit', postbackStatus: 'completed', amountMinor: 1000n,
    rawAmount: '10.00', transactionId: null, offerId: null, now: later, newEarningId: 'e1', ledger: 'outbox', sourceIp: null, rawData: { a: '1' },
    ...overrides,
  };
}

/** The earning document the first credit plans, as it would be stored. */
function firstCredit(): EarningDocument {
  const plan = planConversion(clickToDocument(click, 1), null, command(), false);
  return plan.insert!;
}

describe('mongodb step plans (decided by the core state machine)', () => {
  it('first credit, outbox: claims the click (conversion fields only), inserts the earning with its owed operations', () => {
    const plan = planConversion(clickToDocument(click, 1), null, command(), false);
    expect(plan.decision).toBe('credited');
    expect(plan.clickSet).toEqual({ status: 'converted', conversionId: 'conv', postbackReceived: true, postbackReceivedAt: later, updatedAt: later });
    expect(plan.insert).toMatchObject({ _id: 'e1', clickId: 'c1', conversionId: 'conv', amount: expect.anything(), version: 1, owing: true });
    expect(plan.insert!.owed.map((op) => [op.key, op.settledAt])).toEqual([['earning:e1:credit', null], ['earning:e1:referral_credit', null]]);
    expect(plan.owed.map((op) => op.amountMinor)).toEqual([1000n, 100n]);
    expect(plan.ledger).toEqual([]);
    expect(plan.attempt).toMatchObject({ _id: 'att-1', decision: 'credited', earningId: 'e1', rawData: '{"a":"1"}' });
  });

  it('first credit, inline (transactional ledger): ledger entries in the step, nothing owed', () => {
    const plan = planConversion(clickToDocument(click, 1), null, command({ ledger: 'inline' }), true);
    expect(plan.ledger.map((op) => op.kind)).toEqual(['credit', 'referral_credit']);
    expect(plan.owed).toEqual([]);
    expect(plan.insert).toMatchObject({ owed: [], owing: false });
  });

  it('an exact replay writes nothing but its audit row', () => {
    const converted = clickToDocument({ ...click, status: 'converted', conversionId: 'conv' }, 2);
    const plan = planConversion(converted, firstCredit(), command({ attemptId: 'att-2' }), false);
    expect(plan).toMatchObject({ decision: 'duplicate', clickSet: null, insert: null, update: null, owed: [] });
    expect(plan.attempt).toMatchObject({ _id: 'att-2', decision: 'duplicate' });
  });

  it('an unknown click and a competing conversion write nothing but the audit row', () => {
    expect(planConversion(null, null, command(), false)).toMatchObject({ decision: 'unknown_click', clickSet: null, insert: null });
    const converted = clickToDocument({ ...click, status: 'converted', conversionId: 'other' }, 2);
    expect(planConversion(converted, null, command(), false)).toMatchObject({ decision: 'conflict', clickSet: null, insert: null });
  });

  it('a reversal after the credit: compare-and-set on the earning version, debits owed, click claimed', () => {
    const converted = clickToDocument({ ...click, status: 'converted', conversionId: 'conv' }, 2);
    const earning = { ...firstCredit(), version: 3 };
    const plan = planConversion(converted, earning, command({ action: 'reverse', postbackStatus: 'reversed', attemptId: 'att-3' }), false);
    expect(plan.decision).toBe('reversed');
    expect(plan.clickSet).toEqual({}); // a reverse leaves the click's state alone but still claims it
    expect(plan.update).toMatchObject({ earningId: 'e1', expectedVersion: 3, set: { status: 'cancelled', cancelReason: 'reversed' } });
    expect(plan.update!.set).not.toHaveProperty('version');
    expect(plan.update!.set).not.toHaveProperty('owed');
    expect(plan.update!.push.map((op) => [op.key, op.reversesKey])).toEqual([
      ['earning:e1:debit', 'earning:e1:credit'],
      ['earning:e1:referral_debit', 'earning:e1:referral_credit'],
    ]);
  });

  it('a pending click past expiry: marks it expired, no earning', () => {
    const plan = planConversion(clickToDocument(click, 1), null, command({ now: new Date(t0.getTime() + 90_000_000) }), false);
    expect(plan).toMatchObject({ decision: 'expired', insert: null, update: null, earning: null });
    expect(plan.clickSet).toMatchObject({ status: 'expired' });
  });

  it('approvals: applied once, unchanged when repeated, not_held otherwise', () => {
    const held: EarningDocument = { ...earningToDocument({ ...toHeld(firstCredit()) }, []), version: 2 };
    const approve = { earningId: 'e1', approve: true, now: later, ledger: 'outbox' as const };
    const applied = planApproval(held, approve, false);
    expect(applied.decision).toBe('applied');
    expect(applied.writes).toMatchObject({ clickSet: {}, update: { expectedVersion: 2 } });
    expect(applied.writes!.owed.map((op) => op.kind)).toEqual(['credit', 'referral_credit']);
    const approved = { ...held, approvalStatus: 'manual_approved' as const, credited: true };
    expect(planApproval(approved, approve, false)).toMatchObject({ decision: 'unchanged', writes: null });
    expect(planApproval(approved, { ...approve, approve: false }, false)).toMatchObject({ decision: 'not_held', writes: null });
    const rejected = planApproval(held, { ...approve, approve: false }, false);
    expect(rejected.writes).toMatchObject({ owed: [], update: { set: { status: 'cancelled', cancelReason: 'approval_rejected' } } });
  });
});

/** The record of a held earning (completed, approval pending, nothing credited). */
function toHeld(doc: EarningDocument) {
  return {
    earningId: doc._id, userId: doc.userId, productId: doc.productId, offerId: doc.offerId, clickId: doc.clickId, conversionId: doc.conversionId,
    transactionId: doc.transactionId, amountMinor: 1000n, status: 'completed' as const, approvalStatus: 'pending' as const, type: doc.type,
    credited: false, creditedAt: null, cancelledAt: null, cancelReason: null, reversedBeforeCredit: false, referrerId: 'ref', commissionMinor: 100n,
    lastPostbackStatus: 'completed', postbackReceived: true, postbackReceivedAt: later, postbackData: null, earnedAt: later, createdAt: later, updatedAt: later,
  };
}

describe('mongodb step plans: user-keyed clicks, goals, risk rules', () => {
  const virtual = userKeyedClick({
    network: 'wall', transactionId: 'tx-9', userId: 'u', offerId: 'o1', earnUpToMinor: 10_000n, referrerId: 'ref', commissionPpm: 100_000,
    holdAboveMinor: null, ipAddress: '203.0.113.5', now: later,
  });
  const keyed = (overrides: Partial<ConversionCommand> = {}) =>
    command({ clickId: virtual.clickId, conversionId: 'tx-9', transactionId: 'tx-9', amountMinor: 3000n, rawAmount: '30.00', clickIfAbsent: virtual, ...overrides });
  const policy: RiskPolicy = {
    offerMismatch: null, minSecondsToConvert: null, maxSecondsToConvert: null, perUserDailyCap: null, perIpDailyCap: null, ipMismatch: null,
  };

  it('an absent virtual click: inserted already bound with its (network, transaction id) claim, in the same step as the earning', () => {
    const plan = planConversion(null, null, keyed(), false);
    expect(plan.decision).toBe('credited');
    expect(plan.clickSet).toBeNull();
    expect(plan.clickInsert).toMatchObject({ _id: virtual.clickId, version: 1, status: 'converted', conversionId: 'tx-9', network: 'wall', networkTransactionId: 'tx-9' });
    expect(plan.networkTransaction).toEqual({ _id: '["wall","tx-9"]', clickId: virtual.clickId });
    expect(plan.insert).toMatchObject({ clickId: virtual.clickId, userId: 'u' });
    expect(plan.earning).toMatchObject({ amountMinor: 3000n, commissionMinor: 300n });
    expect(plan.owed.map((op) => op.kind)).toEqual(['credit', 'referral_credit']);
    expect(plan).toMatchObject({ counted: true, rule: null });
  });

  it('a virtual click refused by a risk rule is not inserted: only the audit row, with the rule', () => {
    const plan = planConversion(null, null, keyed({ offerId: 'o2', risk: { ...policy, offerMismatch: 'refuse' } }), false);
    expect(plan).toMatchObject({ decision: 'offer_mismatch', rule: 'offer_mismatch', clickInsert: null, insert: null, clickSet: null, earning: null });
    expect(plan.attempt).toMatchObject({ decision: 'offer_mismatch', rule: 'offer_mismatch', earningId: null });
  });

  it('a known transaction id claimed for another user is a conflict that writes nothing', () => {
    const stored = clickToDocument({ ...virtual, status: 'converted', conversionId: 'tx-9' }, 2);
    const plan = planConversion(stored, null, keyed({ clickIfAbsent: { ...virtual, userId: 'intruder' } }), false);
    expect(plan).toMatchObject({ decision: 'conflict', clickSet: null, clickInsert: null, insert: null, update: null });
  });

  it('goals: each listed goal is its own earning; the click keeps its first conversion; an unlisted goal is a conflict', () => {
    const goals = clickToDocument({ ...click, goals: ['install', 'purchase'], status: 'converted', conversionId: 'goal:install' }, 2);
    const purchase = planConversion(goals, null, command({ conversionId: 'goal:purchase' }), false);
    expect(purchase.decision).toBe('credited');
    expect(purchase.clickSet).toMatchObject({ status: 'converted', conversionId: 'goal:install' });
    expect(purchase.insert).toMatchObject({ conversionId: 'goal:purchase' });
    expect(planConversion(goals, null, command({ conversionId: 'goal:level_99' }), false)).toMatchObject({ decision: 'conflict', insert: null });
    const reject = planConversion(goals, null, command({ conversionId: 'goal:purchase', action: 'reject', postbackStatus: 'rejected' }), false);
    expect(reject.clickSet).toMatchObject({ status: 'converted' }); // a reject cancels its goal only
  });

  it('daily caps: counters at the cap hold with the rule and count nothing; below the cap the credit counts', () => {
    const capped = { ...policy, perUserDailyCap: { count: 2, amountMinor: null } };
    const atCap = planConversion(clickToDocument(click, 1), null, command({ risk: capped }), false, { user: { count: 2, amountMinor: 0n }, ip: null });
    expect(atCap).toMatchObject({ decision: 'held', rule: 'user_daily_cap', counted: false, owed: [] });
    expect(atCap.attempt).toMatchObject({ decision: 'held', rule: 'user_daily_cap' });
    const below = planConversion(clickToDocument(click, 1), null, command({ risk: capped }), false, { user: { count: 1, amountMinor: 0n }, ip: null });
    expect(below).toMatchObject({ decision: 'credited', rule: null, counted: true });
  });
});

describe('mongodb risk day counters', () => {
  const capped: RiskPolicy = {
    offerMismatch: null, minSecondsToConvert: null, maxSecondsToConvert: null, ipMismatch: null,
    perUserDailyCap: { count: 1, amountMinor: null }, perIpDailyCap: { count: null, amountMinor: 100n },
  };

  it('name one counter per UTC day and subject, the IP falling back to the conversion IP', () => {
    const now = new Date('2026-03-04T23:59:59Z');
    expect(counterIdsOf({ userId: 'u', ipAddress: null }, command({ now, risk: capped, conversionIp: '192.0.2.1' }))).toEqual({
      user: 'user:2026-03-04:u', ip: 'ip:2026-03-04:192.0.2.1',
    });
    expect(counterIdsOf({ userId: 'u', ipAddress: '198.51.100.4' }, command({ now, risk: capped }))).toEqual({ user: 'user:2026-03-04:u', ip: 'ip:2026-03-04:198.51.100.4' });
    expect(counterIdsOf({ userId: 'u', ipAddress: null }, command({ now, risk: capped }))).toEqual({ user: 'user:2026-03-04:u', ip: null });
    expect(counterIdsOf({ userId: 'u', ipAddress: 'x' }, command({ now }))).toEqual({ user: null, ip: null });
    expect(counterExpiry(now)).toEqual(new Date('2026-03-06T00:00:00Z'));
  });

  it('standalone reservations: the filter lets a reservation in only below the cap and once per attempt', () => {
    const filter = reservationFilter('user:2026-03-04:u', { count: 3, amountMinor: 1000n }, 400n, 'att-1');
    expect(filter).toMatchObject({ _id: 'user:2026-03-04:u', 'reservations.id': { $ne: 'att-1' }, count: { $lt: 3 } });
    expect(JSON.stringify(filter.$expr)).toBe(JSON.stringify({ $lte: [{ $add: ['$amount', toLong(400n)] }, toLong(1000n)] }));
    const countOnly = reservationFilter('ip:2026-03-04:x', { count: 1, amountMinor: null }, 5n, 'att-2');
    expect(countOnly).not.toHaveProperty('$expr');
    expect(reservationFilter('ip:d:x', { count: null, amountMinor: 9n }, 5n, 'a')).not.toHaveProperty('count');
    expect(() => reservationFilter({ $ne: null } as never, { count: 1, amountMinor: null }, 1n, 'a')).toThrow(TypeError);
  });

  it('standalone reservations decide like counters: reserved has room, refused is at the cap (count or amount)', () => {
    const roomy: RiskPolicy = { ...capped, perIpDailyCap: { count: null, amountMinor: 5000n } };
    const base = command({ risk: roomy });
    const stepOf = (user: boolean, ip: boolean) => ({
      attemptId: 'a',
      user: { id: 'user:2026-03-04:u', reserved: user, boundMinor: 1000n, cap: roomy.perUserDailyCap! },
      ip: { id: 'ip:2026-03-04:x', reserved: ip, boundMinor: 1000n, cap: roomy.perIpDailyCap! },
    });
    const decide = (user: boolean, ip: boolean) => planConversion(clickToDocument({ ...click, ipAddress: 'x' }, 1), null, base, false, reservedCounters(stepOf(user, ip)));
    expect(decide(true, true)).toMatchObject({ decision: 'credited', counted: true });
    expect(decide(false, true)).toMatchObject({ decision: 'held', rule: 'user_daily_cap' });
    // The IP cap of this policy is on the amount only (count null): still exceeded when not reserved.
    expect(decide(true, false)).toMatchObject({ decision: 'held', rule: 'ip_daily_cap' });
    expect(reservedCounters(null)).toEqual({ user: null, ip: null });
  });
});

describe('mongodb step plans: a taken (network, transaction id)', () => {
  it('a virtual click whose pair another click id holds is a conflict with its audit row only', () => {
    const virtual = userKeyedClick({
      network: 'wall', transactionId: 'tx-1', userId: 'u', offerId: null, earnUpToMinor: 100n, referrerId: null, commissionPpm: 0,
      holdAboveMinor: null, ipAddress: null, now: later,
    });
    const impostor = { ...virtual, clickId: 'impostor' };
    const cmd = command({ clickId: 'impostor', conversionId: 'tx-1', clickIfAbsent: impostor });
    const plan = planConversion(null, null, cmd, false, undefined, virtual.clickId);
    expect(plan).toMatchObject({ decision: 'conflict', clickInsert: null, networkTransaction: null, insert: null, clickSet: null, earning: null });
    expect(plan.attempt).toMatchObject({ decision: 'conflict', clickId: 'impostor', earningId: null });
    // Held by the command's own click id (a retry after a crash between claim and insert): planned as an insert.
    expect(planConversion(null, null, command({ clickId: virtual.clickId, conversionId: 'tx-1', clickIfAbsent: virtual }), false, undefined, virtual.clickId).clickInsert).not.toBeNull();
  });
});
