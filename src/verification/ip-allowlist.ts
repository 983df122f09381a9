/**
 * Source-IP allowlists (IPv4 and IPv6 CIDR). Parsed here with integers, no network module:
 * IPv4-mapped IPv6 (`::ffff:1.2.3.4`) counts as IPv4, zone ids (`%eth0`) are ignored.
 * @module
 */
import type { SyncPostbackVerifier } from '../postback/verifier.js';

/** A parsed IP address. */
export interface ParsedIp {
  version: 4 | 6;
  value: bigint;
}

/** A parsed network (address and prefix length). */
export interface Cidr extends ParsedIp {
  prefix: number;
}

/** Parses an IPv4 or IPv6 address; `null` when it is not one. */
export function parseIp(text: string): ParsedIp | null {
  const address = text.trim().replace(/^\[|\]$/g, '').split('%')[0]!;
  const v4 = parseIpv4(address);
  if (v4 !== null) return { version: 4, value: v4 };
  const v6 = parseIpv6(address);
  if (v6 === null) return null;
  // ::ffff:a.b.c.d is an IPv4 client seen through a dual-stack socket.
  if (v6 >> 32n === 0xffffn) return { version: 4, value: v6 & 0xffffffffn };
  return { version: 6, value: v6 };
}

function parseIpv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return null;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(input: string): bigint | null {
  if (!/^[0-9a-fA-F:.]+$/.test(input) || input.split('::').length > 2) return null;
  let text = input;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    // An embedded IPv4 tail (::ffff:1.2.3.4) stands for the last two 16-bit groups.
    const v4 = parseIpv4(tail);
    if (v4 === null) return null;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  const split = (s: string) => (s === '' ? [] : s.split(':'));
  let groups: string[];
  if (halves.length === 1) {
    groups = split(text);
    if (groups.length !== 8) return null;
  } else {
    const left = split(halves[0]!);
    const right = split(halves[1]!);
    const missing = 8 - left.length - right.length;
    if (missing < 1) return null;
    groups = [...left, ...Array<string>(missing).fill('0'), ...right];
  }
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  return value;
}

/** Parses `10.0.0.0/8`, `2001:db8::/32` or a single address; throws on anything else. */
export function parseCidr(text: string): Cidr {
  const [address, prefixText] = text.split('/');
  const ip = parseIp(address ?? '');
  if (!ip) throw new TypeError(`clickcredit ipAllowlist: invalid address in ${JSON.stringify(text)}`);
  // A mapped IPv4 network written in IPv6 form keeps its IPv6 prefix length; convert it.
  const mapped = ip.version === 4 && (address ?? '').includes(':');
  const bits = ip.version === 4 ? 32 : 128;
  let prefix = prefixText === undefined ? bits : Number(prefixText);
  if (mapped && prefixText !== undefined) prefix -= 96;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits || (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText))) {
    throw new TypeError(`clickcredit ipAllowlist: invalid prefix in ${JSON.stringify(text)}`);
  }
  return { ...ip, prefix };
}

/** Whether `ip` lies in `cidr`. */
export function cidrContains(cidr: Cidr, ip: ParsedIp): boolean {
  if (cidr.version !== ip.version) return false;
  const shift = BigInt((cidr.version === 4 ? 32 : 128) - cidr.prefix);
  return cidr.value >> shift === ip.value >> shift;
}

/** Accepts postbacks whose source IP is in one of the networks. */
export function ipAllowlist(options: { cidrs: readonly string[] }): SyncPostbackVerifier {
  if (!Array.isArray(options.cidrs) || options.cidrs.length === 0) throw new TypeError('clickcredit ipAllowlist: give at least one network');
  const networks = options.cidrs.map(parseCidr);
  return {
    name: 'ip-allowlist',
    verify(postback) {
      const ip = postback.sourceIp ? parseIp(postback.sourceIp) : null;
      if (!ip) return { ok: false, reason: 'source IP unknown or unparsable' };
      return networks.some((network) => cidrContains(network, ip)) ? { ok: true } : { ok: false, reason: `source IP ${postback.sourceIp} not allowed` };
    },
  };
}
