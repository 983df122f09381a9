/**
 * What a postback's signature must cover. Standard Webhooks signs the body; a postback may also
 * arrive as a GET with everything in the query, so then the raw query string is signed instead.
 * @module
 */
import type { VerifiablePostback } from '../postback/request.js';
import { fieldNames } from './request-values.js';

/** The payload to check a signature against, or why the postback cannot be checked safely. */
export type SignedPayload = { ok: true; payload: string } | { ok: false; reason: string };

/**
 * The signed payload of a postback: the raw body when there is one, otherwise the raw query
 * string without `?`.
 *
 * Every field that reaches the tracker must be covered by the signature. Query and body are
 * merged, so a signed body sent to `?click_id=...` would let anyone who saw it replay the
 * signature onto another click id (or add `&status=reversed`) within the tolerance window.
 * Hence, with a body, any query parameter the body does not also carry (the body's value wins
 * the merge) is refused; and a body or query whose raw text the host did not pass is refused.
 */
export function signedPayload(postback: VerifiablePostback): SignedPayload {
  const rawBody = postback.rawBody ?? '';
  const hasBody = rawBody !== '' || hasContent(postback.body);
  if (hasBody) {
    if (rawBody === '') return { ok: false, reason: 'raw body not available to check the signature' };
    const bodyFields = new Set(fieldNames(postback.body));
    const unsigned = fieldNames(postback.query).filter((name) => !bodyFields.has(name));
    if (unsigned.length > 0) {
      return { ok: false, reason: `query parameters not covered by the signed body: ${unsigned.slice(0, 5).join(', ')}` };
    }
    return { ok: true, payload: rawBody };
  }
  const rawQuery = postback.rawQuery ?? '';
  if (rawQuery === '' && fieldNames(postback.query).length > 0) {
    return { ok: false, reason: 'raw query string not available to check the signature' };
  }
  return { ok: true, payload: rawQuery.startsWith('?') ? rawQuery.slice(1) : rawQuery };
}

function hasContent(body: unknown): boolean {
  if (body === null || body === undefined || body === '') return false;
  return typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length > 0;
}
