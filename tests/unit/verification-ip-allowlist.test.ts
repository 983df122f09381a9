import { describe, expect, it } from 'vitest';
import { cidrContains, ipAllowlist, parseCidr, parseIp, type VerifiablePostback } from 'clickcredit';

const from = (sourceIp: string | null | undefined): VerifiablePostback => ({ params: {}, headers: {}, sourceIp });
const allowed = (cidrs: string[], ip: string | null | undefined) => ipAllowlist({ cidrs }).verify(from(ip)).ok;

describe('parseIp', () => {
  it.each([
    ['0.0.0.0', 4, 0n],
    ['255.255.255.255', 4, 0xffffffffn],
    ['192.0.2.1', 4, 0xc0000201n],
    ['::', 6, 0n],
    ['::1', 6, 1n],
    ['2001:db8::', 6, 0x20010db8n << 96n],
    ['2001:DB8:0:0:0:0:0:1', 6, (0x20010db8n << 96n) | 1n],
    ['1:2:3:4:5:6:7::', 6, 0x0001000200030004000500060007_0000n],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 6, (1n << 128n) - 1n],
    ['::ffff:192.0.2.1', 4, 0xc0000201n],
    ['::ffff:c000:201', 4, 0xc0000201n],
    ['::FFFF:192.0.2.1', 4, 0xc0000201n],
    ['[2001:db8::1]', 6, (0x20010db8n << 96n) | 1n],
    ['fe80::1%eth0', 6, (0xfe80n << 112n) | 1n],
    [' 10.0.0.1 ', 4, 0x0a000001n],
    ['::192.0.2.1', 6, 0xc0000201n],
  ])('%s is IPv%s %s', (text, version, value) => {
    expect(parseIp(text)).toEqual({ version, value });
  });

  it.each([
    '', ' ', 'not-an-ip', '1.2.3', '1.2.3.4.5', '1.2.3.256', '01.2.3.4', '1.2.3.-4', '1.2.3.4/32',
    '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '1::2::3', ':::', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7:', '12345::',
    '1:2:3:4::5:6:7:8', 'g::1', '::ffff:1.2.3.256', '::ffff:1.2.3.4:5', '1.2.3.4::', '%eth0', '[::1', 'x'.repeat(200),
  ])('%j is not an address', (text) => {
    expect(parseIp(text)).toBeNull();
  });
});

describe('parseCidr', () => {
  it('clears host bits and converts mapped networks to IPv4', () => {
    expect(parseCidr('10.1.2.3/8')).toEqual({ version: 4, value: 0x0a000000n, prefix: 8 });
    expect(parseCidr('::ffff:192.0.2.0/120')).toEqual({ version: 4, value: 0xc0000200n, prefix: 24 });
    expect(parseCidr('::ffff:192.0.2.7')).toEqual({ version: 4, value: 0xc0000207n, prefix: 32 });
    expect(parseCidr('2001:db8::1')).toEqual({ version: 6, value: (0x20010db8n << 96n) | 1n, prefix: 128 });
    expect(parseCidr(' 2001:db8::/32 ')).toEqual({ version: 6, value: 0x20010db8n << 96n, prefix: 32 });
  });

  it.each(['10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/', '10.0.0.0/8/8', '10.0.0.0/8x', '10.0.0.0/ 8', '::/129', '::ffff:1.2.3.4/95', 'nope', '', '10.0.0/8', '/8'])(
    '%j throws a TypeError',
    (text) => {
      expect(() => parseCidr(text)).toThrow(TypeError);
    },
  );

  it('cidrContains never mixes versions', () => {
    expect(cidrContains(parseCidr('::/0'), parseIp('10.0.0.1')!)).toBe(false);
    expect(cidrContains(parseCidr('0.0.0.0/0'), parseIp('::1')!)).toBe(false);
  });
});

