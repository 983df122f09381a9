import { describe, expect, it } from 'vitest';
import { sharedSecret, type VerifiablePostback } from 'clickcredit';

const pb = (over: Partial<VerifiablePostback> = {}): VerifiablePostback => ({ params: {}, headers: {}, ...over });

describe('sharedSecret', () => {
  const verifier = sharedSecret({ secrets: ['old-secret', 'new-secret'] });

  it('accepts every current secret (rotation), from the parameter or the header', () => {
    expect(verifier.verify(pb({ params: { secret: 'old-secret' } }))).toEqual({ ok: true });
    expect(verifier.verify(pb({ params: { secret: 'new-secret' } }))).toEqual({ ok: true });
    expect(verifier.verify(pb({ headers: { 'x-postback-secret': 'new-secret' } }))).toEqual({ ok: true });
    expect(verifier.verify(pb({ headers: { 'x-postback-secret': ['old-secret', 'other'] } }))).toEqual({ ok: true });
  });

  it('refuses wrong secrets, including prefixes, extensions and case changes', () => {
    for (const guess of ['old-secre', 'old-secret ', 'old-secretx', 'OLD-SECRET', 'x']) {
      expect(verifier.verify(pb({ params: { secret: guess } }))).toEqual({ ok: false, reason: 'secret does not match' });
    }
  });

  it('refuses a missing or empty secret', () => {
    expect(verifier.verify(pb())).toEqual({ ok: false, reason: 'secret missing' });
    expect(verifier.verify(pb({ params: { secret: '' } }))).toEqual({ ok: false, reason: 'secret missing' });
    expect(verifier.verify(pb({ params: { secret: null } }))).toEqual({ ok: false, reason: 'secret missing' });
  });

  it('reads the header first, and falls back to the parameter when the header is empty', () => {
    expect(verifier.verify(pb({ headers: { 'x-postback-secret': 'wrong' }, params: { secret: 'new-secret' } })).ok).toBe(false);
    expect(verifier.verify(pb({ headers: { 'x-postback-secret': '' }, params: { secret: 'new-secret' } })).ok).toBe(true);
  });

  it('honours a custom parameter and header name (header names in any case)', () => {
    const custom = sharedSecret({ secrets: ['k'], param: 'token', header: 'X-Network-Key' });
    expect(custom.verify(pb({ params: { token: 'k' } })).ok).toBe(true);
    expect(custom.verify(pb({ headers: { 'x-network-key': 'k' } })).ok).toBe(true);
    expect(custom.verify(pb({ params: { secret: 'k' } })).ok).toBe(false);
    expect(custom.verify(pb({ headers: { 'x-postback-secret': 'k' } })).ok).toBe(false);
  });

  it('compares numbers sent in JSON as their text', () => {
    expect(sharedSecret({ secrets: ['12345'] }).verify(pb({ params: { secret: 12345 } })).ok).toBe(true);
  });

  it('refuses an empty configuration at construction', () => {
    expect(() => sharedSecret({ secrets: [] })).toThrow(TypeError);
    expect(() => sharedSecret({ secrets: [''] })).toThrow(TypeError);
    expect(() => sharedSecret({ secrets: ['ok', ''] })).toThrow(TypeError);
  });
});
