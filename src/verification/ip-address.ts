/**
 * IPv4 and IPv6 addresses and networks, parsed with integers (the core may not import
 * `node:net`). IPv4-mapped IPv6 (`::ffff:1.2.3.4`, what a dual-stack socket reports for an IPv4
 * client) is read as the IPv4 address; zone ids (`fe80::1%eth0`) are ignored.
 * @module
 */

/** A parsed IP address: its version and its value as an unsigned integer. */
export interface ParsedIp {
  version: 4 | 6;
  value: bigint;
}

/** A parsed network: its address (host bits cleared) and prefix length. */
export interface Cidr extends ParsedIp {
  prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;

/** Parses an IPv4 or IPv6 address (brackets and zone id allowed); `null` when it is not one. */
export function parseIp(text: string): ParsedIp | null {
  if (typeof text !== 'string' || text.length > 100) return null;
  const address = text.trim().replace(/^\[(.*)\]$/, '$1').split('%')[0]!;
  const v4 = parseIpv4(address);
  if (v4 !== null) return { version: 4, value: v4 };
  const v6 = parseIpv6(address);
  if (v6 === null) return null;
  if (v6 >> 32n === 0xffffn) return { version: 4, value: v6 & 0xffffffffn };
  return { version: 6, value: v6 };
}

/**
 * Parses `10.0.0.0/8`, `2001:db8::/32`, `::ffff:192.0.2.0/120` or a single address (a /32 or
 * /128). Host bits may be set (`10.1.2.3/8` is `10.0.0.0/8`). Throws a `TypeError` for anything
 * else, so a typo in the configuration stops the start instead of silently allowing or refusing.
 */
export function parseCidr(text: string): Cidr {
  const invalid = (what: string) => new TypeError(`clickcredit ipAllowlist: invalid ${what} in ${JSON.stringify(text)}`);
  const parts = typeof text === 'string' ? text.trim().split('/') : [];
  if (parts.length < 1 || parts.length > 2) throw invalid('network');
  const [address, prefixText] = parts as [string, string | undefined];
  const ip = parseIp(address);
  if (!ip) throw invalid('address');
  let prefix: number = BITS[ip.version];
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText)) throw invalid('prefix');
    // A mapped IPv4 network is written with an IPv6 prefix length (96 + the IPv4 one).
    const mapped = ip.version === 4 && address.includes(':');
    prefix = Number(prefixText) - (mapped ? 96 : 0);
    if (prefix < 0 || prefix > BITS[ip.version]) throw invalid('prefix');
  }
  const hostBits = BigInt(BITS[ip.version] - prefix);
  return { version: ip.version, value: (ip.value >> hostBits) << hostBits, prefix };
}

/** Whether `ip` lies in `cidr` (an IPv4 address is never in an IPv6 network, and back). */
export function cidrContains(cidr: Cidr, ip: ParsedIp): boolean {
  if (cidr.version !== ip.version) return false;
  const hostBits = BigInt(BITS[cidr.version] - cidr.prefix);
  return cidr.value >> hostBits === ip.value >> hostBits;
}

function parseIpv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    // Leading zeros are refused: some parsers read them as octal, so `010` is ambiguous.
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return null;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(input: string): bigint | null {
  if (!/^[0-9a-fA-F:.]+$/.test(input) || input.split('::').length > 2) return null;
  const text = withHexTail(input);
  if (text === null) return null;
  const groups = expandGroups(text);
  if (groups === null) return null;
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  return value;
}

/** Rewrites an embedded IPv4 tail (`::ffff:1.2.3.4`) as the two 16-bit groups it stands for. */
function withHexTail(text: string): string | null {
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (!tail.includes('.')) return text;
  const v4 = parseIpv4(tail);
  if (v4 === null) return null;
  return `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
}

/** The eight groups of an address, `::` expanded (it must stand for at least one group). */
function expandGroups(text: string): string[] | null {
  const split = (s: string) => (s === '' ? [] : s.split(':'));
  const halves = text.split('::');
  if (halves.length === 1) {
    const groups = split(text);
    return groups.length === 8 ? groups : null;
  }
  const left = split(halves[0]!);
  const right = split(halves[1]!);
  const missing = 8 - left.length - right.length;
  if (missing < 1) return null;
  return [...left, ...Array<string>(missing).fill('0'), ...right];
}
