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
 *
 * Recording appends the row to a list in recording order; the index by id is brought up to date
 * by the first read after it (every read goes through it), so a postback's step pays an append,
 * not a lookup and an insert in a map the size of the whole outbox. What a read sees is what a
 * map in recording order gave: the first row of an id is kept, a later one with the same id is
 * dropped (a step never records twice; ids of conversion events are unique per step).
 * @module
 */
import type { ConversionDecision, DeliveryState, DeliveryUpdate, EarningRecord, EventDelivery, EventStore, ListPosition, StoredEvent } from 'clickcredit';
import { conversionEventId } from 'clickcredit';
import { eventOfConversion } from 'clickcredit/store';
import { flat } from './flat.js';

/**
 * One outbox row: an event and its delivery state. A conversion's row keeps only what its event is
 * derived from; its id (`evt_<attemptId>`) is written when a read first needs it, and the delivery
 * state only once it changes (until then: pending, no attempt, due when recorded).
 */
class EventRow {
  private storedId: string | null;
  private tracked: DeliveryUpdate | null = null;

  constructor(
    id: string | null,
    readonly createdAt: Date,
    /** The event itself, or `null` for a conversion's (derived from the three fields below). */
    readonly event: StoredEvent | null,
    readonly decision: ConversionDecision | null,
    readonly earning: EarningRecord | null,
    readonly attemptId: string | null,
  ) {
    this.storedId = id;
  }

  get id(): string {
    return (this.storedId ??= flat(conversionEventId(this.attemptId!)));
  }

  get userId(): string {
    return this.event?.userId ?? this.earning!.userId;
  }

  get state(): DeliveryState {
    return this.tracked?.state ?? 'pending';
  }

  /** Records a delivery update (its five fields, copied). */
  track(update: DeliveryUpdate): void {
    this.tracked = { state: update.state, attempts: update.attempts, nextAttemptAt: update.nextAttemptAt, lastError: update.lastError, deliveredAt: update.deliveredAt };
  }

  /** An admin's retry of a dead delivery: pending again, no attempt, due at `now`. */
  retry(now: Date): void {
    const { lastError = null, deliveredAt = null } = this.tracked ?? {};
    this.tracked = { state: 'pending', attempts: 0, nextAttemptAt: now, lastError, deliveredAt };
  }

  /** The row as the event store answers it: a fresh object the caller owns. */
  delivery(): EventDelivery {
    const event = this.event ?? eventOfConversion({ decision: this.decision!, earning: this.earning }, this.attemptId!, this.createdAt)!;
    const tracked = this.tracked;
    return {
      id: event.id,
      type: event.type,
      userId: event.userId,
      createdAt: event.createdAt,
      data: { ...event.data },
      state: tracked?.state ?? 'pending',
      attempts: tracked?.attempts ?? 0,
      nextAttemptAt: tracked?.nextAttemptAt ?? this.createdAt,
      lastError: tracked?.lastError ?? null,
      deliveredAt: tracked?.deliveredAt ?? null,
    };
  }
}

/** The outbox: rows in recording order, and their index by id. */
export class MemoryEvents {
  private readonly rows: EventRow[] = [];
  private readonly byId = new Map<string, EventRow>();
  /** Rows `[0, indexed)` are in `byId`. */
  private indexed = 0;

  /** Appends a row (its id checked by the next read). */
  append(row: EventRow): void {
    this.rows.push(row);
  }

  /** The row of `id`, if recorded. */
  get(id: string): EventRow | undefined {
    this.catchUp();
    return this.byId.get(id);
  }

  /** Every row in recording order. */
  all(): readonly EventRow[] {
    this.catchUp();
    return this.rows;
  }

  /** Indexes the rows appended since the last read; a row whose id is there already is dropped. */
  private catchUp(): void {
    while (this.indexed < this.rows.length) {
      const row = this.rows[this.indexed]!;
      if (this.byId.has(row.id)) {
        this.rows.splice(this.indexed, 1);
        continue;
      }
      this.byId.set(row.id, row);
      this.indexed += 1;
    }
  }
}

/** Records a new event as `pending` (an id already there is kept: a step never records twice). */
export function recordEvent(events: MemoryEvents, event: StoredEvent): void {
  if (events.get(event.id)) return;
  const id = flat(event.id);
  events.append(new EventRow(id, event.createdAt, { ...event, id, data: { ...event.data } }, null, null, null));
}

/**
 * Records the event of a conversion step (`event`, as `eventOfConversion` derived it from the
 * step's `decision`, its `earning` and `attemptId`) by what it is derived from.
 */
export function recordConversionEvent(events: MemoryEvents, event: StoredEvent, decision: ConversionDecision, earning: EarningRecord, attemptId: string): void {
  // The id is `evt_<attemptId>` (conversionEventId): written by the first read that needs it.
  events.append(new EventRow(null, event.createdAt, null, decision, earning, attemptId));
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
      for (const row of events.all()) {
        if (pending.length >= limit) break;
        if (row.state === 'pending') pending.push(row.delivery());
      }
      return pending;
    },
    async updateDelivery(id, update: DeliveryUpdate) {
      const row = events.get(id);
      if (!row || row.state !== 'pending') return false;
      row.track(update);
      return true;
    },
    async listDeliveries({ state, limit, after }) {
      return events.all()
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
      if (row.state === 'dead') row.retry(now);
      return row.delivery();
    },
    async eventsOfUser(userId) {
      return events.all().filter((e) => e.userId === userId).map((row) => row.delivery());
    },
  };
}
