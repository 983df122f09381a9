/**
 * Filter guards: every value that reaches a MongoDB filter goes through here first, so an
 * object such as `{ $ne: null }` can never become a query operator.
 * @module
 */
import { Long } from 'mongodb';

/** A string id for a filter, or a TypeError for anything else (objects, arrays, numbers). */
export function asId(value: unknown, field = 'id'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 512) {
    throw new TypeError(`clickcredit/mongodb: ${field} must be a non-empty string`);
  }
  return value;
}

/** bigint minor units → int64, exactly (never a double). */
export function toLong(value: bigint): Long {
  return Long.fromBigInt(value);
}

/** int64 (or a small int the server returned as a number) → bigint. */
export function fromLong(value: unknown): bigint {
  if (value instanceof Long) return value.toBigInt();
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (value === null || value === undefined) return 0n;
  throw new TypeError('clickcredit/mongodb: money field is not an integer');
}
