/**
 * Money in MongoDB: signed 64-bit integers of minor units (BSON `long`), converted to and from
 * the core's `bigint` explicitly, so no amount ever passes through a JavaScript double.
 * @module
 */
import { Long } from 'mongodb';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * `bigint` minor units → BSON int64. `Long.fromBigInt` wraps silently outside the int64 range,
 * so the range is checked first: an amount that cannot be stored exactly is refused.
 */
export function toLong(value: bigint): Long {
  if (typeof value !== 'bigint') throw new TypeError('clickcredit/mongodb: money must be a bigint');
  if (value < INT64_MIN || value > INT64_MAX) throw new RangeError('clickcredit/mongodb: amount outside the int64 range');
  return Long.fromBigInt(value);
}

/**
 * A stored int64 → `bigint`. The collections are read with `useBigInt64`, so int64 arrives as a
 * `bigint`; a `Long` (another read path) and a small integer (a value written as int32 by hand)
 * are accepted too. A fractional number means a double got into a money field: refused loudly.
 */
export function fromLong(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (Long.isLong(value)) return value.toBigInt();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new TypeError('clickcredit/mongodb: stored money field is not an integer');
}
