import { Long } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { asId } from 'clickcredit/mongodb';
import { fromLong, toLong } from '../../adapters/mongodb/guards.js';
import { clickFromDocument, clickToDocument, earningFromDocument, earningToDocument } from '../../adapters/mongodb/documents.js';

describe('mongodb filter guards', () => {
  it('lets only plain strings reach a filter (no operator injection)', () => {
    expect(asId('550e8400-e29b-41d4-a716-446655440000')).toBe('550e8400-e29b-41d4-a716-446655440000');
    for (const evil of [{ $ne: null }, { $gt: '' }, ['a'], 42, null, undefined, '', 'x'.repeat(513)]) {
      expect(() => asId(evil)).toThrow(TypeError);
    }
  });

  it('stores money as exact int64, never as a double', () => {
    const big = 9_007_199_254_740_993n; // 2^53 + 1: not representable as a double
    const long = toLong(big);
    expect(long).toBeInstanceOf(Long);
    expect(fromLong(long)).toBe(big);
    expect(fromLong(5000)).toBe(5000n);
    expect(() => fromLong(0.1)).toThrow(TypeError);
  });

  it('maps clicks and earnings to documents and back without loss', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const click = {
      clickId: 'c1', userId: 'u', productId: 'p', offerId: null, taskUrl: 't', redirectUrl: 'r', postbackUrl: 'b', ipAddress: null,
      userAgent: null, referrer: null, clickedAt: at, expiresAt: at, status: 'pending' as const, conversionId: null, postbackReceived: false,
      postbackReceivedAt: null, visitCount: 0, firstVisitAt: null, lastVisitAt: null, createdAt: at, updatedAt: at,
      earnUpToMinor: 5000n, referrerId: 'r', commissionPpm: 100000, holdAboveMinor: 123n, holdWithinSeconds: null,
    };
    expect(clickFromDocument(clickToDocument(click, 3))).toEqual(click);
    const earning = {
      earningId: 'e', userId: 'u', productId: 'p', offerId: null, clickId: 'c1', conversionId: 'k', transactionId: null, amountMinor: 1234n,
      status: 'completed' as const, approvalStatus: 'auto_approved' as const, type: 'postback', credited: true, creditedAt: at, cancelledAt: null,
      cancelReason: null, reversedBeforeCredit: false, referrerId: null, commissionMinor: 0n, lastPostbackStatus: 'completed',
      postbackReceived: true, postbackReceivedAt: at, postbackData: { a: 1 }, earnedAt: at, createdAt: at, updatedAt: at,
    };
    const doc = earningToDocument(earning, 1, []);
    expect(doc.amount.toBigInt()).toBe(1234n);
    expect(earningFromDocument(doc)).toEqual(earning);
  });
});
