/**
 * The memory store's event outbox: a map in recording order (a Map keeps insertion order), so
 * "recording order" is the order of the steps, per user and overall. Like the rest of the memory
 * store each method runs without an `await`: one critical section.
 * @module
 */
import type { DeliveryUpdate, EventDelivery, EventStore, ListPosition, StoredEvent } from 'clickcredit';

/** The outbox: event id -> event with its delivery state. */
export type MemoryEvents = Map<string, EventDelivery>;

/** Records a new event as `pending` (an id already there is kept: a step never records twice). */
export function recordEvent(events: MemoryEvents, event: StoredEvent): void {
  if (events.has(event.id)) return;
  events.set(event.id, { ...event, data: { ...event.data }, state: 'pending', attempts: 0, nextAttemptAt: event.createdAt, lastError: null, deliveredAt: null });
}

function copy(event: EventDelivery): EventDelivery {
  return { ...event, data: { ...event.data } };
}

function isAfter(event: EventDelivery, after: ListPosition): boolean {
  const t = event.createdAt.getTime();
  const c = after.at.getTime();
  return t < c || (t === c && event.id < after.id);
}

/** The {@link EventStore} over the memory outbox. */
export function memoryEvents(events: MemoryEvents): EventStore {
  return {
    async listPending(limit) {
      const pending: EventDelivery[] = [];
      for (const event of events.values()) {
        if (pending.length >= limit) break;
        if (event.state === 'pending') pending.push(copy(event));
      }
      return pending;
    },
    async updateDelivery(id, update: DeliveryUpdate) {
      const event = events.get(id);
      if (!event || event.state !== 'pending') return false;
      events.set(id, { ...event, ...update });
      return true;
    },
    async listDeliveries({ state, limit, after }) {
      return [...events.values()]
        .filter((e) => (state === undefined || e.state === state) && (after === null || isAfter(e, after)))
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
        .slice(0, limit)
        .map(copy);
    },
    async getDelivery(id) {
      const event = events.get(id);
      return event ? copy(event) : null;
    },
    async retryDelivery(id, now) {
      const event = events.get(id);
      if (!event) return null;
      if (event.state !== 'dead') return copy(event);
      const retried: EventDelivery = { ...event, state: 'pending', attempts: 0, nextAttemptAt: now, lastError: event.lastError };
      // Back in recording order: a retried event keeps its place before the user's later events.
      events.set(id, retried);
      return copy(retried);
    },
    async eventsOfUser(userId) {
      return [...events.values()].filter((e) => e.userId === userId).map(copy);
    },
  };
}
