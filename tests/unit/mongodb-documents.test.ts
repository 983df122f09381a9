import { BSON } from 'mongodb';
import { describe, expect, it } from 'vitest';
import type { ClickRecord, EarningRecord, PostbackAttempt } from 'clickcredit';
import {
  CLICK_STATE_FIELDS,
  attemptFromDocument,
  attemptToDocument,
  clickFromDocument,
  clickStateFields,
  clickToDocument,
  earningFromDocument,
  earningToDocument,
  ledgerFromDocument,
  ledgerToDocument,
  networkTransactionKey,
  networkTransactionOf,
  owedFromDocument,
  owedToDocument,
} from '../../adapters/mongodb/documents.js';
import { isTransactionalTopology } from '../../adapters/mongodb/topology.js';

const at = new Date('2026-01-01T00:00:00Z');

/** Through real BSON bytes and back, read the way the store's collections read. */
function viaBson<T extends object>(doc: T): T {
  return BSON.deserialize(BSON.serialize(doc), { useBigInt64: true }) as T;
}

const click: ClickRecord = {
  clickId: 'c1', userId: 'u', productId: 'p', offerId: null, taskUrl: 't', redirectUrl: 'r', postbackUrl: 'b', ipAddress: null,
  userAgent: null, referrer: null, clickedAt: at, expiresAt: at, status: 'pending', conversionId: null, postbackReceived: false,
  postbackReceivedAt: null, visitCount: 0, firstVisitAt: null, lastVisitAt: null, createdAt: at, updatedAt: at,
  earnUpToMinor: 9_007_199_254_740_993n, referrerId: 'r', commissionPpm: 100000, holdAboveMinor: 123n, holdWithinSeconds: null,
  network: null, networkTransactionId: null, goals: null,
};

const hostile = { click_id: 'c1', $ne: 'x', 'a.b': { $gt: '' }, 'nul\u0000key': 'v\u0000', lone: '\ud800' };

const earning: EarningRecord = {
  earningId: 'e', userId: 'u', productId: 'p', offerId: null, clickId: 'c1', conversionId: 'k', transactionId: null, amountMinor: 1234n,
  status: 'completed', approvalStatus: 'auto_approved', type: 'postback', credited: true, creditedAt: at, cancelledAt: null,
  cancelReason: null, reversedBeforeCredit: false, referrerId: null, commissionMinor: 0n, lastPostbackStatus: 'completed',
  postbackReceived: true, postbackReceivedAt: at, postbackData: hostile, earnedAt: at, createdAt: at, updatedAt: at,
};

describe('mongodb documents', () => {
  it('map a click to a document and back without loss, through BSON', () => {
    const doc = clickToDocument(click, 3);
    expect(doc).toMatchObject({ _id: 'c1', version: 3 });
    expect(clickFromDocument(viaBson(doc))).toEqual(click);
  });

  it('let a conversion set only the click state fields, never the visit counters', () => {
    const converted = { ...click, status: 'converted' as const, conversionId: 'k', visitCount: 99, updatedAt: new Date(at.getTime() + 1) };
    const fields = clickStateFields(converted);
    expect(Object.keys(fields).sort()).toEqual([...CLICK_STATE_FIELDS].sort());
    expect(fields).toMatchObject({ status: 'converted', conversionId: 'k' });
    expect(fields).not.toHaveProperty('visitCount');
  });

  it('keep hostile raw postback data exactly, as text (no $-, dotted or NUL field names in BSON)', () => {
    const doc = earningToDocument(earning, []);
    expect(typeof doc.postbackData).toBe('string');
    expect(() => BSON.serialize(doc)).not.toThrow(); // a NUL in a field name would throw here
    const back = earningFromDocument(viaBson(doc));
    expect(back).toEqual(earning);
    expect(back.postbackData).toEqual(hostile);

    const attempt: PostbackAttempt = {
      attemptId: 'a1', clickId: 'c1', conversionId: 'k', postbackStatus: 'completed', amount: '1.00', sourceIp: '203.0.113.7',
      rawData: hostile, decision: 'credited', earningId: 'e', message: null, receivedAt: at, rule: null,
    };
    expect(attemptFromDocument(viaBson(attemptToDocument(attempt)))).toEqual(attempt);
    // Same receivedAt to the millisecond: the order field still sorts them as made.
    const orders = Array.from({ length: 5 }, () => attemptToDocument(attempt).order.toHexString());
    expect(orders.slice().sort()).toEqual(orders);
  });

  it('store money as int64 in earnings, owed operations and ledger entries', () => {
    const op = { key: 'earning:e:credit', userId: 'u', kind: 'credit' as const, amountMinor: -12_345_678_901_234_567n, earningId: 'e', reversesKey: null, reason: 'credit', createdAt: at };
    const doc = viaBson(earningToDocument(earning, [owedToDocument(op)]));
    expect(doc.amount).toBe(1234n);
    expect(doc.owing).toBe(true);
    expect(owedFromDocument(doc.owed[0]!)).toEqual({ ...op, settledAt: null });
    const entry = ledgerFromDocument(viaBson({ ...ledgerToDocument(op, false), _id: 'id-1' as never }));
    expect(entry).toEqual({ ...op, entryId: 'id-1' });
  });

  it('keep the user-keyed and goals fields of a click through BSON; older clicks read them as null', () => {
    const virtual: ClickRecord = { ...click, network: 'wall', networkTransactionId: 'tx-1', goals: ['install', 'level_10'] };
    expect(clickFromDocument(viaBson(clickToDocument(virtual, 1)))).toEqual(virtual);
    const anyGoal: ClickRecord = { ...click, goals: true };
    expect(clickFromDocument(viaBson(clickToDocument(anyGoal, 1))).goals).toBe(true);
    const { network: _n, networkTransactionId: _t, goals: _g, ...older } = clickToDocument(click, 1);
    expect(clickFromDocument(viaBson(older))).toMatchObject({ network: null, networkTransactionId: null, goals: null });
  });

  it('name a (network, transaction id) claim unambiguously, and only for user-keyed clicks', () => {
    expect(networkTransactionOf(click)).toBeNull();
    expect(networkTransactionOf({ clickId: 'v', network: 'wall', networkTransactionId: 'tx' })).toEqual({ _id: '["wall","tx"]', clickId: 'v' });
    // A separator inside either part cannot make two pairs collide.
    expect(networkTransactionKey('a","b', 'c')).not.toBe(networkTransactionKey('a', 'b","c'));
    expect(networkTransactionKey('a\u0000b', 'c')).not.toBe(networkTransactionKey('a', 'b\u0000c'));
  });

  it('keep the risk rule of an audit row, and read a row without one as null', () => {
    const held: PostbackAttempt = {
      attemptId: 'a2', clickId: 'c1', conversionId: 'k', postbackStatus: 'completed', amount: '1.00', sourceIp: null,
      rawData: {}, decision: 'held', earningId: 'e', message: null, receivedAt: at, rule: 'user_daily_cap',
    };
    expect(attemptFromDocument(viaBson(attemptToDocument(held)))).toEqual(held);
    const { rule: _rule, ...withoutRule } = attemptToDocument({ ...held, rule: undefined });
    expect(attemptFromDocument(viaBson(withoutRule)).rule).toBeNull();
  });

  it('recognise transactional topologies from the hello reply', () => {
    expect(isTransactionalTopology({ setName: 'rs0' })).toBe(true);
    expect(isTransactionalTopology({ msg: 'isdbgrid' })).toBe(true);
    expect(isTransactionalTopology({})).toBe(false);
    expect(isTransactionalTopology({ setName: '' })).toBe(false);
  });
});
