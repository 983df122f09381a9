/**
 * The hand-written checks of the postback hot path against what they stand in for: the query and
 * form splitter against URLSearchParams, the merged-field check against PostbackParamsSchema, the
 * click id and identifier checks against ClickIdSchema and IdentifierSchema. Any input on which
 * they disagree is a behaviour change.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClickIdSchema, IdentifierSchema, mergePostbackParams, PostbackParamsSchema } from '../../src/index.js';
import { isClickIdText, isIdentifierText } from '../../src/postback/request.js';
import { parseFlatParams } from '../../adapters/http/request-input.js';

/** What parseFlatParams answered before its fast path: URLSearchParams, nested and repeated keys refused. */
function viaUrlSearchParams(raw: string): Record<string, string> | string {
  const result: Record<string, string> = Object.create(null);
  for (const [key, value] of new URLSearchParams(raw)) {
    if (key.includes('[') || key.includes(']')) return `query parameter "${key.slice(0, 64)}" is not allowed: nested objects and arrays are refused`;
    if (key in result) return `query parameter "${key.slice(0, 64)}" is repeated`;
    result[key] = value;
  }
  return result;
}

function viaParseFlatParams(raw: string): Record<string, string> | string {
  try {
    return parseFlatParams(raw, 'query');
  } catch (error) {
    return (error as Error).message;
  }
}

const queryText = fc.array(fc.constantFrom('a', 'b', 'click_id', '=', '&', '[', ']', '%', '%41', '%zz', '+', ' ', '0', 'é', '\u0000', '\ud800', '~', '__proto__', 'constructor'), { maxLength: 12 }).map((parts) => parts.join(''));

describe('parseFlatParams', () => {
  it('answers what URLSearchParams answers, refusals included', () => {
    fc.assert(fc.property(queryText, (raw) => {
      expect(viaParseFlatParams(raw)).toEqual(viaUrlSearchParams(raw));
    }), { numRuns: 5_000 });
  }, 60_000);

  it('splits a plain query directly into a prototype-less record', () => {
    const query = parseFlatParams('click_id=6ba7b810-9dad-41d1-80b4-00c04fd430c8&amount=10.00&&flag&=x&__proto__=1', 'query');
    expect(Object.getPrototypeOf(query)).toBeNull();
    expect(Object.entries(query)).toEqual([['click_id', '6ba7b810-9dad-41d1-80b4-00c04fd430c8'], ['amount', '10.00'], ['flag', ''], ['', 'x'], ['__proto__', '1']]);
    expect(() => parseFlatParams('a=1&a=2', 'query')).toThrow('query parameter "a" is repeated');
    expect(() => parseFlatParams('click_id[$ne]=x', 'body')).toThrow('body parameter "click_id[$ne]" is not allowed');
  });
});

const fieldValue = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constant('x'.repeat(4096)),
  fc.constant('x'.repeat(4097)),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant({ $ne: 'x' }),
  fc.constant(['a']),
);
const fields = fc.dictionary(fc.constantFrom('click_id', 'amount', 'status', '__proto__', 'constructor', 'toString', '0', 'x'), fieldValue, { maxKeys: 5 });

describe('mergePostbackParams', () => {
  it('accepts, refuses and reports exactly as PostbackParamsSchema on the merged fields', () => {
    fc.assert(fc.property(fields, fields, (query, body) => {
      const merged = Object.assign({}, query, body);
      const expected = PostbackParamsSchema.safeParse(merged);
      let actual: unknown;
      try {
        actual = { ok: mergePostbackParams({ query, body }) };
      } catch (error) {
        actual = { issues: (error as { details?: unknown }).details };
      }
      if (expected.success) expect(actual).toEqual({ ok: expected.data });
      else expect(actual).toEqual({ issues: expected.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
    }), { numRuns: 2_000 });
  }, 60_000);

  it('never lets a __proto__ field replace the prototype of what it returns', () => {
    const params = mergePostbackParams({ body: JSON.parse('{"__proto__": {"admin": true}, "click_id": "c"}') });
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
    expect((params as Record<string, unknown>).admin).toBeUndefined();
  });
});

describe('click id and identifier checks', () => {
  it('agree with ClickIdSchema', () => {
    const hex = fc.constantFrom(...'0123456789abcdefABCDEFgx-');
    const uuidLike = fc.array(hex, { minLength: 36, maxLength: 36 }).map((c) => c.map((ch, i) => ([8, 13, 18, 23].includes(i) ? '-' : ch === '-' ? '0' : ch)).join(''));
    fc.assert(fc.property(fc.oneof(fc.uuid(), uuidLike, fc.string()), (text) => {
      expect(isClickIdText(text)).toBe(ClickIdSchema.safeParse(text).success);
    }), { numRuns: 5_000 });
  }, 60_000);

  it('agree with IdentifierSchema on trimmed text', () => {
    const text = fc.oneof(fc.string({ maxLength: 300 }), fc.constant('a'.repeat(256)), fc.constant('a'.repeat(257)), fc.constantFrom('a\u0000b', 'a\u001fb', 'a\u007fb', 'a\u0080b')).map((t) => t.trim());
    fc.assert(fc.property(text, (t) => {
      expect(isIdentifierText(t)).toBe(IdentifierSchema.safeParse(t).success);
    }), { numRuns: 5_000 });
  }, 60_000);
});
