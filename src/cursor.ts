/**
 * Opaque keyset cursors for the earnings list: base64url of `<createdAt ms>:<earningId>`.
 * @module
 */
import { ValidationError } from './errors.js';
import type { EarningCursor } from './ports.js';
import type { EarningRecord } from './records.js';

/** Encodes the position after `earning`. */
export function encodeCursor(earning: Pick<EarningRecord, 'createdAt' | 'earningId'>): string {
  return Buffer.from(`${earning.createdAt.getTime()}:${earning.earningId}`, 'utf8').toString('base64url');
}

/** 9999-12-31T23:59:59.999Z, the last instant with a four-digit ISO year. */
const MAX_CURSOR_MS = 253_402_300_799_999;

/** Decodes a cursor from a client; anything malformed is a 400. */
export function decodeCursor(cursor: string): EarningCursor {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{1,15}):(.{1,256})$/s.exec(text);
  const ms = match ? Number(match[1]) : NaN;
  // Only times every store can represent (ISO years 0000-9999): beyond them a store would fail,
  // and bad input must be a 400, never the 503 that tells advertisers to retry.
  if (!match || !(ms <= MAX_CURSOR_MS)) throw new ValidationError('cursor is malformed', [{ path: 'cursor', message: 'malformed' }]);
  return { createdAt: new Date(ms), earningId: match[2]! };
}
