/**
 * The params record a network's verifiers and field readers see: prototype-less, every key an own
 * data key (`__proto__` and `constructor` included), the body winning over the query, and the
 * callback carrying the request's own fields.
 */
import { describe, expect, it } from 'vitest';
import { networkCallbackOf } from '../../src/networks/callback.js';
import { parseFlatParams } from '../../adapters/http/request-input.js';

describe('networkCallbackOf', () => {
  it('builds a prototype-less params record in which __proto__ is an ordinary key', () => {
    const query = parseFlatParams('__proto__=q&constructor=c&user_id=u', 'query');
    const body = JSON.parse('{"__proto__": "b", "amount": 1, "data": {"__proto__": "n"}}') as Record<string, unknown>;
    const callback = networkCallbackOf('cpx', { query, body, rawQuery: 'a=1', method: 'POST' }, 'https://api.example/earn');
    expect(Object.getPrototypeOf(callback.params)).toBeNull();
    expect(Object.entries(callback.params)).toEqual([['__proto__', 'b'], ['constructor', 'c'], ['user_id', 'u'], ['amount', 1], ['data.__proto__', 'n']]);
    expect(Object.getPrototypeOf(callback)).toBe(Object.prototype);
    expect(callback).toMatchObject({ network: 'cpx', method: 'POST', rawQuery: 'a=1', fullUrl: 'https://api.example/earn/postback/cpx?a=1' });
    expect(Object.keys(callback)).toEqual(['query', 'body', 'rawQuery', 'method', 'network', 'params', 'fullUrl']);
  });
});
