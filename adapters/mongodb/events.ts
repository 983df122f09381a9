/**
 * The event outbox: one document per event, `_id` the event's deterministic id (so a second
 * write of the same event is a duplicate key, never a second event), with its webhook delivery
 * state on the same document.
 *
 * Written in the step's own atomic unit: inside the step's transaction on a replica set or a
 * sharded cluster; on the standalone path carried by the step's crash-finishing record (the
 * click journal for postbacks and approvals, the unfolded ledger entry for adjustments) and
 * inserted from it if absent, so a crash never loses an event and a replay never adds one.
 *
 * Recording order is (`createdAt`, `order`): the step's time, then an ObjectId taken when the
 * event was built, whose timestamp-then-counter layout orders the events one process makes
 * within one millisecond.
 * @module
 */
import type { DeliveryState, DeliveryUpdate, EventDelivery, EventFacts, EventStore, EventType, ListPosition, StoredEvent } from 'clickcredit';
import { ObjectId, type ClientSession, type Document } from 'mongodb';
import type { StoreCollections } from './collections.js';
import type { StoredInt64 } from './documents.js';
import { isDuplicateKey } from './errors.js';
import { asDate, asId, asLimit } from './guards.js';
import { fromLong, toLong } from './int64.js';

/** An event's facts as stored: money as int64. */
export type EventDataDocument = Omit<EventFacts, 'amountMinor' | 'walletDeltaMinor' | 'commissionDeltaMinor'> & {
  amount: StoredInt64;
  walletDelta: StoredInt64;
  commissionDelta: StoredInt64;
};

/** One event with its delivery state. */
export interface EventDocument {
  /** The event id (`webhook-id`). */
  _id: string;
  type: EventType;
  userId: string;
  createdAt: Date;
  /** Tie-break of recording order within one `createdAt` (see the module comment). */
  order: ObjectId;
  data: EventDataDocument;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  deliveredAt: Date | null;
}

/** A new event → its document: `pending`, no try yet, due at once. */
export function eventToDocument(event: StoredEvent): EventDocument {
  const { amountMinor, walletDeltaMinor, commissionDeltaMinor, ...facts } = event.data;
  return {
    _id: event.id,
    type: event.type,
    userId: event.userId,
    createdAt: event.createdAt,
    order: new ObjectId(),
    data: { ...facts, amount: toLong(amountMinor), walletDelta: toLong(walletDeltaMinor), commissionDelta: toLong(commissionDeltaMinor) },
    state: 'pending',
    attempts: 0,
    nextAttemptAt: event.createdAt,
    lastError: null,
    deliveredAt: null,
  };
}

/** An event document → the event with its delivery state. */
export function eventFromDocument(d: EventDocument): EventDelivery {
  const { amount, walletDelta, commissionDelta, ...facts } = d.data;
  return {
    id: d._id,
    type: d.type,
    userId: d.userId,
    createdAt: d.createdAt,
    data: { ...facts, amountMinor: fromLong(amount), walletDeltaMinor: fromLong(walletDelta), commissionDeltaMinor: fromLong(commissionDelta) },
    state: d.state,
    attempts: d.attempts,
    nextAttemptAt: d.nextAttemptAt,
    lastError: d.lastError,
    deliveredAt: d.deliveredAt,
  };
}

/** The event as it was recorded (delivery state dropped): what a step hands to `onEvent`. */
export function storedEventOf(d: EventDocument): StoredEvent {
  const { id, type, userId, createdAt, data } = eventFromDocument(d);
  return { id, type, userId, createdAt, data };
}

/**
 * Records an event inside the step's transaction, unless its id is already there (an upsert
 * that only inserts: a duplicate id leaves the first event as it is, and aborts nothing).
 */
export async function insertEventInTransaction(c: StoreCollections, doc: EventDocument, session: ClientSession): Promise<void> {
  const { _id, ...fields } = doc;
  await c.events.updateOne({ _id: asId(_id, 'eventId') }, { $setOnInsert: fields }, { upsert: true, session });
}