describe('ipAllowlist', () => {
  it('IPv4 networks: /0, /8, /24, /31, /32 edges', () => {
    expect(allowed(['0.0.0.0/0'], '8.8.8.8')).toBe(true);
    expect(allowed(['0.0.0.0/0'], '255.255.255.255')).toBe(true);
    expect(allowed(['10.0.0.0/8'], '10.255.255.255')).toBe(true);
    expect(allowed(['10.0.0.0/8'], '11.0.0.0')).toBe(false);
    expect(allowed(['10.0.0.0/8'], '9.255.255.255')).toBe(false);
    expect(allowed(['203.0.113.0/24'], '203.0.113.0')).toBe(true);
    expect(allowed(['203.0.113.0/24'], '203.0.113.255')).toBe(true);
    expect(allowed(['203.0.113.0/24'], '203.0.114.0')).toBe(false);
    expect(allowed(['203.0.113.0/24'], '203.0.112.255')).toBe(false);
    expect(allowed(['198.51.100.6/31'], '198.51.100.7')).toBe(true);
    expect(allowed(['198.51.100.6/31'], '198.51.100.8')).toBe(false);
    expect(allowed(['198.51.100.7/32'], '198.51.100.7')).toBe(true);
    expect(allowed(['198.51.100.7/32'], '198.51.100.6')).toBe(false);
    expect(allowed(['198.51.100.7'], '198.51.100.7')).toBe(true);
    expect(allowed(['198.51.100.7'], '198.51.100.70')).toBe(false);
  });

  it('IPv6 networks: /0, /32, /64, /127, /128 edges', () => {
    expect(allowed(['::/0'], '2001:db8::1')).toBe(true);
    expect(allowed(['::/0'], 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(true);
    expect(allowed(['2001:db8::/32'], '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(true);
    expect(allowed(['2001:db8::/32'], '2001:db9::')).toBe(false);
    expect(allowed(['2001:db8::/32'], '2001:db7:ffff::1')).toBe(false);
    expect(allowed(['2001:db8:0:1::/64'], '2001:db8:0:1:ffff::1')).toBe(true);
    expect(allowed(['2001:db8:0:1::/64'], '2001:db8:0:2::1')).toBe(false);
    expect(allowed(['2001:db8::/127'], '2001:db8::1')).toBe(true);
    expect(allowed(['2001:db8::/127'], '2001:db8::2')).toBe(false);
    expect(allowed(['2001:db8::1/128'], '2001:0db8:0000:0000:0000:0000:0000:0001')).toBe(true);
    expect(allowed(['2001:db8::1/128'], '2001:db8::2')).toBe(false);
    expect(allowed(['fe80::/10'], 'fe80::1%eth0')).toBe(true);
    expect(allowed(['fe80::/10'], '[fe80::abcd]')).toBe(true);
  });

  it('IPv4-mapped IPv6 clients match IPv4 networks, and mapped networks match IPv4 clients', () => {
    expect(allowed(['203.0.113.0/24'], '::ffff:203.0.113.200')).toBe(true);
    expect(allowed(['203.0.113.0/24'], '::ffff:cb00:71c8')).toBe(true);
    expect(allowed(['203.0.113.0/24'], '::ffff:203.0.114.1')).toBe(false);
    expect(allowed(['::ffff:192.0.2.0/120'], '192.0.2.44')).toBe(true);
    expect(allowed(['::ffff:192.0.2.0/120'], '::ffff:192.0.2.44')).toBe(true);
    expect(allowed(['::ffff:192.0.2.0/120'], '192.0.3.1')).toBe(false);
    // ::/0 is "every IPv6 address"; a mapped client is IPv4, so 0.0.0.0/0 is needed for it.
    expect(allowed(['::/0'], '::ffff:203.0.113.200')).toBe(false);
  });

  it('several networks: any one suffices', () => {
    const cidrs = ['203.0.113.0/24', '198.51.100.7', '2001:db8::/32'];
    expect(allowed(cidrs, '198.51.100.7')).toBe(true);
    expect(allowed(cidrs, '2001:db8::5')).toBe(true);
    expect(allowed(cidrs, '192.0.2.1')).toBe(false);
  });

  it('refuses unknown or unparsable source IPs, with the reason', () => {
    const verifier = ipAllowlist({ cidrs: ['0.0.0.0/0', '::/0'] });
    for (const ip of [null, undefined, '', 'unknown', '10.0.0.256', '1.2.3.4:8080']) {
      expect(verifier.verify(from(ip))).toEqual({ ok: false, reason: 'source IP unknown or unparsable' });
    }
    expect(ipAllowlist({ cidrs: ['10.0.0.0/8'] }).verify(from('11.0.0.1'))).toEqual({ ok: false, reason: 'source IP 11.0.0.1 not allowed' });
  });

  it('throws a TypeError for bad configuration at construction', () => {
    expect(() => ipAllowlist({ cidrs: [] })).toThrow(TypeError);
    expect(() => ipAllowlist({ cidrs: ['10.0.0.0/8', '10.0.0.0/33'] })).toThrow(/invalid prefix/);
    expect(() => ipAllowlist({ cidrs: ['nope'] })).toThrow(/invalid address/);
  });
});
