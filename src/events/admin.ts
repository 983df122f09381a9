/**
 * The admin side of webhooks: the delivery list and an admin's retry of a dead delivery.
 * @module
 */
import { decodeListCursor, encodeListCursor } from '../admin/cursor.js';
import { ADMIN_DEFAULT_LIMIT } from '../admin/schemas.js';
import { parseInput } from '../admin/parse.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { ResolvedOptions } from '../options.js';
import { IdentifierSchema } from '../schemas.js';
import { guardStorage } from '../storage-guard.js';
import { eventBody } from './body.js';
import { WebhookDeliveriesQuerySchema, type WebhookDeliveriesPage, type WebhookDeliveriesQuery, type WebhookDeliveryView } from './schemas.js';
import type { DeliveryState, EventDelivery, EventStore } from './types.js';

function outbox(o: ResolvedOptions): EventStore {
  const events = o.storage.events;
  if (!events) throw new NotFoundError(`The ${o.storage.name} store keeps no event outbox`);
  return events;
}

/** A delivery as operators see it. */
export function deliveryView(o: ResolvedOptions, d: EventDelivery): WebhookDeliveryView {
  return {
    id: d.id,
    eventId: d.id,
    type: d.type,
    userId: d.userId,
    state: d.state,
    attempts: d.attempts,
    nextAttemptAt: d.state === 'pending' ? d.nextAttemptAt.toISOString() : null,
    lastError: d.lastError,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
    event: eventBody(d, o.money.scale, o.currency),
  };
}

/** `GET /admin/webhooks/deliveries`: newest first, optionally one state. */
export async function listWebhookDeliveries(o: ResolvedOptions, query: WebhookDeliveriesQuery = {}): Promise<WebhookDeliveriesPage> {
  const { cursor, limit = ADMIN_DEFAULT_LIMIT, state } = parseInput(WebhookDeliveriesQuerySchema, query);
  const after = cursor === undefined ? null : decodeListCursor(cursor);
  const events = outbox(o);
  const rows = await guardStorage(o, 'events.listDeliveries', () =>
    events.listDeliveries({ ...(state === undefined ? {} : { state: state as DeliveryState }), limit: limit + 1, after }));
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map((d) => deliveryView(o, d)),
    nextCursor: rows.length > limit && last ? encodeListCursor({ at: last.createdAt, id: last.id }) : null,
  };
}

/** `POST /admin/webhooks/deliveries/:id/retry`: a dead delivery goes back to pending, due now. */
export async function retryWebhookDelivery(o: ResolvedOptions, id: string): Promise<WebhookDeliveryView> {
  parseInput(IdentifierSchema, id, 'id');
  const events = outbox(o);
  const before = await guardStorage(o, 'events.getDelivery', () => events.getDelivery(id));
  if (before === null) throw new NotFoundError('Delivery not found');
  const notDead = (state: DeliveryState) => new ConflictError(`Only a dead delivery can be retried (this one is ${state})`, { state });
  if (before.state !== 'dead') throw notDead(before.state);
  // The store moves it only if it is still dead (a second admin's retry finds it pending).
  const retried = await guardStorage(o, 'events.retryDelivery', () => events.retryDelivery(id, o.clock.now()));
  if (retried === null) throw new NotFoundError('Delivery not found');
  if (retried.state !== 'pending') throw notDead(retried.state);
  o.logger.info('admin webhook retry', { eventId: id });
  return deliveryView(o, retried);
}
