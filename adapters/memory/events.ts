/**
 * The memory store's event outbox: a map in recording order (a Map keeps insertion order), so
 * "recording order" is the order of the steps, per user and overall. Like the rest of the memory
 * store each method runs without an `await`: one critical section.
 *
 * Rows are compact, because the memory store keeps every event in the JS heap and the garbage
 * collector walks all of it: a conversion's row keeps the step's decision and the earning the
 * step left (an immutable record the store replaces, never edits), and its event is derived from
 * them on read by the same pure function that derived it in the step (`eventOfConversion`), so
 * nothing of the event is stored twice. Other events (approvals, adjustments) keep the event.
 * @module
 */
import type { ConversionDecision, DeliveryState, DeliveryUpdate, EarningRecord, EventDelivery, EventStore, ListPosition, StoredEvent } from 'clickcredit';
import { eventOfConversion } from 'clickcredit/store';
import { flat } from './flat.js';

/** One outbox row: an event and its delivery state. */
class EventRow {
  state: DeliveryState = 'pending';
  attempts = 0;
  nextAttemptAt: Date;
  lastError: string | null = null;
  deliveredAt: Date | null = null;

  constructor(
    readonly id: string,
    readonly userId: string,
    readonly createdAt: Date,
    /** The event itself, or `null` for a conversion's (derived from the three fields below). */
    readonly event: StoredEvent | null,
    readonly decision: ConversionDecision | null,
    readonly earning: EarningRecord | null,
    readonly attemptId: string | null,
  ) {
    this.nextAttemptAt = createdAt;
  }

  /** The row as the event store answers it: a fresh object the caller owns. */
  delivery(): EventDelivery {
    const event = this.event ?? eventOfConversion({ decision: this.decision!, earning: this.earning }, this.attemptId!, this.createdAt)!;
    return {
      id: event.id,
      type: event.type,
      userId: event.userId,
      createdAt: event.createdAt,
      data: { ...event.data },
      state: this.state,
      attempts: this.attempts,
      nextAttemptAt: this.nextAttemptAt,
      lastError: this.lastError,
      deliveredAt: this.deliveredAt,
    };
  }
}

/** The outbox: event id -> row. */
export type MemoryEvents = Map<string, EventRow>;

/** Records a new event as `pending` (an id already there is kept: a step never records twice). */
export function recordEvent(events: MemoryEvents, event: StoredEvent): void {
  if (events.has(event.id)) return;
  const id = flat(event.id);
  events.set(id, new EventRow(id, event.userId, event.createdAt, { ...event, id, data: { ...event.data } }, null, null, null));
}

/**
 * Records the event of a conversion step (`event`, as `eventOfConversion` derived it from the
 * step's `decision`, its `earning` and `attemptId`) by what it is derived from.
 */
export function recordConversionEvent(events: MemoryEvents, event: StoredEvent, decision: ConversionDecision, earning: EarningRecord, attemptId: string): void {
  if (events.has(event.id)) return;
  const id = flat(event.id);
  events.set(id, new EventRow(id, event.userId, event.createdAt, null, decision, earning, attemptId));
}

function isAfter(row: EventRow, after: ListPosition): boolean {
  const t = row.createdAt.getTime();
  const c = after.at.getTime();
  return t < c || (t === c && row.id < after.id);
}

/** The {@link EventStore} over the memory outbox. */
export function memoryEvents(events: MemoryEvents): EventStore {
  return {
    async listPending(limit) {
      const pending: EventDelivery[] = [];
      for (const row of events.values()) {
        if (pending.length >= limit) break;
        if (row.state === 'pending') pending.push(row.delivery());
      }
      return pending;
    },
    async updateDelivery(id, update: DeliveryUpdate) {
      const row = events.get(id);
      if (!row || row.state !== 'pending') return false;
      row.state = update.state;
      row.attempts = update.attempts;
      row.nextAttemptAt = update.nextAttemptAt;
      row.lastError = update.lastError;
      row.deliveredAt = update.deliveredAt;
      return true;
    },
    async listDeliveries({ state, limit, after }) {
      return [...events.values()]
        .filter((e) => (state === undefined || e.state === state) && (after === null || isAfter(e, after)))
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
        .slice(0, limit)
        .map((row) => row.delivery());
    },
    async getDelivery(id) {
      return events.get(id)?.delivery() ?? null;
    },
    async retryDelivery(id, now) {
      const row = events.get(id);
      if (!row) return null;
      // Back to pending in place: a retried event keeps its place before the user's later events.
      if (row.state === 'dead') {
        row.state = 'pending';
        row.attempts = 0;
        row.nextAttemptAt = now;
      }
      return row.delivery();
    },
    async eventsOfUser(userId) {
      return [...events.values()].filter((e) => e.userId === userId).map((row) => row.delivery());
    },
  };
}
