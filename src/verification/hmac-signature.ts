/**
 * HMAC-SHA256 signatures in the Standard Webhooks format: headers `webhook-id`,
 * `webhook-timestamp` (unix seconds) and `webhook-signature` (space-separated `v1,<base64>`),
 * or the same three under their Svix names (`svix-id`, `svix-timestamp`, `svix-signature`),
 * signed content `<id>.<timestamp>.<payload>` (see {@link signedPayload} for the payload).
 * @module
 */
import type { Clock } from '../ports.js';
import type { VerifiablePostback } from '../postback/request.js';
import type { SyncPostbackVerifier } from '../postback/verifier.js';
import { safeEqualsAny } from './constant-time.js';
import { firstValue } from './request-values.js';
import { requireSecrets } from './secret-list.js';
import { signatureOf } from './sign-postback.js';
import { signedPayload } from './signed-payload.js';
import { secretKey, type SecretEncoding } from './signing-key.js';

/** Options of {@link hmacSignature}. */
export interface HmacSignatureOptions {
  /**
   * Signing secrets, several while rotating: `whsec_<base64>` or un-prefixed base64 (Standard
   * Webhooks), or plain text with `secretEncoding: 'raw'`.
   */
  secrets: readonly string[];
  /**
   * How secrets without the `whsec_` prefix are read: `'base64'` (default, as the Standard
   * Webhooks specification says) or `'raw'` (their UTF-8 bytes are the key). See {@link secretKey}.
   */
  secretEncoding?: SecretEncoding;
  /** Largest accepted difference between the signed timestamp and now, in seconds, either way. Default 300. */
  toleranceSeconds?: number;
  /** Time source for the tolerance check (tests pass a fixed one). Default: the system clock. */
  clock?: Clock;
}

/** The two header families of the format; Svix, which the specification grew from, sends `svix-*`. */
const HEADER_FAMILIES = ['webhook', 'svix'] as const;

/**
 * Accepts postbacks carrying a signature by one of the secrets over their exact payload, signed
 * within `toleranceSeconds` of now (which bounds replays; the conversion id makes a replay
 * inside the window harmless). Signatures are compared in constant time. The `webhook-*`
 * headers are read; a request with none of them is read from the `svix-*` headers instead (the
 * three always come from one family, never mixed).
 *
 * @example
 * ```ts
 * hmacSignature({ secrets: [process.env.POSTBACK_SECRET!] }) // whsec_... or base64
 * hmacSignature({ secrets: ['a plain shared password'], secretEncoding: 'raw', toleranceSeconds: 300 })
 * ```
 */
export function hmacSignature(options: HmacSignatureOptions): SyncPostbackVerifier {
  const encoding = options.secretEncoding ?? 'base64';
  const keys = requireSecrets(options.secrets, 'hmacSignature').map((secret) => secretKey(secret, encoding));
  const tolerance = options.toleranceSeconds ?? 300;
  if (!Number.isFinite(tolerance) || tolerance < 0) throw new TypeError('clickcredit hmacSignature: toleranceSeconds must be a number >= 0');
  const clock = options.clock ?? { now: () => new Date() };
  return {
    name: 'hmac-signature',
    verify(postback) {
      const family = headerFamily(postback);
      const id = firstValue(postback.headers?.[`${family}-id`]);
      const timestamp = firstValue(postback.headers?.[`${family}-timestamp`]);
      const header = firstValue(postback.headers?.[`${family}-signature`]);
      if (id === null || timestamp === null || header === null) return { ok: false, reason: 'signature headers missing' };
      if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: `${family}-timestamp is not unix seconds` };
      const nowSeconds = Math.floor(clock.now().getTime() / 1000);
      if (Math.abs(nowSeconds - Number(timestamp)) > tolerance) return { ok: false, reason: `${family}-timestamp outside tolerance` };
      const signed = signedPayload(postback);
      if (!signed.ok) return signed;
      const given = header.split(' ').filter((s) => s.startsWith('v1,')).map((s) => s.slice(3));
      const expected = keys.map((key) => signatureOf(key, id, timestamp, signed.payload));
      const ok = given.map((candidate) => safeEqualsAny(candidate, expected)).includes(true);
      return ok ? { ok: true } : { ok: false, reason: 'signature does not match' };
    },
  };
}

/** `webhook` when any `webhook-*` header is present, else `svix` when one of those is, else `webhook`. */
function headerFamily(postback: VerifiablePostback): (typeof HEADER_FAMILIES)[number] {
  const headers = postback.headers ?? {};
  for (const family of HEADER_FAMILIES) {
    if (headers[`${family}-id`] !== undefined || headers[`${family}-timestamp`] !== undefined || headers[`${family}-signature`] !== undefined) return family;
  }
  return 'webhook';
}
