/**
 * Signing keys of the Standard Webhooks format.
 * @module
 */

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The key bytes of a signing secret. A `whsec_<base64>` secret (the Standard Webhooks convention)
 * is decoded from base64; any other string is used as its UTF-8 bytes, so a plain
 * `POSTBACK_SECRET=...` works with `openssl dgst -hmac`. Throws a `TypeError` for an empty
 * secret or a `whsec_` secret that is not base64, at start-up rather than on every postback.
 */
export function secretKey(secret: string): Buffer {
  if (typeof secret !== 'string' || secret === '') throw new TypeError('clickcredit: a signing secret must be a non-empty string');
  if (!secret.startsWith('whsec_')) return Buffer.from(secret, 'utf8');
  const encoded = secret.slice('whsec_'.length);
  if (!BASE64.test(encoded)) throw new TypeError('clickcredit: a whsec_ secret must be followed by base64');
  return Buffer.from(encoded, 'base64');
}
