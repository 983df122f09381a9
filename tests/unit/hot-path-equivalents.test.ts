/**
 * The hand-written id and digest code of the postback hot path against what it stands in for: the
 * pooled v4 UUIDs (format, version, variant, no repeats across pool refills), the virtual click id
 * (one-shot SHA-1) against the uuid package's v5, the virtual-id prefilter against the plain
 * regular expression, the one-shot offerwall digest against createHash, and parseAmount against the
 * integer arithmetic it replaced (whole * 10^scale + fraction).
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { v5 as uuidv5 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { ClickIdSchema, USER_KEYED_NAMESPACE, isVirtualClickId, moneyOptions, offerwallDigest, parseAmount, userKeyedClickId } from '../../src/index.js';
import { randomUuid } from '../../src/uuid.js';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('randomUuid', () => {
  it('gives distinct lower-case v4 UUIDs, across several refills of its pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i += 1) {
      const id = randomUuid();
      expect(id).toMatch(V4);
      expect(ClickIdSchema.safeParse(id).success).toBe(true);
      seen.add(id);
    }
    expect(seen.size).toBe(2000);
  });
});

describe('userKeyedClickId', () => {
  it('is the uuid package v5 of "<network>\\u0000<transaction id>", for any text', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ unit: 'binary' }), (network, transactionId) => {
        const name = `${network}\u0000${transactionId}`;
        let expected: string;
        try {
          expected = uuidv5(name, USER_KEYED_NAMESPACE);
        } catch (error) {
          expect(() => userKeyedClickId(network, transactionId)).toThrow((error as Error).constructor as ErrorConstructor);
          return;
        }
        expect(userKeyedClickId(network, transactionId)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
    // A lone surrogate has no UTF-8 form: refused as the uuid package refuses it.
    expect(() => userKeyedClickId('cpx', '\ud800')).toThrow(URIError);
  });

  it('is recognised as virtual, and the prefilter agrees with the plain expression', () => {
    const plain = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
    expect(isVirtualClickId(userKeyedClickId('cpx', 'tx-1'))).toBe(true);
    expect(isVirtualClickId(randomUuid())).toBe(false);
    const hex = fc.constantFrom(...'0123456789abcdefABCDEF5-xg'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: hex, minLength: 30, maxLength: 40 }), fc.uuid(), fc.string()), (text) => {
        expect(isVirtualClickId(text)).toBe(plain.test(text));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('offerwallDigest', () => {
  it('is createHash over the values and the secret joined, suffix or prefix, with or without values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary' }), { maxLength: 4 }),
        fc.string(),
        fc.string({ maxLength: 2 }),
        fc.constantFrom('suffix' as const, 'prefix' as const),
        fc.constantFrom('md5' as const, 'sha1' as const, 'sha256' as const),
        (values, secret, separator, secretPosition, algorithm) => {
          const parts = secretPosition === 'prefix' ? [secret, ...values] : [...values, secret];
          const expected = createHash(algorithm).update(parts.join(separator), 'utf8').digest('hex');
          expect(offerwallDigest({ algorithm, secret, separator, secretPosition }, values)).toBe(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('parseAmount', () => {
  it('is whole * 10^scale + fraction (plus the rounding step) for every scale and rounding mode', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{1,30}$/),
        fc.stringMatching(/^\d{0,12}$/),
        fc.integer({ min: 0, max: 8 }),
        fc.constantFrom('floor' as const, 'half-up' as const, 'half-even' as const),
        (whole, fraction, scale, rounding) => {
          const money = moneyOptions({ scale, rounding, maxMinor: 10n ** 60n });
          const text = fraction === '' ? whole : `${whole}.${fraction}`;
          const kept = fraction.slice(0, scale);
          const base = BigInt(whole) * 10n ** BigInt(scale) + BigInt(kept.padEnd(scale, '0') || '0');
          const parsed = parseAmount(text, money);
          // Rounding adds at most one minor unit, never takes any away.
          expect(parsed === base || parsed === base + 1n).toBe(true);
          if (fraction.length <= scale || /^0*$/.test(fraction.slice(scale)) || rounding === 'floor') expect(parsed).toBe(base);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
