import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hmacSignature, secretKey, signedPayload, signPostback, type VerifiablePostback } from 'clickcredit';

const pb = (over: Partial<VerifiablePostback> = {}): VerifiablePostback => ({ params: {}, headers: {}, ...over });
const now = new Date('2026-11-24T12:00:00.900Z');
const clock = { now: () => now };
const ts = Math.floor(now.getTime() / 1000);

// The published Standard Webhooks test vector: standard-webhooks/standard-webhooks,
// libraries/javascript/src/webhook.test.ts, test "sign function works".
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('signPostback', () => {
  it('reproduces the Standard Webhooks reference vector', () => {
    expect(signPostback(VECTOR)).toEqual({
      'webhook-id': VECTOR.id,
      'webhook-timestamp': '1614265330',
      'webhook-signature': VECTOR.signature,
    });
  });

  it('the reference vector verifies at its own time, and not five minutes and one second later', () => {
    const at = (seconds: number) => hmacSignature({ secrets: [VECTOR.secret], clock: { now: () => new Date(seconds * 1000) } });
    const postback = pb({ rawBody: VECTOR.payload, headers: signPostback(VECTOR) });
    expect(at(VECTOR.timestamp).verify(postback)).toEqual({ ok: true });
    expect(at(VECTOR.timestamp + 301).verify(postback)).toEqual({ ok: false, reason: 'webhook-timestamp outside tolerance' });
  });

  it('reads whsec_ and un-prefixed secrets as base64 (Standard Webhooks), and raw secrets as UTF-8 when told', () => {
    expect(secretKey('whsec_aGVsbG8=')).toEqual(Buffer.from('hello'));
    expect(secretKey('aGVsbG8=')).toEqual(Buffer.from('hello'));
    expect(secretKey('aGVsbG8')).toEqual(Buffer.from('hello')); // padding is optional, as in the reference library
    expect(secretKey('hello', 'raw')).toEqual(Buffer.from('hello'));
    expect(secretKey('whsec_aGVsbG8=', 'raw')).toEqual(Buffer.from('hello')); // the prefix always means base64
    expect(secretKey('pässwort', 'raw')).toEqual(Buffer.from('pässwort', 'utf8'));
    expect(signPostback({ ...VECTOR, secret: 'whsec_aGVsbG8=' })).toEqual(signPostback({ ...VECTOR, secret: 'hello', secretEncoding: 'raw' }));
    expect(signPostback({ ...VECTOR, secret: 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' })['webhook-signature']).toBe(VECTOR.signature);
    expect(() => secretKey('whsec_not base64!')).toThrow(TypeError);
    expect(() => secretKey('whsec_')).toThrow(TypeError);
    expect(() => secretKey('')).toThrow(TypeError);
    expect(() => secretKey('', 'raw')).toThrow(TypeError);
    expect(() => secretKey('x', 'hex' as never)).toThrow(TypeError);
    // Plain text is refused as base64 rather than decoded into some other key.
    for (const notBase64 of ['plain-secret', 'k', 'abcde', 'aGVsbG8===', 'aGVsbG8=x', 'aGVs bG8=', 'a_b-c']) {
      expect(() => secretKey(notBase64), notBase64).toThrow(/secretEncoding: 'raw'/);
      expect(() => signPostback({ ...VECTOR, secret: notBase64 }), notBase64).toThrow(TypeError);
    }
    expect(() => signPostback({ ...VECTOR, timestamp: 1.5 })).toThrow(TypeError);
  });

  // The shell recipe of docs/verification.md, run for real when openssl is installed.
  const openssl = (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!openssl)('agrees with the openssl recipe of the docs, for plain and whsec_ secrets', () => {
    const run = (script: string, env: Record<string, string>) =>
      execFileSync('sh', ['-c', script], { env: { PATH: process.env.PATH ?? '', ...env } }).toString().trim();
    const plain = run(`printf '%s' "$ID.$TS.$BODY" | openssl dgst -sha256 -hmac "$POSTBACK_SECRET" -binary | base64`, {
      ID: 'msg_1', TS: '1700000000', BODY: 'click_id=abc&amount=5.00', POSTBACK_SECRET: 'plain-secret',
    });
    expect(`v1,${plain}`).toBe(
      signPostback({ secret: 'plain-secret', secretEncoding: 'raw', id: 'msg_1', timestamp: 1700000000, payload: 'click_id=abc&amount=5.00' })['webhook-signature'],
    );
    const whsec = run(
      `KEY=$(printf '%s' "\${POSTBACK_SECRET#whsec_}" | base64 -d | od -An -v -tx1 | tr -d ' \\n'); ` +
        `printf '%s' "$ID.$TS.$BODY" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$KEY" -binary | base64`,
      { ID: VECTOR.id, TS: String(VECTOR.timestamp), BODY: VECTOR.payload, POSTBACK_SECRET: VECTOR.secret },
    );
    expect(`v1,${whsec}`).toBe(VECTOR.signature);
  });
});

describe('hmacSignature', () => {
  // Raw secrets: a plain-text one beside a whsec_ one (the prefix keeps meaning base64).
  const verifier = hmacSignature({ secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'plain-next-secret'], secretEncoding: 'raw', clock });
  const body = '{"click_id":"c1","amount":"5.00"}';
  const parsedBody = { click_id: 'c1', amount: '5.00' };
  const signed = (secret: string, payload = body, timestamp = ts, id = 'msg_1') => signPostback({ secret, secretEncoding: 'raw', id, timestamp, payload });
  const post = (headers: object, over: Partial<VerifiablePostback> = {}) =>
    pb({ method: 'POST', rawBody: body, body: parsedBody, params: parsedBody, headers: { ...headers }, ...over });

  it('accepts a fresh signature by any configured secret (rotation)', () => {
    expect(verifier.verify(post(signed('plain-next-secret')))).toEqual({ ok: true });
    expect(verifier.verify(post(signed('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')))).toEqual({ ok: true });
  });

  it('accepts when one of several space-separated signatures matches, ignoring other versions', () => {
    const good = signed('plain-next-secret')['webhook-signature'];
    const list = `v1,AAAA v2,${good.slice(3)} ${good}`;
    expect(verifier.verify(post({ ...signed('x'), 'webhook-signature': list }))).toEqual({ ok: true });
    expect(verifier.verify(post({ ...signed('x'), 'webhook-signature': `v2,${good.slice(3)}` })).ok).toBe(false);
    expect(verifier.verify(post({ ...signed('x'), 'webhook-signature': good.slice(3) })).ok).toBe(false);
  });

  it('refuses a tampered body, id or timestamp, and a wrong secret', () => {
    const headers = signed('plain-next-secret');
    expect(verifier.verify(post(headers, { rawBody: '{"click_id":"c1","amount":"500.00"}' }))).toEqual({ ok: false, reason: 'signature does not match' });
    expect(verifier.verify(post({ ...headers, 'webhook-id': 'msg_2' })).ok).toBe(false);
    expect(verifier.verify(post({ ...headers, 'webhook-timestamp': String(ts - 1) })).ok).toBe(false);
    expect(verifier.verify(post(signed('wrong-secret'))).ok).toBe(false);
    // A whsec_ secret is base64-decoded: signing with its text as a raw key does not match.
    expect(verifier.verify(post(signed('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'))).ok).toBe(false);
  });

  it('reads un-prefixed secrets as base64 by default', () => {
    const base64 = hmacSignature({ secrets: ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], clock });
    const sign = (secret: string, secretEncoding?: 'raw' | 'base64') => signPostback({ secret, secretEncoding, id: 'msg_1', timestamp: ts, payload: body });
    expect(base64.verify(post(sign('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')))).toEqual({ ok: true });
    expect(base64.verify(post(sign('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')))).toEqual({ ok: true });
    expect(base64.verify(post(sign('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'raw'))).ok).toBe(false);
    expect(() => hmacSignature({ secrets: ['plain-next-secret'] })).toThrow(/secretEncoding: 'raw'/);
  });

  it('reads the Svix header names when no webhook-* header is sent, never a mix of both', () => {
    const headers = signed('plain-next-secret');
    const svix = { 'svix-id': headers['webhook-id'], 'svix-timestamp': headers['webhook-timestamp'], 'svix-signature': headers['webhook-signature'] };
    expect(verifier.verify(post(svix))).toEqual({ ok: true });
    expect(verifier.verify(post({ ...svix, 'svix-timestamp': String(ts + 301) }))).toEqual({ ok: false, reason: 'svix-timestamp outside tolerance' });
    expect(verifier.verify(post({ ...svix, 'svix-timestamp': 'soon' }))).toEqual({ ok: false, reason: 'svix-timestamp is not unix seconds' });
    expect(verifier.verify(post({ ...svix, 'svix-signature': signed('wrong-secret')['webhook-signature'] }))).toEqual({ ok: false, reason: 'signature does not match' });
    // A webhook-* header present means the webhook-* family is read, the svix-* ones ignored.
    expect(verifier.verify(post({ ...svix, 'webhook-id': headers['webhook-id'] }))).toEqual({ ok: false, reason: 'signature headers missing' });
    expect(verifier.verify(post({ ...svix, ...headers, 'svix-signature': 'v1,AAAA' }))).toEqual({ ok: true });
  });

  it('accepts timestamps up to the tolerance either way, and refuses one second beyond', () => {
    for (const offset of [-300, -1, 0, 1, 300]) {
      expect(verifier.verify(post(signed('plain-next-secret', body, ts + offset))), `offset ${offset}`).toEqual({ ok: true });
    }
    for (const offset of [-301, 301, -86_400]) {
      expect(verifier.verify(post(signed('plain-next-secret', body, ts + offset)))).toEqual({ ok: false, reason: 'webhook-timestamp outside tolerance' });
    }
  });

  it('honours a custom tolerance, including zero', () => {
    const strict = hmacSignature({ secrets: ['k'], secretEncoding: 'raw', toleranceSeconds: 0, clock });
    expect(strict.verify(post(signed('k', body, ts))).ok).toBe(true);
    expect(strict.verify(post(signed('k', body, ts - 1))).ok).toBe(false);
    const loose = hmacSignature({ secrets: ['k'], secretEncoding: 'raw', toleranceSeconds: 3600, clock });
    expect(loose.verify(post(signed('k', body, ts - 3600))).ok).toBe(true);
    expect(() => hmacSignature({ secrets: ['k'], secretEncoding: 'raw', toleranceSeconds: -1 })).toThrow(TypeError);
    expect(() => hmacSignature({ secrets: ['k'], secretEncoding: 'raw', toleranceSeconds: Number.NaN })).toThrow(TypeError);
  });

  it('refuses missing headers and malformed timestamps', () => {
    const headers = signed('plain-next-secret');
    expect(verifier.verify(post({}))).toEqual({ ok: false, reason: 'signature headers missing' });
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const { [name]: _dropped, ...rest } = headers;
      expect(verifier.verify(post(rest)).ok).toBe(false);
    }
    for (const bad of ['hello', '-1', '1e9', ' 1764000000', '17640000001234']) {
      expect(verifier.verify(post({ ...headers, 'webhook-timestamp': bad }))).toEqual({ ok: false, reason: 'webhook-timestamp is not unix seconds' });
    }
  });

  describe('GET postbacks: the raw query string is signed', () => {
    const query = { click_id: 'c1', amount: '5.00' };
    const rawQuery = 'click_id=c1&amount=5.00';
    const get = (headers: object, over: Partial<VerifiablePostback> = {}) =>
      pb({ method: 'GET', query, rawQuery, params: query, rawBody: '', headers: { ...headers }, ...over });

    it('accepts a signature over the query string without "?"', () => {
      expect(verifier.verify(get(signed('plain-next-secret', rawQuery)))).toEqual({ ok: true });
      expect(verifier.verify(get(signed('plain-next-secret', rawQuery), { rawQuery: `?${rawQuery}` }))).toEqual({ ok: true });
    });

    it('refuses a tampered or reordered query, or a signature over "?query"', () => {
      const headers = signed('plain-next-secret', rawQuery);
      expect(verifier.verify(get(headers, { rawQuery: 'click_id=c1&amount=50.00' })).ok).toBe(false);
      expect(verifier.verify(get(headers, { rawQuery: 'amount=5.00&click_id=c1' })).ok).toBe(false);
      expect(verifier.verify(get(signed('plain-next-secret', `?${rawQuery}`))).ok).toBe(false);
    });

    it('refuses query fields when the host did not pass the raw query string', () => {
      expect(verifier.verify(get(signed('plain-next-secret', ''), { rawQuery: undefined }))).toEqual({
        ok: false,
        reason: 'raw query string not available to check the signature',
      });
    });
  });

  describe('every field the tracker reads is covered by the signature', () => {
    it('refuses a signed body sent with query parameters the body does not carry', () => {
      const replayed = post(signed('plain-next-secret'), { query: { status: 'reversed' }, rawQuery: 'status=reversed' });
      expect(verifier.verify(replayed)).toEqual({ ok: false, reason: 'query parameters not covered by the signed body: status' });
      const redirected = post(signed('plain-next-secret'), { query: { click_id: 'mine' }, rawQuery: 'click_id=mine' });
      // The body's click_id wins the merge, so a query repeating a body field is harmless.
      expect(verifier.verify(redirected)).toEqual({ ok: true });
    });

    it('refuses a body whose raw text the host did not pass', () => {
      const noRaw = post(signed('plain-next-secret', ''), { rawBody: undefined });
      expect(verifier.verify(noRaw)).toEqual({ ok: false, reason: 'raw body not available to check the signature' });
    });

    it('signedPayload says what is signed', () => {
      expect(signedPayload(pb({ rawBody: 'a=1', body: { a: '1' } }))).toEqual({ ok: true, payload: 'a=1' });
      expect(signedPayload(pb({ rawBody: '', rawQuery: 'b=2', query: { b: '2' } }))).toEqual({ ok: true, payload: 'b=2' });
      expect(signedPayload(pb({}))).toEqual({ ok: true, payload: '' });
      expect(signedPayload(pb({ rawBody: 'a=1', body: { a: '1' }, query: { c: '3' } })).ok).toBe(false);
    });
  });

  it('refuses an empty configuration at construction', () => {
    expect(() => hmacSignature({ secrets: [] })).toThrow(TypeError);
    expect(() => hmacSignature({ secrets: [''] })).toThrow(TypeError);
    expect(() => hmacSignature({ secrets: ['whsec_***'] })).toThrow(TypeError);
  });
});