/**
 * Records an event unless its id is already there (the standalone path: whoever finishes the
 * step's journal or folds its ledger entry first inserts it, the others find it).
 */
export async function insertEventOnce(c: StoreCollections, doc: EventDocument): Promise<void> {
  try {
    await c.events.insertOne(doc);
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
}

/** The keyset filter of a newest-first page after `after` (by `createdAt` desc, `_id` desc). */
export function deliveriesFilter(state: DeliveryState | undefined, after: ListPosition | null): Document {
  const filter: Document = state === undefined ? {} : { state: asState(state) };
  if (after) {
    const at = asDate(after.at, 'cursor');
    filter.$or = [{ createdAt: { $lt: at } }, { createdAt: at, _id: { $lt: asId(after.id, 'cursor') } }];
  }
  return filter;
}

const STATES: readonly DeliveryState[] = ['pending', 'delivered', 'dead'];

/** A delivery state for a filter or an update, or a `TypeError`. */
export function asState(value: unknown): DeliveryState {
  if (typeof value !== 'string' || !(STATES as readonly string[]).includes(value)) {
    throw new TypeError('clickcredit/mongodb: state must be pending, delivered or dead');
  }
  return value as DeliveryState;
}

function asAttempts(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new TypeError('clickcredit/mongodb: attempts must be a non-negative integer');
  return value;
}

/** The `$set` of one delivery try, with every value checked. */
export function deliveryUpdateFields(update: DeliveryUpdate): Pick<EventDocument, 'state' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'deliveredAt'> {
  if (update.lastError !== null && typeof update.lastError !== 'string') throw new TypeError('clickcredit/mongodb: lastError must be a string or null');
  return {
    state: asState(update.state),
    attempts: asAttempts(update.attempts),
    nextAttemptAt: asDate(update.nextAttemptAt, 'nextAttemptAt'),
    lastError: update.lastError,
    deliveredAt: update.deliveredAt === null ? null : asDate(update.deliveredAt, 'deliveredAt'),
  };
}

/** Recording order: the step's time, then the per-process ObjectId. */
const RECORDING_ORDER = { createdAt: 1, order: 1 } as const;

/** The {@link EventStore} on the events collection (indexes: indexes.ts). */
export function mongoEvents(c: StoreCollections): EventStore {
  return {
    async listPending(limit) {
      const docs = await c.events.find({ state: 'pending' }).sort(RECORDING_ORDER).limit(asLimit(limit)).toArray();
      return docs.map(eventFromDocument);
    },

    // Only while pending: a try that finishes after an admin's retry or another worker's
    // success changes nothing.
    async updateDelivery(id, update) {
      const result = await c.events.updateOne({ _id: asId(id, 'eventId'), state: 'pending' }, { $set: deliveryUpdateFields(update) });
      return result.matchedCount > 0;
    },

    async listDeliveries({ state, limit, after }) {
      const docs = await c.events.find(deliveriesFilter(state, after)).sort({ createdAt: -1, _id: -1 }).limit(asLimit(limit)).toArray();
      return docs.map(eventFromDocument);
    },

    async getDelivery(id) {
      const doc = await c.events.findOne({ _id: asId(id, 'eventId') });
      return doc ? eventFromDocument(doc) : null;
    },

    // One conditional update: of two admins retrying at once, one moves it, the other reads it
    // pending. It keeps its recording order, so it stays before the user's later events.
    async retryDelivery(id, now) {
      const eventId = asId(id, 'eventId');
      const retried = await c.events.findOneAndUpdate(
        { _id: eventId, state: 'dead' },
        { $set: { state: 'pending', attempts: 0, nextAttemptAt: asDate(now, 'now') } },
        { returnDocument: 'after', includeResultMetadata: false },
      );
      if (retried) return eventFromDocument(retried);
      const doc = await c.events.findOne({ _id: eventId });
      return doc ? eventFromDocument(doc) : null;
    },

    async eventsOfUser(userId) {
      const docs = await c.events.find({ userId: asId(userId, 'userId') }).sort(RECORDING_ORDER).toArray();
      return docs.map(eventFromDocument);
    },
  };
}
