/**
 * Conformance: events — exactly one event per change of money or of an earning's state, recorded
 * in the same step (read back from the store's outbox), none for a replay, one under 50
 * concurrent identical postbacks, in order per user, and the delivery state transitions.
 * @module
 */
import type { ClickStore, EventStore, EventDelivery, EventType } from '../../index.js';
import { click, postback, toMinor, type SuiteContext, type Theme } from '../context.js';

function outbox(store: ClickStore): EventStore {
  if (!store.events) throw new Error(`the ${store.name} store has no event outbox (ClickStore.events)`);
  return store.events;
}

async function eventsOf(context: SuiteContext, userId: string): Promise<EventDelivery[]> {
  return outbox(context.harness.storage).eventsOfUser(userId);
}

const typesOf = (events: EventDelivery[]): EventType[] => events.map((e) => e.type);
const deltaSum = (events: EventDelivery[]): bigint => events.reduce((sum, e) => sum + e.data.walletDeltaMinor, 0n);

/** Events: one per change, none per replay, concurrency, order per user, delivery states. */
export const eventsTheme: Theme = ({ it, expect }, ctx) => {
  it('records one conversion.credited per credit and none for a duplicate postback', async () => {
    const context = ctx();
    const t = context.tracker();
    const u = context.user();
    const received: string[] = [];
    const hooked = context.tracker({ onEvent: (event) => void received.push(event.id) });
    const { clickId } = await click(t, u);
    const credited = await postback(hooked, clickId, { amount: '12.50', conversionId: 'c1' });
    expect((await postback(hooked, clickId, { amount: '12.50', conversionId: 'c1' })).duplicate).toBe(true);
    const events = await eventsOf(context, u);
    expect(typesOf(events)).toEqual(['conversion.credited']);
    const [event] = events;
    expect(event).toMatchObject({ userId: u, state: 'pending', attempts: 0, lastError: null, deliveredAt: null });
    expect(event!.data).toMatchObject({
      change: 'credited', earningId: credited.earningId, clickId, conversionId: 'c1', productId: 'prod-50',
      status: 'completed', approvalStatus: 'auto_approved', amountMinor: 1250n, walletDeltaMinor: 1250n,
    });
    expect(event!.nextAttemptAt.getTime()).toBe(event!.createdAt.getTime());
    expect(received).toEqual([event!.id]);
    await context.expectBalance(u, '12.50', t);
  });

  it('records held, approved and rejected once each; the same decision again records nothing', async () => {
    const context = ctx();
    const t = context.tracker({ approvalHold: { aboveAmount: '5.00' } });
    const u = context.user();
    const a = await postback(t, (await click(t, u)).clickId, { amount: '9.00', conversionId: 'a' });
    const b = await postback(t, (await click(t, u)).clickId, { amount: '7.00', conversionId: 'b' });
    await t.approveEarning(a.earningId);
    await t.approveEarning(a.earningId);
    await t.admin.reject(b.earningId);
    await t.admin.reject(b.earningId);
    const events = await eventsOf(context, u);
    expect(typesOf(events)).toEqual(['conversion.held', 'conversion.held', 'earning.approved', 'earning.rejected']);
    expect(events.map((e) => e.data.walletDeltaMinor)).toEqual([0n, 0n, 900n, 0n]);
    expect(events[2]!.data).toMatchObject({ earningId: a.earningId, approvalStatus: 'manual_approved', change: 'approved' });
    expect(events[3]!.data).toMatchObject({ earningId: b.earningId, status: 'cancelled', change: 'approval_rejected' });
    expect(new Set(events.map((e) => e.id)).size).toBe(4);
    await context.expectBalance(u, '9.00', t);
  });

  it('records pending, credited and reversed in the order of the changes, with signed wallet deltas', async () => {
    const context = ctx();
    const t = context.tracker();
    const u = context.user();
    const { clickId } = await click(t, u);
    await postback(t, clickId, { amount: '4.00', conversionId: 'p', status: 'pending' });
    await postback(t, clickId, { amount: '4.00', conversionId: 'p', status: 'pending' });
    await postback(t, clickId, { amount: '4.00', conversionId: 'p' });
    await postback(t, clickId, { conversionId: 'p', status: 'reversed' });
    await postback(t, clickId, { conversionId: 'p', status: 'reversed' });
    const events = await eventsOf(context, u);
    expect(typesOf(events)).toEqual(['conversion.pending', 'conversion.credited', 'conversion.reversed']);
    expect(events.map((e) => e.data.walletDeltaMinor)).toEqual([0n, 400n, -400n]);
    expect(events.map((e) => e.data.change)).toEqual(['recorded_pending', 'credited', 'reversed']);
    const times = events.map((e) => e.createdAt.getTime());
    expect([...times].sort((x, y) => x - y)).toEqual(times);
    await context.expectBalance(u, '0.00', t);
  });

  it('a pre-reversal records conversion.reversed and the netted credit conversion.credited, both moving nothing', async () => {
    const context = ctx();
    const t = context.tracker();
    const u = context.user();
    const { clickId } = await click(t, u);
    expect((await postback(t, clickId, { amount: '3.00', conversionId: 'n', status: 'reversed' })).decision).toBe('pre_reversed');
    expect((await postback(t, clickId, { amount: '3.00', conversionId: 'n' })).decision).toBe('netted');
    expect((await postback(t, clickId, { amount: '3.00', conversionId: 'n' })).duplicate).toBe(true);
    const events = await eventsOf(context, u);
    expect(typesOf(events)).toEqual(['conversion.reversed', 'conversion.credited']);
    expect(events.map((e) => [e.data.change, e.data.walletDeltaMinor])).toEqual([['pre_reversed', 0n], ['netted', 0n]]);
    expect(deltaSum(events)).toBe(await context.harness.raw.cachedBalance(u));
  });

  it('a reject of a pending earning records conversion.rejected; a refused or unknown postback records nothing', async () => {
    const context = ctx();
    const t = context.tracker();
    const u = context.user();
    const { clickId } = await click(t, u);
    await postback(t, clickId, { amount: '2.00', conversionId: 'r', status: 'pending' });
    await postback(t, clickId, { conversionId: 'r', status: 'rejected' });
    await expect(postback(t, clickId, { amount: '2.00', conversionId: 'other' })).rejects.toMatchObject({ code: 'CONFLICT' });
    const events = await eventsOf(context, u);
    expect(typesOf(events)).toEqual(['conversion.pending', 'conversion.rejected']);
    expect(events[1]!.data).toMatchObject({ change: 'rejected', status: 'cancelled', walletDeltaMinor: 0n });
  });

  it('records one wallet.adjusted per applied adjustment, none for a replayed key or a refused debit', async () => {
    const context = ctx();
    const t = context.tracker();
    const u = context.user();
    const credit = { userId: u, amount: '10.00', direction: 'credit' as const, reason: 'goodwill', key: 'k1' };
    await t.admin.adjust(credit);
    await t.admin.adjust(credit);
    await expect(t.admin.adjust({ userId: u, amount: '50.00', direction: 'debit', reason: 'payout', key: 'k2' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await t.admin.adjust({ userId: u, amount: '4.00', direction: 'debit', reason: 'payout', key: 'k3' });
    const events = await eventsOf(context, u);
    expect(typesOf(events)).toEqual(['wallet.adjusted', 'wallet.adjusted']);
    expect(events.map((e) => [e.data.ledgerKey, e.data.amountMinor, e.data.walletDeltaMinor, e.data.reason])).toEqual([
      ['adjustment:k1', 1000n, 1000n, 'goodwill'], ['adjustment:k3', 400n, -400n, 'payout'],
    ]);
    await context.expectBalance(u, '6.00', t);
    expect(deltaSum(events)).toBe(toMinor('6.00'));
  });

  it('50 identical concurrent postbacks record exactly one event', async () => {
    const context = ctx();
    const t = context.tracker();
    const u = context.user();
    const { clickId } = await click(t, u);
    const results = await Promise.all(Array.from({ length: 50 }, () => postback(t, clickId, { amount: '1.00', conversionId: 'race' })));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(typesOf(await eventsOf(context, u))).toEqual(['conversion.credited']);
    await context.expectBalance(u, '1.00', t);
  });

  it('records nothing when the tracker turns events off', async () => {
    const context = ctx();
    const t = context.tracker({ events: false, approvalHold: { aboveAmount: '5.00' } });
    const u = context.user();
    await postback(t, (await click(t, u)).clickId, { amount: '1.00', conversionId: 'x' });
    const held = await postback(t, (await click(t, u)).clickId, { amount: '9.00', conversionId: 'y' });
    await t.approveEarning(held.earningId);
    await t.admin.adjust({ userId: u, amount: '1.00', direction: 'credit', reason: 'r', key: 'off' });
    expect(await eventsOf(context, u)).toEqual([]);
    await context.expectBalance(u, '11.00', t);
  });

  it('moves deliveries pending -> dead -> pending (admin retry) -> delivered, and lists them by state', async () => {
    const context = ctx();
    const t = context.tracker();
    const u = context.user();
    await postback(t, (await click(t, u)).clickId, { amount: '1.00', conversionId: 'd' });
    const store = outbox(context.harness.storage);
    const [event] = await eventsOf(context, u);
    const pending = await store.listPending(10_000);
    expect(pending.map((e) => e.id)).toContain(event!.id);
    const at = new Date(context.clock.now().getTime() + 1000);
    expect(await store.updateDelivery(event!.id, { state: 'dead', attempts: 3, nextAttemptAt: at, lastError: 'HTTP 500', deliveredAt: null })).toBe(true);
    // A dead delivery is no longer pending: a late worker cannot overwrite it.
    expect(await store.updateDelivery(event!.id, { state: 'delivered', attempts: 4, nextAttemptAt: at, lastError: null, deliveredAt: at })).toBe(false);
    expect((await store.listPending(10_000)).map((e) => e.id)).not.toContain(event!.id);
    expect((await store.listDeliveries({ state: 'dead', limit: 200, after: null })).map((e) => e.id)).toContain(event!.id);
    expect(await store.getDelivery(event!.id)).toMatchObject({ state: 'dead', attempts: 3, lastError: 'HTTP 500' });
    const retried = await store.retryDelivery(event!.id, at);
    expect(retried).toMatchObject({ id: event!.id, state: 'pending', attempts: 0 });
    expect(retried!.nextAttemptAt.getTime()).toBe(at.getTime());
    expect(await store.updateDelivery(event!.id, { state: 'delivered', attempts: 1, nextAttemptAt: at, lastError: null, deliveredAt: at })).toBe(true);
    const delivered = await store.getDelivery(event!.id);
    expect(delivered).toMatchObject({ state: 'delivered', attempts: 1, lastError: null });
    expect(delivered!.deliveredAt!.getTime()).toBe(at.getTime());
    // Retrying what is not dead changes nothing; an unknown id is null.
    expect(await store.retryDelivery(event!.id, at)).toMatchObject({ state: 'delivered' });
    expect(await store.retryDelivery('evt_no-such-event', at)).toBeNull();
    expect(await store.getDelivery('evt_no-such-event')).toBeNull();
    expect((await store.listDeliveries({ state: 'delivered', limit: 200, after: null })).map((e) => e.id)).toContain(event!.id);
    expect((await store.listDeliveries({ state: 'pending', limit: 200, after: null })).map((e) => e.id)).not.toContain(event!.id);
  });

  it('pages the delivery list newest first with a keyset position', async () => {
    const context = ctx();
    const t = context.tracker();
    const u = context.user();
    for (const id of ['p1', 'p2', 'p3']) {
      context.clock.advanceSeconds(1);
      await postback(t, (await click(t, u)).clickId, { amount: '1.00', conversionId: id });
    }
    const store = outbox(context.harness.storage);
    const mine = new Set((await eventsOf(context, u)).map((e) => e.id));
    const first = (await store.listDeliveries({ limit: 2, after: null })).filter((e) => mine.has(e.id));
    expect(first).toHaveLength(2);
    expect(first[0]!.createdAt.getTime()).toBeGreaterThan(first[1]!.createdAt.getTime());
    const last = first[1]!;
    const next = await store.listDeliveries({ limit: 200, after: { at: last.createdAt, id: last.id } });
    expect(next.every((e) => e.createdAt.getTime() <= last.createdAt.getTime())).toBe(true);
    expect(next.map((e) => e.id)).not.toContain(first[0]!.id);
    expect(next.map((e) => e.id).filter((id) => mine.has(id))).toHaveLength(1);
  });
};
