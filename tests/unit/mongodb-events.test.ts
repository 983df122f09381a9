import { BSON } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { adjustmentEventId, type StoredEvent, type WalletOperation } from 'clickcredit';
import { eventOfAdjustment } from 'clickcredit/store';
import { ledgerFromDocument, ledgerToDocument, type JournalDocument } from '../../adapters/mongodb/documents.js';
import {
  asState,
  deliveriesFilter,
  deliveryUpdateFields,
  eventFromDocument,
  eventToDocument,
  storedEventOf,
  type EventDocument,
} from '../../adapters/mongodb/events.js';

const at = new Date('2026-01-01T00:00:00Z');

/** Through real BSON bytes and back, read the way the store's collections read. */
function viaBson<T extends object>(doc: T): T {
  return BSON.deserialize(BSON.serialize(doc), { useBigInt64: true }) as T;
}

const credited: StoredEvent = {
  id: 'evt_attempt-1',
  type: 'conversion.credited',
  userId: 'u1',
  createdAt: at,
  data: {
    change: 'credited', earningId: 'e1', clickId: 'c1', conversionId: 'conv', productId: 'p', status: 'completed', approvalStatus: 'auto_approved',
    amountMinor: 9_007_199_254_740_993n, walletDeltaMinor: 9_007_199_254_740_993n, referrerId: 'r', commissionDeltaMinor: 12n, ledgerKey: null, reason: null,
  },
};

const debit: WalletOperation = {
  key: 'adjustment:k', userId: 'u1', kind: 'manual_debit', amountMinor: -400n, earningId: null, reversesKey: null, reason: 'payout', createdAt: at,
};

/** The recording order the store sorts by: createdAt, then the ObjectId tie-break. */
function byRecordingOrder(a: EventDocument, b: EventDocument): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || a.order.toHexString().localeCompare(b.order.toHexString());
}

describe('mongodb event documents', () => {
  it('stores a new event pending, due at once, with its money as int64 exactly (past 2^53, negative)', () => {
    const doc = viaBson(eventToDocument(credited));
    expect(doc).toMatchObject({ _id: 'evt_attempt-1', type: 'conversion.credited', userId: 'u1', state: 'pending', attempts: 0, lastError: null, deliveredAt: null });
    expect(doc.nextAttemptAt.getTime()).toBe(at.getTime());
    expect(doc.data.amount).toBe(9_007_199_254_740_993n);
    expect(eventFromDocument(doc)).toEqual({ ...credited, state: 'pending', attempts: 0, nextAttemptAt: at, lastError: null, deliveredAt: null });
    const adjusted = viaBson(eventToDocument(eventOfAdjustment(debit, adjustmentEventId(debit.key))));
    expect(adjusted.data.walletDelta).toBe(-400n);
    expect(storedEventOf(adjusted).data).toMatchObject({ amountMinor: 400n, walletDeltaMinor: -400n, ledgerKey: 'adjustment:k', reason: 'payout' });
  });

  it('keeps the event a journal carries identical after the journal is stored on the click and read back', () => {
    const journal: JournalDocument = { id: 'attempt-1', at, insert: null, update: null, attempt: null, event: eventToDocument(credited) };
    const read = viaBson(journal);
    expect(storedEventOf(read.event!)).toEqual(credited);
    // The tie-break survives too: re-inserting from the journal keeps the event's place.
    expect(read.event!.order.toHexString()).toBe(journal.event!.order.toHexString());
  });

  it('orders events made in one millisecond by the order they were made', () => {
    const docs = Array.from({ length: 50 }, (_, i) => eventToDocument({ ...credited, id: `evt_${String(49 - i).padStart(2, '0')}` }));
    const sorted = [...docs].sort(byRecordingOrder);
    expect(sorted.map((d) => d._id)).toEqual(docs.map((d) => d._id));
    const later = eventToDocument({ ...credited, id: 'evt_later', createdAt: new Date(at.getTime() + 1) });
    const earlier = eventToDocument({ ...credited, id: 'evt_earlier' });
    expect([later, earlier].sort(byRecordingOrder).map((d) => d._id)).toEqual(['evt_earlier', 'evt_later']);
  });

  it('drops an adjustment entry\'s carried event from the ledger entry the core reads', () => {
    const event = eventToDocument(eventOfAdjustment(debit, 'evt_x'));
    const entry = ledgerFromDocument(viaBson({ ...ledgerToDocument(debit, false), event }));
    expect(entry).not.toHaveProperty('event');
    expect(entry).toMatchObject({ key: 'adjustment:k', amountMinor: -400n, reason: 'payout' });
  });
});

describe('mongodb delivery filters and updates', () => {
  it('builds the newest-first keyset filter, optionally in one state', () => {
    expect(deliveriesFilter(undefined, null)).toEqual({});
    expect(deliveriesFilter('dead', null)).toEqual({ state: 'dead' });
    expect(deliveriesFilter('pending', { at, id: 'evt_b' })).toEqual({
      state: 'pending',
      $or: [{ createdAt: { $lt: at } }, { createdAt: at, _id: { $lt: 'evt_b' } }],
    });
  });

  it('refuses values that would widen a filter or corrupt a delivery', () => {
    expect(() => deliveriesFilter('failed' as never, null)).toThrow(TypeError);
    expect(() => deliveriesFilter(undefined, { at, id: { $gt: '' } as never })).toThrow(TypeError);
    expect(() => deliveriesFilter(undefined, { at: new Date(Number.NaN), id: 'x' })).toThrow(TypeError);
    expect(() => asState({ $ne: 'dead' })).toThrow(TypeError);
    const ok = { state: 'pending' as const, attempts: 2, nextAttemptAt: at, lastError: 'HTTP 500', deliveredAt: null };
    expect(deliveryUpdateFields(ok)).toEqual(ok);
    expect(() => deliveryUpdateFields({ ...ok, attempts: -1 })).toThrow(TypeError);
    expect(() => deliveryUpdateFields({ ...ok, attempts: 1.5 })).toThrow(TypeError);
    expect(() => deliveryUpdateFields({ ...ok, state: 'sent' as never })).toThrow(TypeError);
    expect(() => deliveryUpdateFields({ ...ok, lastError: { $set: 1 } as never })).toThrow(TypeError);
    expect(() => deliveryUpdateFields({ ...ok, deliveredAt: 'now' as never })).toThrow(TypeError);
  });
});
