import { describe, expect, it } from 'vitest';
import type { ClickRecord, ConversionCommand } from 'clickcredit';
import { clickToDocument, earningToDocument, type EarningDocument } from '../../adapters/mongodb/documents.js';
import { planApproval, planConversion } from '../../adapters/mongodb/plan.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const later = new Date(t0.getTime() + 60_000);

const click: ClickRecord = {
  clickId: 'c1', userId: 'u', productId: 'p', offerId: null, taskUrl: 't', redirectUrl: 'r', postbackUrl: 'b', ipAddress: null,
  userAgent: null, referrer: null, clickedAt: t0, expiresAt: new Date(t0.getTime() + 86_400_000), status: 'pending', conversionId: null,
  postbackReceived: false, postbackReceivedAt: null, visitCount: 4, firstVisitAt: t0, lastVisitAt: t0, createdAt: t0, updatedAt: t0,
  earnUpToMinor: 5000n, referrerId: 'ref', commissionPpm: 100_000, holdAboveMinor: null, holdWithinSeconds: null,
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
