import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { offerwallDigest, offerwallHash, type VerifiablePostback } from 'clickcredit';

const pb = (params: VerifiablePostback['params']): VerifiablePostback => ({ params, headers: {} });
const CLICK = '6f1c2a9e-3b7d-4e21-9a55-0c8d7e4f1a23';

describe('offerwallHash', () => {
  // A typical network: ...&click_id={click_id}&amount={payout}&hash=md5(click_id + payout + secret).
  // Expected digests were computed independently with `printf '%s' ... | openssl dgst -md5` etc.
  const md5 = offerwallHash({ secrets: ['network-secret'], fields: ['click_id', 'amount'], algorithm: 'md5' });

  it('accepts md5(click_id + amount + secret), in any letter case', () => {
    const hash = 'b2201cc5387d67dafb7676a8e2db550f';
    expect(md5.verify(pb({ click_id: CLICK, amount: '50.00', hash }))).toEqual({ ok: true });
    expect(md5.verify(pb({ click_id: CLICK, amount: '50.00', hash: hash.toUpperCase() }))).toEqual({ ok: true });
  });

  it('refuses a changed value, a missing or wrong hash, or a truncated one', () => {
    const hash = 'b2201cc5387d67dafb7676a8e2db550f';
    expect(md5.verify(pb({ click_id: CLICK, amount: '500.00', hash }))).toEqual({ ok: false, reason: 'hash does not match' });
    expect(md5.verify(pb({ click_id: CLICK, amount: '50.0', hash })).ok).toBe(false);
    expect(md5.verify(pb({ click_id: CLICK, amount: '50.00', hash: hash.slice(0, 31) })).ok).toBe(false);
    expect(md5.verify(pb({ click_id: CLICK, amount: '50.00' }))).toEqual({ ok: false, reason: 'hash missing' });
    expect(md5.verify(pb({ click_id: CLICK, amount: '50.00', hash: '' }))).toEqual({ ok: false, reason: 'hash missing' });
  });

  it('sha1 with a separator and the secret first', () => {
    const verifier = offerwallHash({ secrets: ['network-secret'], fields: ['click_id', 'amount'], algorithm: 'sha1', separator: ':', secretPosition: 'prefix' });
    expect(verifier.verify(pb({ click_id: CLICK, amount: '50.00', hash: '2def5f7784aff252948c518a71e7938389262cd3' }))).toEqual({ ok: true });
  });

  it('sha256 over three fields with a separator, under a custom hash parameter', () => {
    const verifier = offerwallHash({
      secrets: ['network-secret'], fields: ['click_id', 'amount', 'status'], algorithm: 'sha256', separator: '|', hashParam: 'sig',
    });
    const sig = '965a9448658cbad9e6c502da4ce2f4ed8183d123bef07f1664aeafeb4dddac29';
    expect(verifier.verify(pb({ click_id: CLICK, amount: '50.00', status: 'completed', sig }))).toEqual({ ok: true });
    expect(verifier.verify(pb({ click_id: CLICK, amount: '50.00', status: 'reversed', sig })).ok).toBe(false);
    expect(verifier.verify(pb({ click_id: CLICK, amount: '50.00', status: 'completed', hash: sig }))).toEqual({ ok: false, reason: 'sig missing' });
  });

  it('accepts any of several secrets (rotation)', () => {
    const verifier = offerwallHash({ secrets: ['old', 'new'], fields: ['click_id'], algorithm: 'sha256' });
    for (const secret of ['old', 'new']) {
      const hash = createHash('sha256').update(`${CLICK}${secret}`).digest('hex');
      expect(verifier.verify(pb({ click_id: CLICK, hash }))).toEqual({ ok: true });
    }
    const other = createHash('sha256').update(`${CLICK}other`).digest('hex');
    expect(verifier.verify(pb({ click_id: CLICK, hash: other })).ok).toBe(false);
  });

  it('hashes values as sent: a missing field counts as empty, numbers as their text', () => {
    const verifier = offerwallHash({ secrets: ['s'], fields: ['click_id', 'amount'], algorithm: 'md5' });
    const withoutAmount = createHash('md5').update(`${CLICK}s`).digest('hex');
    expect(verifier.verify(pb({ click_id: CLICK, hash: withoutAmount }))).toEqual({ ok: true });
    const numeric = createHash('md5').update(`${CLICK}5s`).digest('hex');
    expect(verifier.verify(pb({ click_id: CLICK, amount: 5, hash: numeric }))).toEqual({ ok: true });
  });

  it('offerwallDigest gives the digest a network would send', () => {
    expect(offerwallDigest({ algorithm: 'md5', secret: 'network-secret' }, [CLICK, '50.00'])).toBe('b2201cc5387d67dafb7676a8e2db550f');
    expect(offerwallDigest({ algorithm: 'sha1', secret: 'network-secret', separator: ':', secretPosition: 'prefix' }, [CLICK, '50.00'])).toBe(
      '2def5f7784aff252948c518a71e7938389262cd3',
    );
  });

  it('refuses bad configuration at construction', () => {
    const good = { secrets: ['s'], fields: ['click_id'], algorithm: 'md5' as const };
    expect(() => offerwallHash({ ...good, algorithm: 'crc32' as never })).toThrow(TypeError);
    expect(() => offerwallHash({ ...good, fields: [] })).toThrow(TypeError);
    expect(() => offerwallHash({ ...good, fields: [''] })).toThrow(TypeError);
    expect(() => offerwallHash({ ...good, secrets: [] })).toThrow(TypeError);
  });
});
