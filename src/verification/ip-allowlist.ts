/**
 * Source-IP allowlists: postbacks are accepted only from the advertiser's networks.
 * @module
 */
import type { SyncPostbackVerifier } from '../postback/verifier.js';
import { cidrContains, parseCidr, parseIp } from './ip-address.js';

/** Options of {@link ipAllowlist}. */
export interface IpAllowlistOptions {
  /** IPv4/IPv6 networks (`203.0.113.0/24`, `2001:db8::/32`) or single addresses. */
  cidrs: readonly string[];
}

/**
 * Accepts postbacks whose source IP (as the host's trust-proxy setting resolved it) lies in one
 * of the networks. An IPv4 client seen as `::ffff:a.b.c.d` matches IPv4 networks. An invalid
 * network throws a `TypeError` here; a missing or unparsable source IP is refused.
 *
 * @example
 * ```ts
 * ipAllowlist({ cidrs: ['203.0.113.0/24', '198.51.100.7', '2001:db8::/32'] })
 * ```
 */
export function ipAllowlist(options: IpAllowlistOptions): SyncPostbackVerifier {
  if (!Array.isArray(options.cidrs) || options.cidrs.length === 0) throw new TypeError('clickcredit ipAllowlist: give at least one network');
  const networks = options.cidrs.map(parseCidr);
  return {
    name: 'ip-allowlist',
    verify(postback) {
      const ip = postback.sourceIp ? parseIp(postback.sourceIp) : null;
      if (!ip) return { ok: false, reason: 'source IP unknown or unparsable' };
      if (networks.some((network) => cidrContains(network, ip))) return { ok: true };
      return { ok: false, reason: `source IP ${postback.sourceIp!.slice(0, 64)} not allowed` };
    },
  };
}
