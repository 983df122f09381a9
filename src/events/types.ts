/**
 * Events: what a host learns about every change of money or of an earning's state. Each store
 * records an event in its outbox in the same atomic step as the change ({@link EventStore}); the
 * `deliverEvents` worker sends them as signed webhooks, in order per user, with backoff and a
 * dead-letter state.
 * @module
 */
import type { ListPosition } from '../admin/types.js';

/** The event types of the contract ("Events and webhooks"). */
export type EventType =
  | 'conversion.credited'
  | 'conversion.held'
  | 'conversion.pending'
  | 'conversion.rejected'
  | 'conversion.reversed'
  | 'earning.approved'
  | 'earning.rejected'
  | 'wallet.adjusted';

/** Every event type, in the order of the contract. */
export const EVENT_TYPES: readonly EventType[] = [
  'conversion.credited', 'conversion.held', 'conversion.pending', 'conversion.rejected', 'conversion.reversed',
  'earning.approved', 'earning.rejected', 'wallet.adjusted',
];

/**
 * What changed, store-neutral (minor units; the core renders decimal strings in the body). The
 * fields a change has no value for are `null` (an adjustment has no earning, a conversion no
 * ledger key).
 */
export interface EventFacts {
  /** The step's decision: a conversion decision (`credited`, `netted`, `pre_reversed`...), `approved`, `approval_rejected` or `adjusted`. */
  change: string;
  earningId: string | null;
  clickId: string | null;
  conversionId: string | null;
  productId: string | null;
  /** The earning's status and approval status right after the change. */
  status: string | null;
  approvalStatus: string | null;
  /** The earning's amount (adjustments: the adjustment's absolute amount). */
  amountMinor: bigint;
  /**
   * What this change moved on the user's wallet (signed): `+amount` for a credit or an approval,
   * `-amount` for a reversal of a credited earning, `0` for a hold, a pending, a rejection, a
   * pre-reversal and a netted credit (its credit and reversal are written together).
   */
  walletDeltaMinor: bigint;
  referrerId: string | null;
  /** The referrer's commission moved by this change (signed like `walletDeltaMinor`). */
  commissionDeltaMinor: bigint;
  /** Adjustments: the ledger key and the reason. */
  ledgerKey: string | null;
  reason: string | null;
}

/** One recorded event. `id` is stable: the same on every delivery try (`webhook-id`). */
export interface StoredEvent {
  id: string;
  type: EventType;
  /** The user whose earning or wallet changed: events are delivered in order per user. */
  userId: string;
  createdAt: Date;
  data: EventFacts;
}

/** Where an event's webhook delivery stands. */
export type DeliveryState = 'pending' | 'delivered' | 'dead';

/** Delivery states, for validation. */
export const DELIVERY_STATES: readonly DeliveryState[] = ['pending', 'delivered', 'dead'];

/** An event with its webhook delivery state (one delivery per event). */
export interface EventDelivery extends StoredEvent {
  state: DeliveryState;
  /** Tries made so far (reset to 0 by an admin retry). */
  attempts: number;
  /** Earliest time of the next try (`pending` only). */
  nextAttemptAt: Date;
  /** Why the last try failed (status code or network error), `null` before any failure. */
  lastError: string | null;
  deliveredAt: Date | null;
}

/** What one try changes (written by {@link EventStore.updateDelivery}). */
export interface DeliveryUpdate {
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  deliveredAt: Date | null;
}

/** Query of {@link EventStore.listDeliveries}: newest first by (createdAt, id). */
export interface DeliveryQuery {
  state?: DeliveryState;
  limit: number;
  after: ListPosition | null;
}

/**
 * The event outbox of a store. Events are written by the state-changing steps themselves
 * (`applyConversion`, `decideApproval`, `admin.adjustWallet`), in the same atomic step, with
 * delivery state `pending`, attempts 0 and `nextAttemptAt = createdAt`; a step that changes
 * nothing (a duplicate, a refusal, an `unchanged` decision) writes none. {@link eventOfConversion},
 * {@link eventOfApproval} and {@link eventOfAdjustment} (src/events/events-of.ts) are the rules.
 */
export interface EventStore {
  /**
   * Events still `pending`, in recording order (per user, the order of the changes), at most
   * `limit`; whatever their `nextAttemptAt` (the worker keeps a user's later events behind an
   * earlier one that waits for its backoff).
   */
  listPending(limit: number): Promise<EventDelivery[]>;
  /** Writes the outcome of a try, only while the event is `pending` (false otherwise). */
  updateDelivery(id: string, update: DeliveryUpdate): Promise<boolean>;
  /** Deliveries, newest first, optionally in one state. */
  listDeliveries(query: DeliveryQuery): Promise<EventDelivery[]>;
  getDelivery(id: string): Promise<EventDelivery | null>;
  /**
   * An admin's retry of a dead delivery: back to `pending`, attempts 0, due at `now`. `null` when
   * unknown; the delivery unchanged when it was not `dead`.
   */
  retryDelivery(id: string, now: Date): Promise<EventDelivery | null>;
  /** Every event of a user as stored, in recording order (raw read for the conformance suite). */
  eventsOfUser(userId: string): Promise<EventDelivery[]>;
}
