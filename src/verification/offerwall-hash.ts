/**
 * Offerwall-style hashes: many networks append `hash=<hex digest>` computed over some of the
 * postback's parameters and a secret, e.g. `md5(click_id + amount + secret)`.
 * @module
 */
import { hash } from 'node:crypto';
import type { SyncPostbackVerifier } from '../postback/verifier.js';
import { safeEqualsAny } from './constant-time.js';
import { firstValue } from './request-values.js';
import { requireSecrets } from './secret-list.js';

/** Digest algorithms networks use for postback hashes. */
export type OfferwallHashAlgorithm = 'md5' | 'sha1' | 'sha256';

const ALGORITHMS: readonly OfferwallHashAlgorithm[] = ['md5', 'sha1', 'sha256'];

/** Options of {@link offerwallHash}. */
export interface OfferwallHashOptions {
  /** The network's secret(s); several while rotating. */
  secrets: readonly string[];
  /**
   * Parameters whose values are concatenated, in this order, as sent (a missing one counts as
   * empty). Parameters not listed here are not protected by the hash: list every one the
   * network's formula covers (click id, amount, status, transaction id...).
   */
  fields: readonly string[];
  /** Joins the values and the secret. Default `''`. */
  separator?: string;
  /** Digest algorithm of the network's formula. */
  algorithm: OfferwallHashAlgorithm;
  /** Parameter carrying the hex digest. Default `hash`. */
  hashParam?: string;
  /** Whether the secret goes after the values (default) or before them. */
  secretPosition?: 'suffix' | 'prefix';
}

/** Formula of a digest: {@link OfferwallHashOptions} with one secret. */
export type OfferwallDigestFormula = Pick<OfferwallHashOptions, 'algorithm' | 'separator' | 'secretPosition'> & { secret: string };

/**
 * The lower-case hex digest a network sends for these values: `algorithm(values + secret)`,
 * joined by the separator (or `secret + values` with `secretPosition: 'prefix'`).
 */
export function offerwallDigest(formula: OfferwallDigestFormula, values: readonly string[]): string {
  const separator = formula.separator ?? '';
  const joined = values.join(separator);
  const text = values.length === 0
    ? formula.secret
    : formula.secretPosition === 'prefix' ? `${formula.secret}${separator}${joined}` : `${joined}${separator}${formula.secret}`;
  // One-shot digest of the UTF-8 text: what createHash().update(text, 'utf8').digest('hex') gives.
  return hash(formula.algorithm, text, 'hex');
}

/**
 * Accepts postbacks whose hash parameter equals the digest under one of the secrets, compared
 * case-insensitively and in constant time.
 *
 * @example
 * ```ts
 * // the network calls .../postback?click_id={click_id}&amount={payout}&hash={md5(click_id + payout + secret)}
 * offerwallHash({ secrets: ['network-secret'], fields: ['click_id', 'amount'], algorithm: 'md5' })
 * ```
 */
export function offerwallHash(options: OfferwallHashOptions): SyncPostbackVerifier {
  const secrets = requireSecrets(options.secrets, 'offerwallHash');
  if (!ALGORITHMS.includes(options.algorithm)) throw new TypeError('clickcredit offerwallHash: algorithm must be md5, sha1 or sha256');
  if (!Array.isArray(options.fields) || options.fields.length === 0 || options.fields.some((f) => typeof f !== 'string' || f === '')) {
    // With no fields the digest is a constant: seen once, it would pass for any postback.
    throw new TypeError('clickcredit offerwallHash: give the parameters the hash covers in `fields`');
  }
  const hashParam = options.hashParam ?? 'hash';
  const formula = { algorithm: options.algorithm, separator: options.separator ?? '', secretPosition: options.secretPosition ?? 'suffix' };
  return {
    name: 'offerwall-hash',
    verify(postback) {
      const given = firstValue(postback.params[hashParam]);
      if (given === null) return { ok: false, reason: `${hashParam} missing` };
      const values = options.fields.map((field) => firstValue(postback.params[field]) ?? '');
      const expected = secrets.map((secret) => offerwallDigest({ ...formula, secret }, values));
      return safeEqualsAny(given.trim().toLowerCase(), expected) ? { ok: true } : { ok: false, reason: 'hash does not match' };
    },
  };
}
