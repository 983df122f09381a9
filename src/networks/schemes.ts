/**
 * Authentication schemes of network callbacks, over the values or the raw bytes as received:
 * a digest of some fields, an HMAC of the full URL, of the raw body, or of the sorted
 * parameters, a secret parameter, an IP allowlist. They reuse the verification pieces of the
 * core (constant-time comparison, secret lists, offerwall digests, IP networks).
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { safeEqualsAny } from '../verification/constant-time.js';
import { ipAllowlist } from '../verification/ip-allowlist.js';
import { offerwallDigest, type OfferwallHashAlgorithm } from '../verification/offerwall-hash.js';
import { firstValue } from '../verification/request-values.js';
import { requireSecrets } from '../verification/secret-list.js';
import type { NetworkCallback, SyncNetworkAuth } from './types.js';

/**
 * True when the digest `given` equals one of `expected`, in constant time. A digest's length is
 * fixed by its algorithm and public, so equal-length buffers are compared directly (no extra
 * hashing, as {@link safeEqualsAny} does for secrets whose length must not leak); every candidate
 * is compared, so the time does not tell which one matched.
 */
function digestMatches(given: string, expected: readonly string[]): boolean {
  const candidate = Buffer.from(given, 'utf8');
  let found = false;
  for (const digest of expected) {
    const wanted = Buffer.from(digest, 'utf8');
    found = (wanted.length === candidate.length && timingSafeEqual(wanted, candidate)) || found;
  }
  return found;
}

/** HMAC algorithms networks use. */
export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';

/** A secret, or several while rotating. */
export type Secrets = string | readonly string[];

function secretList(secrets: Secrets, who: string): readonly string[] {
  return requireSecrets(typeof secrets === 'string' ? [secrets] : (secrets as string[]), who);
}

/** Options of {@link fieldDigest}. */
export interface FieldDigestOptions {
  secrets: Secrets;
  /** Parameters whose values are joined, in this order, as sent (a missing one counts as empty). */
  fields: readonly string[];
  algorithm: OfferwallHashAlgorithm;
  /** Joins the values and the secret. Default `''`. */
  separator?: string;
  /** Secret after the values (default) or before them. */
  secretPosition?: 'suffix' | 'prefix';
  /** Parameter carrying the hex digest. Default `hash`. */
  param?: string;
}

/**
 * A digest of some fields and the secret, e.g. Tapjoy's `md5(id:snuid:currency:secret)`. The
 * values are the decoded parameter values as the network sent them (never reformatted:
 * `30.50` stays `30.50`). Compared case-insensitively, in constant time.
 */
export function fieldDigest(options: FieldDigestOptions): SyncNetworkAuth {
  const secrets = secretList(options.secrets, 'fieldDigest');
  if (!Array.isArray(options.fields) || options.fields.length === 0) throw new TypeError('clickcredit fieldDigest: give the fields the digest covers');
  const param = options.param ?? 'hash';
  const separator = options.separator ?? '';
  const secretPosition = options.secretPosition ?? 'suffix';
  // One formula per secret, built once.
  const formulas = secrets.map((secret) => ({ algorithm: options.algorithm, separator, secretPosition, secret }));
  return {
    name: `field-digest(${param})`,
    verify(callback) {
      const given = firstValue(callback.params[param]);
      if (given === null) return { ok: false, reason: `${param} missing` };
      const values = options.fields.map((field) => firstValue(callback.params[field]) ?? '');
      const expected = formulas.map((formula) => offerwallDigest(formula, values));
      return digestMatches(given.trim().toLowerCase(), expected) ? { ok: true } : { ok: false, reason: `${param} does not match` };
    },
  };
}

/** Options of {@link urlHmac}. */
export interface UrlHmacOptions {
  secrets: Secrets;
  algorithm: HmacAlgorithm;
  /** The query parameter carrying the hex HMAC; it must be the last one. */
  param: string;
}

