import { describe, expect, it } from 'vitest';
import {
  allOf, anyOf, createClickTracker, hmacSignature, ipAllowlist, offerwallDigest, offerwallHash, parseIp, sharedSecret, signPostback,
  type VerifiablePostback,
} from 'clickcredit';
import { createMemoryStore } from 'clickcredit/memory';

const pb = (over: Partial<VerifiablePostback> = {}): VerifiablePostback => ({ params: {}, headers: {}, ...over });
const now = new Date('2026-11-24T12:00:00Z');
const clock = { now: () => now };
const ts = Math.floor(now.getTime() / 1000);

describe('sharedSecret', () => {
  const verifier = sharedSecret({ secrets: ['old-secret', 'new-secret'] });
  it('accepts any current secret from the parameter or the header', () => {
    expect(verifier.verify(pb({ params: { secret: 'old-secret' } }))).toEqual({ ok: true });
    expect(verifier.verify(pb({ headers: { 'x-postback-secret': 'new-secret' } }))).toEqual({ ok: true });
  });
  it('refuses a wrong, empty or missing secret, and an empty configuration', () => {
    expect(verifier.verify(pb({ params: { secret: 'old-secre' } })).ok).toBe(false);
    expect(verifier.verify(pb({ params: { secret: '' } })).ok).toBe(false);
    expect(verifier.verify(pb()).ok).toBe(false);
    expect(() => sharedSecret({ secrets: [] })).toThrow(TypeError);
  });
});

