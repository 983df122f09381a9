/**
 * The building blocks of network definitions: field readers, canonicalisation of each scheme
 * over the bytes as received, secret rotation, replies, and the start-up checks.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  bodyHmac,
  checkNetworkDefinition,
  fieldDigest,
  firstOf,
  header,
  networkCallbackOf,
  param,
  phpUrlEncode,
  rfc3986Encode,
  secretParam,
  sortedQuery,
  sourceIps,
  splitSignedUrl,
  tapjoy,
  textReplies,
  urlHmac,
  type NetworkCallback,
} from 'clickcredit/networks';

function cb(rawQuery: string, extra: { body?: unknown; rawBody?: string; headers?: Record<string, string>; sourceIp?: string } = {}): NetworkCallback {
  return networkCallbackOf('net', { query: Object.fromEntries(new URLSearchParams(rawQuery)), rawQuery, ...extra }, 'https://api.example.com/earn');
}

describe('field readers', () => {
  it('tell absent (null) from present but empty (""), read nested JSON with dotted names, trim', () => {
    const c = cb('a=1&empty=&spaced=%20x%20', { body: { data: { player_id: 'p1', amount: 5, nothing: null } } });
    expect(param('a')(c)).toBe('1');
    expect(param('empty')(c)).toBe('');
    expect(param('missing')(c)).toBeNull();
    expect(param('spaced')(c)).toBe('x');
    expect(param('data.player_id')(c)).toBe('p1');
    expect(param('data.amount')(c)).toBe('5');
    expect(param('data.nothing')(c)).toBe('');
    expect(param('missing', 'a')(c)).toBe('1');
    expect(firstOf(param('missing'), param('empty'), param('a'))(c)).toBe('');
    expect(header('X-Thing')(cb('', { headers: { 'x-thing': ' v ' } }))).toBe('v');
  });

  it('refuse bodies nested too deeply (never an operator object)', () => {
    expect(() => cb('', { body: { a: { b: { c: { d: { e: { f: 1 } } } } } } })).toThrow(/nested too deeply/);
  });
});

describe('URL HMAC: the URL exactly as received', () => {
  const secret = 'k';
  const sign = (url: string) => createHmac('sha256', secret).update(url).digest('hex');
  const verifier = urlHmac({ secrets: ['old', secret], algorithm: 'sha256', param: 'sig' });
  const base = 'https://api.example.com/earn/postback/net';

  it('accepts the raw query as signed: %20 and + are different bytes, parameter order matters', () => {
    const q = 'name=a%20b&x=1';
    expect(verifier.verify(cb(`${q}&sig=${sign(`${base}?${q}`)}`))).toEqual({ ok: true });
    expect(verifier.verify(cb(`name=a+b&x=1&sig=${sign(`${base}?${q}`)}`)).ok).toBe(false);
    expect(verifier.verify(cb(`x=1&name=a%20b&sig=${sign(`${base}?${q}`)}`)).ok).toBe(false);
  });

  it('refuses a signature that is not the last parameter (what follows would be unsigned)', () => {
    const q = 'x=1';
    const result = verifier.verify(cb(`${q}&sig=${sign(`${base}?${q}`)}&amount=999`));
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/not the last parameter/) });
    expect(splitSignedUrl(`${base}?sig=abcdef0123456789`, 'sig')).toEqual({ ok: true, signed: base, signature: 'abcdef0123456789' });
  });

  it('rotates: any configured secret is accepted', () => {
    const q = 'x=1';
    const old = createHmac('sha256', 'old').update(`${base}?${q}`).digest('hex');
    expect(verifier.verify(cb(`${q}&sig=${old}`))).toEqual({ ok: true });
  });
});

describe('body HMAC: the raw bytes', () => {
  const raw = '{"a":1,"b":"x"}';
  const verifier = bodyHmac({ secrets: 's', algorithm: 'sha256', header: 'Signature' });
  const good = createHmac('sha256', 's').update(raw).digest('hex');
  it('accepts the raw body, refuses a parsed-and-reserialised one and a missing raw body', () => {
    expect(verifier.verify(cb('', { body: JSON.parse(raw), rawBody: raw, headers: { signature: good } }))).toEqual({ ok: true });
    expect(verifier.verify(cb('', { body: JSON.parse(raw), rawBody: '{"a": 1, "b": "x"}', headers: { signature: good } })).ok).toBe(false);
    expect(verifier.verify(cb('', { body: JSON.parse(raw), headers: { signature: good } })).ok).toBe(false);
    expect(verifier.verify(cb('', { body: JSON.parse(raw), rawBody: raw })).ok).toBe(false);
  });
});

describe('sorted parameters (PHP http_build_query)', () => {
  it('encodes like PHP urlencode (space +, ~ %7E) and rawurlencode (space %20, ~ kept)', () => {
    // PHP: urlencode("a b~*'!().") === "a+b%7E%2A%27%21%28%29."; rawurlencode(...) === "a%20b~%2A%27%21%28%29."
    expect(phpUrlEncode("a b~*'!().")).toBe('a+b%7E%2A%27%21%28%29.');
    expect(rfc3986Encode("a b~*'!().")).toBe('a%20b~%2A%27%21%28%29.');
    expect(phpUrlEncode('é/&=')).toBe('%C3%A9%2F%26%3D');
  });

  it('sorts by name in byte order, decodes first, keeps the last of a repeated name', () => {
    expect(sortedQuery('b=2&a=1&B=3', 'php')).toBe('B=3&a=1&b=2');
    expect(sortedQuery('x=a%20b&y=c+d', 'php')).toBe('x=a+b&y=c+d');
    expect(sortedQuery('x=a%20b&y=c+d', 'rfc3986')).toBe('x=a%20b&y=c%20d');
    expect(sortedQuery('x=a%20b', 'raw')).toBe('x=a b');
    expect(sortedQuery('a=1&a=2', 'php')).toBe('a=2');
  });
});

describe('field digest, secret parameter, source IPs', () => {
  it('digests the values as sent (12.5 is not 12.50), hex compared case-insensitively', () => {
    const digest = createHash('md5').update('u:12.5:s').digest('hex');
    const verifier = fieldDigest({ secrets: 's', fields: ['u', 'a'], separator: ':', algorithm: 'md5' });
    expect(verifier.verify(cb(`u=u&a=12.5&hash=${digest.toUpperCase()}`))).toEqual({ ok: true });
    expect(verifier.verify(cb(`u=u&a=12.50&hash=${digest}`)).ok).toBe(false);
    expect(verifier.verify(cb('u=u&a=12.5')).ok).toBe(false);
  });

  it('a secret parameter is compared in constant time and named as a secret (never stored)', () => {
    const verifier = secretParam({ secrets: ['t1', 't2'], param: 'token' });
    expect(verifier.secretParams).toEqual(['token']);
    expect(verifier.verify(cb('token=t2'))).toEqual({ ok: true });
    expect(verifier.verify(cb('token=t3')).ok).toBe(false);
  });

  it('source IPs: the published ranges, IPv4-mapped addresses included', async () => {
    const verifier = sourceIps(['188.40.3.73', '2a01:4f8:d0a:30ff::2']);
    expect(await verifier.verify(cb('', { sourceIp: '::ffff:188.40.3.73' }))).toEqual({ ok: true });
    expect(await verifier.verify(cb('', { sourceIp: '2a01:4f8:d0a:30ff::2' }))).toEqual({ ok: true });
    expect((await verifier.verify(cb('', { sourceIp: '188.40.3.74' }))).ok).toBe(false);
  });

  it('refuses empty secrets at start-up', () => {
    expect(() => fieldDigest({ secrets: '', fields: ['a'], algorithm: 'md5' })).toThrow(TypeError);
    expect(() => urlHmac({ secrets: [], algorithm: 'sha1', param: 'hash' })).toThrow(TypeError);
  });
});

describe('replies and start-up checks', () => {
  it('text replies: success word, duplicate = success, refusal word and status per refusal', () => {
    const replies = textReplies({ success: (c) => `${c.transactionId}:OK`, refusal: '0', refusalStatus: { unknown_user: 403 } });
    const context = { callback: cb(''), transactionId: 'e1', result: null };
    expect(replies.success(context)).toEqual({ status: 200, contentType: 'text/plain; charset=utf-8', body: 'e1:OK' });
    expect(replies.duplicate!(context).body).toBe('e1:OK');
    expect(replies.refusal('unknown_user', context)).toMatchObject({ status: 403, body: '0' });
    expect(replies.refusal('unavailable', context)).toMatchObject({ status: 503 });
  });

  it('Tapjoy answers 403 to every refusal that a retry cannot fix, 503 when it should retry', () => {
    const replies = tapjoy('s').replies;
    const context = { callback: cb(''), transactionId: null, result: null };
    for (const code of ['forbidden', 'invalid_input', 'invalid_amount', 'unknown_user', 'conflict'] as const) expect(replies.refusal(code, context).status).toBe(403);
    expect(replies.refusal('unavailable', context).status).toBe(503);
  });

  it('a definition without its amount field, its user id field or any authentication stops the start', () => {
    const base = tapjoy('s');
    expect(() => checkNetworkDefinition('tapjoy', base)).not.toThrow();
    const { amount: _amount, ...noAmount } = base.fields;
    expect(() => checkNetworkDefinition('tapjoy', { ...base, fields: noAmount as typeof base.fields })).toThrow(/fields\.amount is required/);
    const { userId: _user, ...noUser } = base.fields;
    expect(() => checkNetworkDefinition('tapjoy', { ...base, fields: noUser })).toThrow(/fields\.userId/);
    expect(() => checkNetworkDefinition('tapjoy', { ...base, auth: [] })).toThrow(/no authentication/);
    expect(() => checkNetworkDefinition('tapjoy', { ...base, auth: [], allowUnverified: true })).not.toThrow();
    expect(() => checkNetworkDefinition('tap joy', base)).toThrow(/name/);
  });
});