/**
 * An HMAC of the full URL as the network called it, scheme to query, up to (not including)
 * `&<param>=` (BitLabs' `hash`, AdGem's `verifier`). The URL is never decoded nor re-encoded:
 * it is `publicUrl + /postback/<name> + ? + raw query`. The signature parameter must come last,
 * since anything after it would not be signed.
 */
export function urlHmac(options: UrlHmacOptions): SyncNetworkAuth {
  const secrets = secretList(options.secrets, 'urlHmac');
  return {
    name: `url-hmac(${options.param})`,
    verify(callback) {
      const split = splitSignedUrl(callback.fullUrl, options.param);
      if (!split.ok) return split;
      const expected = secrets.map((secret) => createHmac(options.algorithm, secret).update(split.signed, 'utf8').digest('hex'));
      return digestMatches(split.signature.toLowerCase(), expected) ? { ok: true } : { ok: false, reason: `${options.param} does not match the URL` };
    },
  };
}

/** The signed part of a URL and its trailing signature parameter. */
export function splitSignedUrl(
  fullUrl: string,
  param: string,
): { ok: true; signed: string; signature: string } | { ok: false; reason: string } {
  const marker = `${param}=`;
  let at = -1;
  for (const lead of ['&', '?']) {
    const found = fullUrl.lastIndexOf(`${lead}${marker}`);
    if (found > at) at = found;
  }
  if (at < 0) return { ok: false, reason: `${param} missing` };
  const signature = fullUrl.slice(at + 1 + marker.length);
  if (signature.includes('&')) return { ok: false, reason: `${param} is not the last parameter: what follows it is not signed` };
  if (!/^[0-9a-fA-F]{16,256}$/.test(signature)) return { ok: false, reason: `${param} is not a hex digest` };
  return { ok: true, signed: fullUrl.slice(0, at), signature };
}

/** Options of {@link bodyHmac}. */
export interface BodyHmacOptions {
  secrets: Secrets;
  algorithm: HmacAlgorithm;
  /** Header carrying the signature (any case). */
  header: string;
  /** How the signature is written. Default `hex`. */
  encoding?: 'hex' | 'base64';
}

/**
 * An HMAC of the raw body bytes (AdGem v3's `Signature` header). The body must be passed raw;
 * a callback with query parameters is refused, since they would not be signed.
 */
export function bodyHmac(options: BodyHmacOptions): SyncNetworkAuth {
  const secrets = secretList(options.secrets, 'bodyHmac');
  const headerName = options.header.toLowerCase();
  const encoding = options.encoding ?? 'hex';
  return {
    name: `body-hmac(${headerName})`,
    verify(callback) {
      const given = firstValue(callback.headers?.[headerName]);
      if (given === null) return { ok: false, reason: `${headerName} header missing` };
      const raw = callback.rawBody ?? '';
      if (raw === '') return { ok: false, reason: 'raw body not available to check the signature' };
      if ((callback.rawQuery ?? '').replace(/^\?/, '') !== '') return { ok: false, reason: 'query parameters are not covered by the body signature' };
      const expected = secrets.map((secret) => createHmac(options.algorithm, secret).update(raw, 'utf8').digest(encoding));
      const candidate = encoding === 'hex' ? given.trim().toLowerCase() : given.trim();
      return digestMatches(candidate, expected) ? { ok: true } : { ok: false, reason: 'body signature does not match' };
    },
  };
}

/** Options of {@link sortedParamsHmac}. */
export interface SortedParamsHmacOptions {
  secrets: Secrets;
  algorithm: HmacAlgorithm;
  /** Header carrying the hex HMAC (any case). */
  header: string;
  /**
   * How the sorted parameters are joined: `php` is PHP's `http_build_query` (values
   * URL-encoded, space as `+`, RFC 1738), `rfc3986` encodes space as `%20`, `raw` joins the
   * decoded values as they are. Default `php`.
   */
  encoding?: 'php' | 'rfc3986' | 'raw';
}

