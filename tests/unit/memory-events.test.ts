/**
 * The memory store's event outbox: rows appended by a step are indexed by the next read, and
 * every read sees what a map in recording order gave (first row of an id kept, a later one with
 * the same id dropped, order kept across deliveries and retries).
 */
import { describe, expect, it } from 'vitest';
import type { EarningRecord, StoredEvent } from 'clickcredit';
import { eventOfConversion } from 'clickcredit/store';
import { MemoryEvents, memoryEvents, recordConversionEvent, recordEvent } from '../../adapters/memory/events.js';

const at = new Date('2026-01-02T03:04:05.000Z');
const earning = (earningId: string, userId: string): EarningRecord => ({
  earningId, userId, productId: 'p', offerId: null, clickId: `click-${earningId}`, conversionId: 'c', transactionId: null,
  amountMinor: 500n, status: 'completed', approvalStatus: 'auto_approved', type: 'postback', credited: true, creditedAt: at,
  cancelledAt: null, cancelReason: null, reversedBeforeCredit: false, referrerId: null, commissionMinor: 0n,
  lastPostbackStatus: 'completed', postbackReceived: true, postbackReceivedAt: at, postbackData: {}, earnedAt: at, createdAt: at, updatedAt: at,
});
const adjustment = (id: string, userId: string): StoredEvent => ({
  id, type: 'wallet.adjusted', userId, createdAt: at,
  data: { change: 'adjusted', earningId: null, clickId: null, conversionId: null, productId: null, status: null, approvalStatus: null, amountMinor: 100n, walletDeltaMinor: 100n, referrerId: null, commissionDeltaMinor: 0n, ledgerKey: `k-${id}`, reason: null },
});

describe('memory event outbox', () => {
  it('derives a conversion event on read exactly as the step derived it', async () => {
    const events = new MemoryEvents();
    const e = earning('e1', 'u1');
    const event = eventOfConversion({ decision: 'credited', earning: e }, 'a1', at)!;
    recordConversionEvent(events, event, 'credited', e, 'a1');
    const [delivery] = await memoryEvents(events).listPending(10);
    expect(delivery).toEqual({ ...event, state: 'pending', attempts: 0, nextAttemptAt: at, lastError: null, deliveredAt: null });
  });

  it('keeps the first row of an id and the recording order, whatever reads come between', async () => {
    const events = new MemoryEvents();
    const store = memoryEvents(events);
    const e1 = earning('e1', 'u1');
    const first = eventOfConversion({ decision: 'credited', earning: e1 }, 'a1', at)!;
    recordConversionEvent(events, first, 'credited', e1, 'a1');
    recordEvent(events, adjustment('evt_x', 'u2'));
    // The same step's id again (a step never records twice; a duplicate must not show).
    recordConversionEvent(events, first, 'credited', earning('e9', 'u9'), 'a1');
    recordEvent(events, adjustment('evt_x', 'u3'));
    recordEvent(events, adjustment('evt_y', 'u1'));
    expect((await store.listPending(10)).map((e) => [e.id, e.userId])).toEqual([['evt_a1', 'u1'], ['evt_x', 'u2'], ['evt_y', 'u1']]);
    expect(await store.updateDelivery('evt_x', { state: 'dead', attempts: 3, nextAttemptAt: at, lastError: 'boom', deliveredAt: null })).toBe(true);
    expect((await store.listPending(10)).map((e) => e.id)).toEqual(['evt_a1', 'evt_y']);
    expect((await store.retryDelivery('evt_x', at))!.state).toBe('pending');
    expect((await store.listPending(10)).map((e) => e.id)).toEqual(['evt_a1', 'evt_x', 'evt_y']);
    expect((await store.eventsOfUser('u1')).map((e) => e.id)).toEqual(['evt_a1', 'evt_y']);
    expect(await store.getDelivery('evt_nope')).toBeNull();
  });
});
