/**
 * Offerwall-style hashes: many networks append `hash=<hex digest>` computed over some of the
 * postback's parameters and a secret, e.g. `md5(click_id + amount + secret)`.
 * @module
 */
import { createHash } from 'node:crypto';
import type { SyncPostbackVerifier } from '../postback/verifier.js';
import { firstValue, safeEqual } from './constant-time.js';
import { nonEmpty } from './shared-secret.js';

/** Options of {@link offerwallHash}. */
export interface OfferwallHashOptions {
  secrets: readonly string[];
  /** Parameters whose values are concatenated, in this order. */
  fields: readonly string[];
  /** Joins the values (and the secret). Default `''`. */
  separator?: string;
  algorithm: 'md5' | 'sha1' | 'sha256';
  /** Parameter carrying the digest. Default `hash`. */
  hashParam?: string;
  /** Whether the secret goes after the values (default) or before them. */
  secretPosition?: 'suffix' | 'prefix';
}

/** Computes the digest a network would send for these values. */
export function offerwallDigest(options: Omit<OfferwallHashOptions, 'secrets'> & { secret: string }, values: readonly string[]): string {
  const parts = options.secretPosition === 'prefix' ? [options.secret, ...values] : [...values, options.secret];
  return createHash(options.algorithm).update(parts.join(options.separator ?? '')).digest('hex');
}

/** Accepts postbacks whose hash parameter matches the digest under one of the secrets. */
export function offerwallHash(options: OfferwallHashOptions): SyncPostbackVerifier {
  const secrets = nonEmpty(options.secrets, 'offerwallHash');
  if (!['md5', 'sha1', 'sha256'].includes(options.algorithm)) throw new TypeError('clickcredit offerwallHash: algorithm must be md5, sha1 or sha256');
  const hashParam = options.hashParam ?? 'hash';
  return {
    name: 'offerwall-hash',
    verify(postback) {
      const given = firstValue(postback.params[hashParam]);
      if (given === null) return { ok: false, reason: `${hashParam} missing` };
      const values = options.fields.map((field) => firstValue(postback.params[field]) ?? '');
      let ok = false;
      for (const secret of secrets) ok = safeEqual(given.toLowerCase(), offerwallDigest({ ...options, secret }, values)) || ok;
      return ok ? { ok: true } : { ok: false, reason: 'hash does not match' };
    },
  };
}
