/**
 * Signing keys of the Standard Webhooks format.
 * @module
 */

/**
 * How a signing secret without the `whsec_` prefix is read. `base64` (the default) is what the
 * Standard Webhooks specification says: the secret is the base64 of the key bytes. `raw` uses the
 * secret's UTF-8 bytes as the key, which is what `openssl dgst -hmac "$SECRET"` does, for hosts
 * whose secret is a plain password-like string.
 */
export type SecretEncoding = 'base64' | 'raw';

const PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The key bytes of a signing secret. A `whsec_<base64>` secret is always base64-decoded (the
 * prefix says what it is). Any other secret is base64-decoded too, as Standard Webhooks
 * specifies, unless `encoding` is `'raw'`: then its UTF-8 bytes are the key.
 *
 * Throws a `TypeError` for an empty secret or a secret that should be base64 and is not, at
 * start-up rather than on every postback: a plain-text secret read as base64 would silently give
 * another key than the advertiser's, so it is refused with a pointer to `secretEncoding: 'raw'`.
 */
export function secretKey(secret: string, encoding: SecretEncoding = 'base64'): Buffer {
  if (typeof secret !== 'string' || secret === '') throw new TypeError('clickcredit: a signing secret must be a non-empty string');
  if (encoding !== 'base64' && encoding !== 'raw') throw new TypeError("clickcredit: secretEncoding must be 'base64' or 'raw'");
  if (secret.startsWith(PREFIX)) {
    const key = decodeBase64(secret.slice(PREFIX.length));
    if (!key) throw new TypeError('clickcredit: a whsec_ secret must be followed by base64');
    return key;
  }
  if (encoding === 'raw') return Buffer.from(secret, 'utf8');
  const key = decodeBase64(secret);
  if (!key) {
    throw new TypeError(
      "clickcredit: an un-prefixed signing secret is read as base64 (Standard Webhooks) and this one is not base64; " +
        "pass secretEncoding: 'raw' to use its UTF-8 bytes as the key",
    );
  }
  return key;
}

/**
 * Standard base64, padding optional (as the reference library accepts), or `null`. Node's own
 * decoder skips characters it does not know, so the text is checked first: a secret with a
 * typo must not quietly become another key.
 */
function decodeBase64(text: string): Buffer | null {
  if (!BASE64.test(text)) return null;
  const digits = text.replace(/=+$/, '');
  // One digit left over carries no whole byte; padding, when present, must complete the last group.
  if (digits.length % 4 === 1 || (digits.length !== text.length && text.length % 4 !== 0)) return null;
  const key = Buffer.from(digits, 'base64');
  return key.length === 0 ? null : key;
}
