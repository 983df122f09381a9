/**
 * The `deliverEvents` worker job: pending events, oldest first, sent as signed webhooks. Order
 * per user: a user's event is tried only once every earlier event of that user is delivered or
 * dead, so a receiver that fails holds back that user's later events (not other users').
 * @module
 */
import type { ResolvedOptions } from '../options.js';
import { guardStorage } from '../storage-guard.js';
import type { BatchResult } from '../workers/workers.js';
import { eventBody } from './body.js';
import { backoffMs, sendWebhook } from './webhook.js';

/** One batch of deliveries (at most `batchSize` events read, each user's in order). */
export async function deliverEvents(o: ResolvedOptions, batchSize: number): Promise<BatchResult> {
  const webhook = o.webhook;
  const events = o.storage.events;
  if (webhook === null || events === undefined) return { count: 0 };
  const pending = await guardStorage(o, 'events.listPending', () => events.listPending(batchSize));
  const blocked = new Set<string>();
  let delivered = 0;
  for (const event of pending) {
    if (blocked.has(event.userId)) continue;
    const now = o.clock.now();
    if (event.nextAttemptAt.getTime() > now.getTime()) {
      blocked.add(event.userId);
      continue;
    }
    const failure = await sendWebhook(webhook, eventBody(event, o.money.scale, o.currency), now);
    const attempts = event.attempts + 1;
    const at = o.clock.now();
    if (failure === null) {
      await guardStorage(o, 'events.updateDelivery', () =>
        events.updateDelivery(event.id, { state: 'delivered', attempts, nextAttemptAt: at, lastError: null, deliveredAt: at }));
      delivered += 1;
      continue;
    }
    const dead = attempts >= webhook.maxAttempts;
    await guardStorage(o, 'events.updateDelivery', () =>
      events.updateDelivery(event.id, {
        state: dead ? 'dead' : 'pending',
        attempts,
        nextAttemptAt: new Date(at.getTime() + (dead ? 0 : backoffMs(webhook, attempts))),
        lastError: failure,
        deliveredAt: null,
      }));
    o.logger.warn(dead ? 'webhook dead-lettered' : 'webhook delivery failed, will retry', { eventId: event.id, type: event.type, attempts, error: failure });
    // A dead event no longer holds the user's later events back; a retried one does.
    if (!dead) blocked.add(event.userId);
  }
  return { count: delivered, remaining: pending.length - delivered };
}