describe('hmacSignature (Standard Webhooks)', () => {
  // Test vector of the Standard Webhooks reference libraries (standard-webhooks/standard-webhooks).
  it('matches the Standard Webhooks reference vector', () => {
    const headers = signPostback({
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      payload: '{"test": 2432232314}',
    });
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  const verifier = hmacSignature({ secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'plain-next-secret'], clock });
  const body = '{"amount":"5.00"}';
  const signed = (secret: string, payload = body, timestamp = ts) => signPostback({ secret, id: 'msg_1', timestamp, payload });

  it('accepts a fresh signature by any configured secret, over the body or the GET query', () => {
    expect(verifier.verify(pb({ rawBody: body, headers: { ...signed('plain-next-secret') } }))).toEqual({ ok: true });
    expect(verifier.verify(pb({ rawBody: body, headers: { ...signed('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw') } }))).toEqual({ ok: true });
    const query = 'click_id=abc&amount=5.00';
    expect(verifier.verify(pb({ rawQuery: query, headers: { ...signed('plain-next-secret', query) } }))).toEqual({ ok: true });
  });

  it('accepts when one of several listed signatures matches', () => {
    const good = signed('plain-next-secret')['webhook-signature'];
    expect(verifier.verify(pb({ rawBody: body, headers: { ...signed('x'), 'webhook-signature': `v1,AAAA ${good}` } })).ok).toBe(true);
  });

  it('refuses a tampered body, a wrong secret, stale or future timestamps, and missing headers', () => {
    expect(verifier.verify(pb({ rawBody: '{"amount":"500.00"}', headers: { ...signed('plain-next-secret') } })).ok).toBe(false);
    expect(verifier.verify(pb({ rawBody: body, headers: { ...signed('wrong') } })).ok).toBe(false);
    expect(verifier.verify(pb({ rawBody: body, headers: { ...signed('plain-next-secret', body, ts - 301) } })).ok).toBe(false);
    expect(verifier.verify(pb({ rawBody: body, headers: { ...signed('plain-next-secret', body, ts + 301) } })).ok).toBe(false);
    expect(verifier.verify(pb({ rawBody: body, headers: { ...signed('plain-next-secret', body, ts - 299) } })).ok).toBe(true);
    expect(verifier.verify(pb({ rawBody: body })).ok).toBe(false);
  });
});

describe('offerwallHash', () => {
  const options = { secrets: ['s3cret'], fields: ['click_id', 'amount'], algorithm: 'md5' as const };
  const verifier = offerwallHash(options);
  it('accepts md5(click_id + amount + secret), case-insensitively', () => {
    const hash = offerwallDigest({ ...options, secret: 's3cret' }, ['abc', '5.00']);
    expect(hash).toMatch(/^[0-9a-f]{32}$/);
    expect(verifier.verify(pb({ params: { click_id: 'abc', amount: '5.00', hash: hash.toUpperCase() } }))).toEqual({ ok: true });
    expect(verifier.verify(pb({ params: { click_id: 'abc', amount: '6.00', hash } })).ok).toBe(false);
    expect(verifier.verify(pb({ params: { click_id: 'abc', amount: '5.00' } })).ok).toBe(false);
  });
  it('supports sha1 and sha256, separators and a leading secret', () => {
    for (const algorithm of ['sha1', 'sha256'] as const) {
      const o = { secrets: ['k'], fields: ['a'], algorithm, separator: ':', secretPosition: 'prefix' as const };
      const hash = offerwallDigest({ ...o, secret: 'k' }, ['1']);
      expect(offerwallHash(o).verify(pb({ params: { a: '1', hash } }))).toEqual({ ok: true });
    }
    expect(() => offerwallHash({ ...options, algorithm: 'crc32' as never })).toThrow(TypeError);
  });
});

describe('ipAllowlist', () => {
  const verifier = ipAllowlist({ cidrs: ['203.0.113.0/24', '198.51.100.7', '2001:db8::/32', '::ffff:192.0.2.0/120'] });
  it.each([
    ['203.0.113.9', true], ['203.0.114.1', false], ['198.51.100.7', true], ['198.51.100.8', false],
    ['2001:db8:1::5', true], ['2001:db9::1', false], ['::ffff:203.0.113.200', true], ['192.0.2.44', true],
    ['fe80::1%eth0', false], ['not-an-ip', false], ['', false],
  ])('%s -> %s', (ip, allowed) => {
    expect(verifier.verify(pb({ sourceIp: ip })).ok).toBe(allowed);
  });
  it('parses edge forms and refuses bad configuration', () => {
    expect(parseIp('::')).toEqual({ version: 6, value: 0n });
    expect(parseIp('::1')).toEqual({ version: 6, value: 1n });
    expect(parseIp('1.2.3.256')).toBeNull();
    expect(parseIp('1:2:3:4:5:6:7:8:9')).toBeNull();
    expect(ipAllowlist({ cidrs: ['0.0.0.0/0'] }).verify(pb({ sourceIp: '8.8.8.8' })).ok).toBe(true);
    expect(() => ipAllowlist({ cidrs: ['10.0.0.0/33'] })).toThrow(TypeError);
    expect(() => ipAllowlist({ cidrs: ['nope'] })).toThrow(TypeError);
  });
});

describe('composition and the tracker', () => {
  const ipOk = ipAllowlist({ cidrs: ['10.0.0.0/8'] });
  const secretOk = sharedSecret({ secrets: ['s'] });
  it('allOf needs every verifier, anyOf one', async () => {
    const both = pb({ sourceIp: '10.1.1.1', params: { secret: 's' } });
    const onlyIp = pb({ sourceIp: '10.1.1.1' });
    expect((await allOf(ipOk, secretOk).verify(both)).ok).toBe(true);
    expect((await allOf(ipOk, secretOk).verify(onlyIp)).ok).toBe(false);
    expect((await anyOf(secretOk, ipOk).verify(onlyIp)).ok).toBe(true);
    expect((await anyOf(secretOk, ipOk).verify(pb({ sourceIp: '11.0.0.1' }))).ok).toBe(false);
  });

  it('a refused postback is 403 POSTBACK_FORBIDDEN, credits nothing and is audited', async () => {
    const storage = createMemoryStore();
    const tracker = createClickTracker({
      storage,
      products: { getProduct: () => ({ productId: 'p', earnUpTo: '5.00', active: true }) },
      publicUrl: 'https://x.test/earn',
      verifier: [secretOk],
      logger: { info() {}, warn() {}, error() {} },
    });
    const { clickId } = await tracker.createClick({ userId: 'u', productId: 'p', taskUrl: 'https://a.test/' });
    await expect(tracker.handlePostback({ query: { click_id: clickId, secret: 'guess' } })).rejects.toMatchObject({ status: 403, code: 'POSTBACK_FORBIDDEN' });
    expect((await tracker.getWallet('u')).balance).toBe('0.00');
    expect((await tracker.listPostbackAttempts(clickId)).map((a) => a.decision)).toEqual(['forbidden']);
    expect((await tracker.handlePostback({ query: { click_id: clickId, secret: 's' } })).amount).toBe('5.00');
    expect((await tracker.getWallet('u')).balance).toBe('5.00');
  });
});