/**
 * An HMAC of every query parameter sorted by name and joined as `a=1&b=2` (ayeT-Studios'
 * `X-Ayetstudios-Security-Hash`). Parameters are decoded from the raw query first, so how the
 * network encoded them does not matter, then encoded the way the network's formula does.
 */
export function sortedParamsHmac(options: SortedParamsHmacOptions): SyncNetworkAuth {
  const secrets = secretList(options.secrets, 'sortedParamsHmac');
  const headerName = options.header.toLowerCase();
  const encoding = options.encoding ?? 'php';
  return {
    name: `sorted-params-hmac(${headerName})`,
    verify(callback) {
      const given = firstValue(callback.headers?.[headerName]);
      if (given === null) return { ok: false, reason: `${headerName} header missing` };
      if ((callback.rawBody ?? '') !== '') return { ok: false, reason: 'a body is not covered by the query signature' };
      const payload = sortedQuery(callback.rawQuery ?? '', encoding);
      const expected = secrets.map((secret) => createHmac(options.algorithm, secret).update(payload, 'utf8').digest('hex'));
      return digestMatches(given.trim().toLowerCase(), expected) ? { ok: true } : { ok: false, reason: 'parameter signature does not match' };
    },
  };
}

/** The parameters of a raw query, sorted by name (byte order, like PHP `ksort`), re-joined. */
export function sortedQuery(rawQuery: string, encoding: 'php' | 'rfc3986' | 'raw'): string {
  const pairs = new Map<string, string>();
  // A repeated name keeps its last value, as PHP's $_GET does.
  for (const [key, value] of new URLSearchParams(rawQuery.replace(/^\?/, ''))) pairs.set(key, value);
  const encode = encoding === 'php' ? phpUrlEncode : encoding === 'rfc3986' ? rfc3986Encode : (text: string) => text;
  return [...pairs.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((key) => `${encode(key)}=${encode(pairs.get(key)!)}`)
    .join('&');
}

/** PHP `urlencode`: everything but `A-Z a-z 0-9 - _ .` percent-encoded (upper-case hex), space as `+`. */
export function phpUrlEncode(text: string): string {
  return rfc3986Encode(text).replace(/~/g, '%7E').replace(/%20/g, '+');
}

/** PHP `rawurlencode` (RFC 3986): everything but `A-Z a-z 0-9 - _ . ~` percent-encoded. */
export function rfc3986Encode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Options of {@link secretParam}. */
export interface SecretParamOptions {
  secrets: Secrets;
  /** Parameter carrying the secret token (never stored). */
  param: string;
}

/** A secret token in a parameter (TUNE's `security_token`, a secret postback URL), in constant time. */
export function secretParam(options: SecretParamOptions): SyncNetworkAuth {
  const secrets = secretList(options.secrets, 'secretParam');
  return {
    name: `secret-param(${options.param})`,
    secretParams: [options.param],
    verify(callback) {
      const given = firstValue(callback.params[options.param]);
      if (given === null) return { ok: false, reason: `${options.param} missing` };
      return safeEqualsAny(given, secrets) ? { ok: true } : { ok: false, reason: `${options.param} does not match` };
    },
  };
}

/** Options of {@link headerSecret}. */
export interface HeaderSecretOptions {
  secrets: Secrets;
  header: string;
}

/** A secret token in a header (Lootably's webhook secret, a host's own), in constant time. */
export function headerSecret(options: HeaderSecretOptions): SyncNetworkAuth {
  const secrets = secretList(options.secrets, 'headerSecret');
  const name = options.header.toLowerCase();
  return {
    name: `header-secret(${name})`,
    verify(callback: NetworkCallback) {
      const given = firstValue(callback.headers?.[name]);
      if (given === null) return { ok: false, reason: `${name} header missing` };
      return safeEqualsAny(given, secrets) ? { ok: true } : { ok: false, reason: `${name} does not match` };
    },
  };
}

/** Source-IP allowlist (the core's {@link ipAllowlist}), e.g. a network's published ranges. */
export function sourceIps(cidrs: readonly string[]): SyncNetworkAuth {
  return ipAllowlist({ cidrs });
}
