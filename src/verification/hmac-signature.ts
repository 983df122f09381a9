/**
 * HMAC-SHA256 signatures in the Standard Webhooks format: headers `webhook-id`,
 * `webhook-timestamp` (unix seconds) and `webhook-signature` (space-separated `v1,<base64>`),
 * signed content `<id>.<timestamp>.<payload>` (see {@link signedPayload} for the payload).
 * @module
 */
import type { Clock } from '../ports.js';
import type { SyncPostbackVerifier } from '../postback/verifier.js';
import { safeEqualsAny } from './constant-time.js';
import { firstValue } from './request-values.js';
import { requireSecrets } from './secret-list.js';
import { signatureOf } from './sign-postback.js';
import { signedPayload } from './signed-payload.js';
import { secretKey } from './signing-key.js';

/** Options of {@link hmacSignature}. */
export interface HmacSignatureOptions {
  /** Signing secrets: `whsec_<base64>` (Standard Webhooks) or plain text. Several while rotating. */
  secrets: readonly string[];
  /** Largest accepted difference between the signed timestamp and now, in seconds, either way. Default 300. */
  toleranceSeconds?: number;
  /** Time source for the tolerance check (tests pass a fixed one). Default: the system clock. */
  clock?: Clock;
}

/**
 * Accepts postbacks carrying a signature by one of the secrets over their exact payload, signed
 * within `toleranceSeconds` of now (which bounds replays; the conversion id makes a replay
 * inside the window harmless). Signatures are compared in constant time.
 *
 * @example
 * ```ts
 * hmacSignature({ secrets: [process.env.POSTBACK_SECRET!], toleranceSeconds: 300 })
 * ```
 */
export function hmacSignature(options: HmacSignatureOptions): SyncPostbackVerifier {
  const keys = requireSecrets(options.secrets, 'hmacSignature').map(secretKey);
  const tolerance = options.toleranceSeconds ?? 300;
  if (!Number.isFinite(tolerance) || tolerance < 0) throw new TypeError('clickcredit hmacSignature: toleranceSeconds must be a number >= 0');
  const clock = options.clock ?? { now: () => new Date() };
  return {
    name: 'hmac-signature',
    verify(postback) {
      const id = firstValue(postback.headers?.['webhook-id']);
      const timestamp = firstValue(postback.headers?.['webhook-timestamp']);
      const header = firstValue(postback.headers?.['webhook-signature']);
      if (id === null || timestamp === null || header === null) return { ok: false, reason: 'signature headers missing' };
      if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'webhook-timestamp is not unix seconds' };
      const nowSeconds = Math.floor(clock.now().getTime() / 1000);
      if (Math.abs(nowSeconds - Number(timestamp)) > tolerance) return { ok: false, reason: 'webhook-timestamp outside tolerance' };
      const signed = signedPayload(postback);
      if (!signed.ok) return signed;
      const given = header.split(' ').filter((s) => s.startsWith('v1,')).map((s) => s.slice(3));
      const expected = keys.map((key) => signatureOf(key, id, timestamp, signed.payload));
      const ok = given.map((candidate) => safeEqualsAny(candidate, expected)).includes(true);
      return ok ? { ok: true } : { ok: false, reason: 'signature does not match' };
    },
  };
}
