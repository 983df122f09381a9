/**
 * HMAC-SHA256 signatures in the Standard Webhooks format: headers `webhook-id`,
 * `webhook-timestamp` (unix seconds) and `webhook-signature` (space-separated `v1,<base64>`),
 * signed content `<id>.<timestamp>.<payload>`. The payload is the raw body; for a GET postback
 * (no body) it is the raw query string without `?`.
 * @module
 */
import { createHmac } from 'node:crypto';
import type { Clock } from '../ports.js';
import type { SyncPostbackVerifier } from '../postback/verifier.js';
import type { VerifiablePostback } from '../postback/request.js';
import { firstValue, safeEqual } from './constant-time.js';
import { nonEmpty } from './shared-secret.js';

/** Options of {@link hmacSignature}. */
export interface HmacSignatureOptions {
  /** Signing secrets: `whsec_<base64>` (Standard Webhooks) or plain text. Several while rotating. */
  secrets: readonly string[];
  /** Largest accepted clock difference, in seconds (replay window). Default 300. */
  toleranceSeconds?: number;
  clock?: Clock;
}

/** Headers of a signed postback. */
export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The key bytes of a secret: `whsec_` secrets are base64, others are used as UTF-8. */
export function secretKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
}

/** Signs a payload; advertisers (and the example's simulator) send the returned headers. */
export function signPostback(input: { secret: string; id: string; timestamp: number; payload: string }): SignatureHeaders {
  const signature = createHmac('sha256', secretKey(input.secret)).update(`${input.id}.${input.timestamp}.${input.payload}`).digest('base64');
  return { 'webhook-id': input.id, 'webhook-timestamp': String(input.timestamp), 'webhook-signature': `v1,${signature}` };
}

/** The content a postback's signature covers: the body, or the query string of a bodiless request. */
export function signedPayload(postback: VerifiablePostback): string {
  if (postback.rawBody) return postback.rawBody;
  return postback.rawQuery ?? '';
}

/** Accepts postbacks carrying a valid, fresh signature by one of the secrets. */
export function hmacSignature(options: HmacSignatureOptions): SyncPostbackVerifier {
  const keys = nonEmpty(options.secrets, 'hmacSignature').map(secretKey);
  const tolerance = options.toleranceSeconds ?? 300;
  const clock = options.clock ?? { now: () => new Date() };
  return {
    name: 'hmac-signature',
    verify(postback) {
      const id = firstValue(postback.headers?.['webhook-id']);
      const timestamp = firstValue(postback.headers?.['webhook-timestamp']);
      const signatures = firstValue(postback.headers?.['webhook-signature']);
      if (!id || !timestamp || !signatures) return { ok: false, reason: 'signature headers missing' };
      if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad timestamp' };
      const age = Math.abs(clock.now().getTime() / 1000 - Number(timestamp));
      if (age > tolerance) return { ok: false, reason: 'timestamp outside tolerance' };
      const content = `${id}.${timestamp}.${signedPayload(postback)}`;
      const expected = keys.map((key) => createHmac('sha256', key).update(content).digest('base64'));
      const given = signatures.split(' ').filter((s) => s.startsWith('v1,')).map((s) => s.slice(3));
      let ok = false;
      for (const candidate of given) for (const wanted of expected) ok = safeEqual(candidate, wanted) || ok;
      return ok ? { ok: true } : { ok: false, reason: 'signature does not match' };
    },
  };
}
