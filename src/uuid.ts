/**
 * Random (v4) UUIDs written straight into one flat string. `crypto.randomUUID()` builds its
 * answer by concatenating 20 pieces, which V8 keeps as a tree of about 600 bytes until something
 * reads it whole; stores keep these ids (the memory store in the JS heap), and a postback makes
 * two, so they are written here as one string from a pool of CSPRNG bytes instead.
 * @module
 */
import { randomFillSync } from 'node:crypto';

/** Random bytes for 256 UUIDs, refilled from the CSPRNG when used up. */
const pool = Buffer.alloc(16 * 256);
let used = pool.length;
/** The 36 characters of one UUID, written before they become a string. */
const text = Buffer.alloc(36);
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/** A random RFC 9562 version 4 UUID, lower-case. */
export function randomUuid(): string {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const at = used;
  used += 16;
  pool[at + 6] = (pool[at + 6]! & 0x0f) | 0x40;
  pool[at + 8] = (pool[at + 8]! & 0x3f) | 0x80;
  let j = 0;
  for (let i = 0; i < 16; i += 1) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text[j++] = 0x2d; // '-'
    const byte = pool[at + i]!;
    text[j++] = HEX_DIGITS[byte >> 4]!;
    text[j++] = HEX_DIGITS[byte & 0x0f]!;
  }
  return text.toString('latin1', 0, 36);
}
