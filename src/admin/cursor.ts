/**
 * Opaque cursors of the admin lists. A list cursor is base64url of `<ms>:<id>` (the position of
 * the last item served); a statement cursor also carries the balance just before the last entry
 * served, so the next page's running balances need no sum over older history.
 * @module
 */
import { ValidationError } from '../errors.js';
import type { ListPosition } from './types.js';

/** 9999-12-31T23:59:59.999Z, the last instant with a four-digit ISO year. */
const MAX_CURSOR_MS = 253_402_300_799_999;

const malformed = () => new ValidationError('cursor is malformed', [{ path: 'cursor', message: 'malformed' }]);

/** Encodes the position after an item. */
export function encodeListCursor(position: ListPosition): string {
  return Buffer.from(`${position.at.getTime()}:${position.id}`, 'utf8').toString('base64url');
}

/** Decodes a list cursor from a client; anything malformed is a 400. */
export function decodeListCursor(cursor: string): ListPosition {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw malformed();
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  // eslint-disable-next-line no-control-regex -- control characters are what an id must not hold
  const match = /^(\d{1,15}):([^\u0000-\u001f\u007f]{1,256})$/su.exec(text);
  const ms = match ? Number(match[1]) : NaN;
  if (!match || !(ms <= MAX_CURSOR_MS)) throw malformed();
  return { at: new Date(ms), id: match[2]! };
}

/** A statement position: the store's entry position and the balance before that entry. */
export interface StatementCursor {
  position: string;
  balanceBeforeMinor: bigint;
}

/** Encodes a statement cursor. */
export function encodeStatementCursor(cursor: StatementCursor): string {
  return Buffer.from(`${cursor.balanceBeforeMinor}:${cursor.position}`, 'utf8').toString('base64url');
}

/** Decodes a statement cursor; anything malformed is a 400. */
export function decodeStatementCursor(cursor: string): StatementCursor {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw malformed();
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  // eslint-disable-next-line no-control-regex -- control characters are what a position must not hold
  const match = /^(-?\d{1,40}):([^\u0000-\u001f\u007f]{1,256})$/su.exec(text);
  if (!match) throw malformed();
  return { balanceBeforeMinor: BigInt(match[1]!), position: match[2]! };
}
