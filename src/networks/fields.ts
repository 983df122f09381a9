/**
 * Field readers: where a network's user id, transaction id, amount, status... are read from.
 * @module
 */
import type { FieldReader, NetworkCallback } from './types.js';

/**
 * The first of these parameters that is present (query or body; dotted names reach into a
 * nested JSON body, e.g. `data.player_id`). Present but empty (or JSON `null`) reads `''`.
 *
 * @example
 * ```ts
 * param('snuid')            // Tapjoy's user id
 * param('data.amount')      // AdGem v3's JSON body
 * param('subid', 'aff_sub') // the first one present
 * ```
 */
export function param(...names: string[]): FieldReader {
  if (names.length === 0 || names.some((n) => typeof n !== 'string' || n === '')) throw new TypeError('clickcredit param(): give parameter names');
  return (callback) => {
    for (const name of names) {
      if (!Object.hasOwn(callback.params, name)) continue;
      const value = callback.params[name];
      if (value === undefined) continue;
      return value === null ? '' : String(value).trim();
    }
    return null;
  };
}

/** A request header (any case); an empty header reads `''`. */
export function header(name: string): FieldReader {
  const lower = name.toLowerCase();
  return (callback) => {
    const value = callback.headers?.[lower];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? null : first.trim();
  };
}

/** The first reader that finds the field (present, even if empty). */
export function firstOf(...readers: FieldReader[]): FieldReader {
  return (callback) => {
    for (const read of readers) {
      const value = read(callback);
      if (value !== null) return value;
    }
    return null;
  };
}

/** A fixed value (e.g. a network that sends no status: every callback is a completion). */
export function constant(value: string): FieldReader {
  return () => value;
}

/** Reads a field and rewrites it (e.g. ayeT's `is_chargeback=1` into a status word). */
export function mapped(read: FieldReader, map: (value: string, callback: NetworkCallback) => string | null): FieldReader {
  return (callback) => {
    const value = read(callback);
    return value === null ? null : map(value, callback);
  };
}
