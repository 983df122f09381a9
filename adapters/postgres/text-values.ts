/**
 * Text Postgres cannot store. `text` and `jsonb` refuse U+0000, and `jsonb` refuses the lone
 * surrogates that `JSON.stringify` writes as `\udXXX`. A postback's raw data is the advertiser's
 * free-form input, so the audit copy replaces those with U+FFFD rather than failing the postback;
 * a NUL in an identifier is the caller's bad input and becomes a 400, not a 503.
 * @module
 */
import { ValidationError } from 'clickcredit';

// An escaped backslash is matched first, so `\\u0000` (a literal backslash, then "u0000") is kept.
const UNSTORABLE_ESCAPE = /\\(?:\\|u0000|ud[89a-f][0-9a-f]{2})/gi;

/** JSON text for a `jsonb` audit column: NULs and lone surrogates become U+FFFD. */
export function auditJson(value: unknown): string {
  return JSON.stringify(value).replace(UNSTORABLE_ESCAPE, (escape) => (escape === '\\\\' ? escape : '\\ufffd'));
}

/** Free text for an audit `text` column: NULs become U+FFFD. */
export function auditText(value: string | null): string | null {
  return value === null ? null : value.replaceAll('\u0000', '\ufffd');
}

// invalid byte sequence (a NUL in a text parameter), unsupported Unicode escape (one in jsonb).
const REFUSED_TEXT = new Set(['22021', '22P05']);

/** Turns the server's refusal of a NUL character into a 400; any other error passes unchanged. */
export function refusedText(error: unknown): unknown {
  if (REFUSED_TEXT.has(String((error as { code?: unknown } | null)?.code))) {
    return new ValidationError('Text values must not contain NUL (U+0000) characters');
  }
  return error;
}
