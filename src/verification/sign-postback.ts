/**
 * Signing postbacks in the Standard Webhooks format, for advertisers, simulators and tests.
 * @module
 */
import { createHmac } from 'node:crypto';
import { secretKey, type SecretEncoding } from './signing-key.js';

/**
 * Headers of a signed postback (Standard Webhooks names). A type alias rather than an interface,
 * so it can be spread into or passed as any `Record<string, string>` of headers.
 */
export type SignatureHeaders = {
  /** Unique message id; the same on every retry of one postback. */
  'webhook-id': string;
  /** Unix time in seconds when the postback was signed. */
  'webhook-timestamp': string;
  /** `v1,<base64 HMAC-SHA256>`; several space-separated while a secret rotates. */
  'webhook-signature': string;
};

/** What {@link signPostback} signs. */
export interface SignPostbackInput {
  /** `whsec_<base64>`, un-prefixed base64, or plain text with `secretEncoding: 'raw'` (see {@link secretKey}). */
  secret: string;
  /** How a secret without the `whsec_` prefix is read: `'base64'` (default, Standard Webhooks) or `'raw'` (UTF-8 bytes). */
  secretEncoding?: SecretEncoding;
  /** Message id, sent as `webhook-id`. */
  id: string;
  /** Unix time in whole seconds. */
  timestamp: number;
  /** The exact body text, or for a GET postback the query string without `?`. */
  payload: string;
}

/**
 * Signs a postback: HMAC-SHA256 of `<id>.<timestamp>.<payload>` under the secret, base64, as
 * the headers to send with it.
 *
 * @example
 * ```ts
 * const body = JSON.stringify({ click_id: clickId, amount: '50.00', conversionId: 'c1' });
 * const headers = signPostback({ secret, id: `msg_${randomUUID()}`, timestamp: Math.floor(Date.now() / 1000), payload: body });
 * await fetch(`${base}/postback`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
 * ```
 */
export function signPostback(input: SignPostbackInput): SignatureHeaders {
  if (!Number.isSafeInteger(input.timestamp) || input.timestamp < 0) {
    throw new TypeError('clickcredit signPostback: timestamp must be whole unix seconds');
  }
  const signature = signatureOf(secretKey(input.secret, input.secretEncoding), input.id, String(input.timestamp), input.payload);
  return { 'webhook-id': input.id, 'webhook-timestamp': String(input.timestamp), 'webhook-signature': `v1,${signature}` };
}

/** The base64 HMAC-SHA256 of `<id>.<timestamp>.<payload>` under `key`. */
export function signatureOf(key: Uint8Array, id: string, timestamp: string, payload: string): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.${payload}`).digest('base64');
}
