/**
 * Shared-secret verification: the advertiser sends a secret we gave it, in a parameter or a
 * header. Several secrets may be valid at once, so a secret can be rotated without downtime.
 * @module
 */
import type { SyncPostbackVerifier } from '../postback/verifier.js';
import { firstValue, safeEqual } from './constant-time.js';

/** Options of {@link sharedSecret}. */
export interface SharedSecretOptions {
  /** Accepted secrets (more than one while rotating). */
  secrets: readonly string[];
  /** Query/body parameter carrying the secret. Default `secret`. */
  param?: string;
  /** Header carrying the secret. Default `x-postback-secret`. */
  header?: string;
}

/** Accepts a postback whose parameter or header equals one of the secrets. */
export function sharedSecret(options: SharedSecretOptions): SyncPostbackVerifier {
  const secrets = nonEmpty(options.secrets, 'sharedSecret');
  const param = options.param ?? 'secret';
  const header = (options.header ?? 'x-postback-secret').toLowerCase();
  return {
    name: 'shared-secret',
    verify(postback) {
      const given = firstValue(postback.headers?.[header]) ?? firstValue(postback.params[param]);
      if (given === null) return { ok: false, reason: 'secret missing' };
      // Every secret is compared, matching or not, so timing does not tell which one matched.
      const matches = secrets.map((secret) => safeEqual(given, secret));
      return matches.includes(true) ? { ok: true } : { ok: false, reason: 'secret does not match' };
    },
  };
}

/** Refuses an empty list or an empty secret at start-up. */
export function nonEmpty(secrets: readonly string[], who: string): readonly string[] {
  if (!Array.isArray(secrets) || secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s === '')) {
    throw new TypeError(`clickcredit ${who}: give at least one non-empty secret`);
  }
  return secrets;
}
