/**
 * Constant-time comparison of secrets and signatures. Both sides are hashed first, so the
 * comparison takes the same time whatever their lengths, and lengths do not leak either.
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** True when `a` and `b` are equal, compared in constant time. */
export function safeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const digest = (value: string | Uint8Array) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** The first value of a header or parameter, as text. */
export function firstValue(value: unknown): string | null {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === null ? null : String(first);
}
