/**
 * In-process delivery: the host's `onEvent` hook, called with the event a step recorded right
 * after the step. Its failures are logged and never change the answer of the request (the
 * change is committed already).
 * @module
 */
import type { ResolvedOptions } from '../options.js';
import { eventBody } from './body.js';
import type { StoredEvent } from './types.js';

/** Calls `onEvent` with the event, if both exist. Never throws. */
export async function emitEvent(o: ResolvedOptions, event: StoredEvent | null | undefined): Promise<void> {
  if (o.onEvent === null || event === null || event === undefined) return;
  try {
    await o.onEvent(eventBody(event, o.money.scale, o.currency));
  } catch (error) {
    o.logger.error('onEvent hook failed', { eventId: event.id, type: event.type, error: error instanceof Error ? error.message : String(error) });
  }
}
