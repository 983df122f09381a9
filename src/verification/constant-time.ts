/**
 * Constant-time comparison of secrets and signatures.
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * True when `a` and `b` are equal, compared in constant time. Both sides are hashed first, so
 * `timingSafeEqual` always sees 32 bytes against 32 bytes: the time taken tells nothing about
 * where the inputs differ, nor about their lengths.
 */
export function safeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/**
 * True when `given` equals any of `candidates`. Every candidate is compared, matching or not, so
 * the time taken does not tell which one matched (or whether an early one did).
 */
export function safeEqualsAny(given: string | Uint8Array, candidates: readonly (string | Uint8Array)[]): boolean {
  let found = false;
  for (const candidate of candidates) found = safeEqual(given, candidate) || found;
  return found;
}

function sha256(value: string | Uint8Array): Buffer {
  return createHash('sha256').update(value).digest();
}
