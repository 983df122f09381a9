import { BSON, Long } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { fromLong, toLong } from '../../adapters/mongodb/int64.js';

describe('mongodb money as int64', () => {
  it('converts bigint ⇄ Long exactly, past 2^53', () => {
    for (const value of [0n, 1n, -1n, 5000n, 9_007_199_254_740_993n, -(2n ** 63n), 2n ** 63n - 1n]) {
      const long = toLong(value);
      expect(long).toBeInstanceOf(Long);
      expect(fromLong(long)).toBe(value);
    }
  });

  it('refuses what cannot be stored exactly instead of wrapping', () => {
    expect(() => toLong(2n ** 63n)).toThrow(RangeError);
    expect(() => toLong(-(2n ** 63n) - 1n)).toThrow(RangeError);
    expect(() => toLong(12 as unknown as bigint)).toThrow(TypeError);
  });

  it('reads back what the server returns: bigint (useBigInt64), Long, small ints; never a fraction', () => {
    expect(fromLong(42n)).toBe(42n);
    expect(fromLong(5000)).toBe(5000n);
    expect(fromLong(Long.fromString('-123456789012345678'))).toBe(-123456789012345678n);
    for (const bad of [0.1, 2 ** 53 + 2, '12', null, undefined]) expect(() => fromLong(bad)).toThrow(TypeError);
  });

  it('survives real BSON bytes as int64 (type 0x12), read with useBigInt64', () => {
    const big = 123_456_789_012_345_678n;
    const bytes = BSON.serialize({ amount: toLong(big), small: toLong(7n) });
    expect(bytes[4]).toBe(0x12); // the first element's type byte: int64
    const plain = BSON.deserialize(bytes, { useBigInt64: true });
    expect(plain).toEqual({ amount: big, small: 7n });
    // Without useBigInt64 the driver would promote small longs to numbers: still exact for fromLong.
    const promoted = BSON.deserialize(bytes);
    expect(fromLong(promoted.amount)).toBe(big);
    expect(fromLong(promoted.small)).toBe(7n);
  });
});
