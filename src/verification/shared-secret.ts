/**
 * Shared-secret verification: the advertiser sends a secret we gave it, in a parameter or a
 * header. Several secrets may be valid at once, so a secret can be rotated without downtime.
 * @module
 */
import type { SyncPostbackVerifier } from '../postback/verifier.js';
import { safeEqualsAny } from './constant-time.js';
import { firstValue } from './request-values.js';
import { requireSecrets } from './secret-list.js';

/** Options of {@link sharedSecret}. */
export interface SharedSecretOptions {
  /** Accepted secrets (more than one while rotating). Empty lists or empty secrets throw. */
  secrets: readonly string[];
  /** Query/body parameter carrying the secret. Default `secret`. */
  param?: string;
  /** Header carrying the secret (any case). Default `x-postback-secret`. */
  header?: string;
}

/**
 * Accepts a postback whose header (checked first) or parameter equals one of the secrets,
 * compared in constant time.
 *
 * @example
 * ```ts
 * sharedSecret({ secrets: [process.env.POSTBACK_SECRET!, previousSecret] })
 * // accepts ...&secret=<secret> or the header `x-postback-secret: <secret>`
 * ```
 */
export function sharedSecret(options: SharedSecretOptions): SyncPostbackVerifier {
  const secrets = requireSecrets(options.secrets, 'sharedSecret');
  const param = options.param ?? 'secret';
  const header = (options.header ?? 'x-postback-secret').toLowerCase();
  return {
    name: 'shared-secret',
    secretParams: [param],
    verify(postback) {
      const given = firstValue(postback.headers?.[header]) ?? firstValue(postback.params[param]);
      if (given === null) return { ok: false, reason: 'secret missing' };
      return safeEqualsAny(given, secrets) ? { ok: true } : { ok: false, reason: 'secret does not match' };
    },
  };
}
