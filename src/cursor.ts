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

/** Decodes a cursor from a client; anything malformed is a 400. */
export function decodeCursor(cursor: string): EarningCursor {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{1,15}):(.{1,256})$/s.exec(text);
  if (!match) throw new ValidationError('cursor is malformed', [{ path: 'cursor', message: 'malformed' }]);
  return { createdAt: new Date(Number(match[1])), earningId: match[2]! };
}
