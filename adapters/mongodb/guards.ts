/**
 * Filter guards: every value that reaches a MongoDB filter passes through one of these first.
 * A filter value that is an object (`{ $ne: null }`, `{ $gt: '' }`) would be read as a query
 * operator, so ids must be primitive strings, times real `Date`s and counts plain integers; any
 * other value is a `TypeError` (a 503 at the core's storage guard, never a widened query).
 * The core already validates ids at the edge; this is the store's own line of defence, for
 * hosts that call the store directly.
 * @module
 */

/** Longest id accepted in a filter (the core's identifiers are at most 256 characters, keys a few more). */
export const MAX_ID_LENGTH = 512;

/** A string id for a filter, or a `TypeError` for anything else (objects, arrays, numbers, ''). */
export function asId(value: unknown, field = 'id'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) {
    throw new TypeError(`clickcredit/mongodb: ${field} must be a string of 1 to ${MAX_ID_LENGTH} characters`);
  }
  return value;
}

/** A valid `Date` for a filter or an update, or a `TypeError`. */
export function asDate(value: unknown, field = 'date'): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new TypeError(`clickcredit/mongodb: ${field} must be a valid Date`);
  }
  return value;
}

/** A positive integer batch size, capped so one call never asks the server for an unbounded result. */
export function asLimit(value: unknown, max = 10_000): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new TypeError('clickcredit/mongodb: limit must be a positive integer');
  }
  return Math.min(value, max);
}

/** A document version (compare-and-set counter): a non-negative integer. */
export function asVersion(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError('clickcredit/mongodb: version must be a non-negative integer');
  }
  return value;
}
