import { describe, expect, it } from 'vitest';
import { allOf, anyOf, ipAllowlist, sharedSecret, type PostbackVerifier, type VerifiablePostback } from 'clickcredit';

const pb = (over: Partial<VerifiablePostback> = {}): VerifiablePostback => ({ params: {}, headers: {}, ...over });

const fromOffice = ipAllowlist({ cidrs: ['10.0.0.0/8'] });
const withSecret = sharedSecret({ secrets: ['s'] });
const throwing: PostbackVerifier = {
  name: 'throwing',
  verify() {
    throw new Error('boom');
  },
};
const asyncYes: PostbackVerifier = { name: 'async-yes', verify: async () => ({ ok: true }) };
const asyncNo: PostbackVerifier = { name: 'async-no', verify: async () => ({ ok: false, reason: 'nope' }) };

const both = pb({ sourceIp: '10.1.1.1', params: { secret: 's' } });
const onlyIp = pb({ sourceIp: '10.1.1.1' });
const onlySecret = pb({ sourceIp: '192.0.2.1', params: { secret: 's' } });
const neither = pb({ sourceIp: '192.0.2.1' });

describe('allOf', () => {
  const verifier = allOf(fromOffice, withSecret);

  it('accepts only when every verifier accepts', async () => {
    expect(await verifier.verify(both)).toEqual({ ok: true });
    expect((await verifier.verify(onlyIp)).ok).toBe(false);
    expect((await verifier.verify(onlySecret)).ok).toBe(false);
    expect((await verifier.verify(neither)).ok).toBe(false);
  });

  it('gives the first refusal as the reason, named', async () => {
    expect(await verifier.verify(neither)).toEqual({ ok: false, reason: 'ip-allowlist: source IP 192.0.2.1 not allowed' });
    expect(await verifier.verify(onlyIp)).toEqual({ ok: false, reason: 'shared-secret: secret missing' });
    expect(verifier.name).toBe('allOf(ip-allowlist,shared-secret)');
  });

  it('awaits async verifiers and treats a throwing one as a refusal', async () => {
    expect(await allOf(asyncYes, withSecret).verify(both)).toEqual({ ok: true });
    expect(await allOf(asyncYes, asyncNo).verify(both)).toEqual({ ok: false, reason: 'async-no: nope' });
    expect(await allOf(withSecret, throwing).verify(both)).toEqual({ ok: false, reason: 'throwing: verifier failed' });
  });
});

describe('anyOf', () => {
  const verifier = anyOf(withSecret, fromOffice);

  it('accepts when any verifier accepts', async () => {
    expect(await verifier.verify(both)).toEqual({ ok: true });
    expect(await verifier.verify(onlyIp)).toEqual({ ok: true });
    expect(await verifier.verify(onlySecret)).toEqual({ ok: true });
  });

  it('lists every refusal when none accepts', async () => {
    expect(await verifier.verify(neither)).toEqual({
      ok: false,
      reason: 'shared-secret: secret missing; ip-allowlist: source IP 192.0.2.1 not allowed',
    });
  });

  it('a throwing verifier is a refusal, not an acceptance nor a crash', async () => {
    expect(await anyOf(throwing, withSecret).verify(onlySecret)).toEqual({ ok: true });
    expect(await anyOf(throwing, asyncNo).verify(both)).toEqual({ ok: false, reason: 'throwing: verifier failed; async-no: nope' });
  });

  it('nests with allOf: (secret AND office) OR async-yes', async () => {
    const nested = anyOf(allOf(withSecret, fromOffice), asyncNo);
    expect((await nested.verify(both)).ok).toBe(true);
    expect(await nested.verify(onlySecret)).toEqual({
      ok: false,
      reason: 'allOf(shared-secret,ip-allowlist): ip-allowlist: source IP 192.0.2.1 not allowed; async-no: nope',
    });
  });
});

describe('composition configuration', () => {
  it('an empty allOf or anyOf throws instead of accepting everything or nothing', () => {
    expect(() => allOf()).toThrow(TypeError);
    expect(() => anyOf()).toThrow(TypeError);
    expect(() => allOf(undefined as never)).toThrow(TypeError);
  });
});
