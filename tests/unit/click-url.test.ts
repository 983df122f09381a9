import { describe, expect, it } from 'vitest';
import { assertTaskUrl, buildPostbackUrl, buildRedirectUrl } from 'clickcredit';

const id = '550e8400-e29b-41d4-a716-446655440000';
const postback = `https://yourapp.com/api/v1/earn/postback?click_id=${id}`;

describe('buildRedirectUrl', () => {
  it('adds click_id and postback_url (encoded) to a bare URL', () => {
    expect(buildRedirectUrl('https://advertiser.com/offer', id, postback)).toBe(
      `https://advertiser.com/offer?click_id=${id}&postback_url=${encodeURIComponent(postback)}`,
    );
  });

  it('keeps the existing query as written, replaces foreign ids, keeps the fragment last', () => {
    const url = buildRedirectUrl('https://a.com/o?q=a+b&x=%2F&click_id=old&postback_url=evil&z#top', id, postback);
    expect(url).toBe(`https://a.com/o?q=a+b&x=%2F&z&click_id=${id}&postback_url=${encodeURIComponent(postback)}#top`);
    expect(new URL(url).searchParams.getAll('click_id')).toEqual([id]);
  });

  it('handles an empty query, a lone question mark and encoded parameter names', () => {
    expect(buildRedirectUrl('https://a.com/?', id, postback)).toBe(`https://a.com/?click_id=${id}&postback_url=${encodeURIComponent(postback)}`);
    const url = buildRedirectUrl('https://a.com/?click%5Fid=x&k=1', id, postback);
    expect(new URL(url).searchParams.getAll('click_id')).toEqual([id]);
  });
});

describe('assertTaskUrl', () => {
  it('accepts http(s) and allowed hosts and subdomains', () => {
    expect(assertTaskUrl('http://a.com/x').hostname).toBe('a.com');
    expect(assertTaskUrl('https://offers.a.com/', ['a.com']).hostname).toBe('offers.a.com');
  });

  it.each([
    ['ftp://a.com/'],
    ['javascript:alert(1)'],
    ['data:text/html,hi'],
    ['//a.com/x'],
    ['https://u:p@a.com/'],
    [`https://a.com/${'x'.repeat(2049)}`],
  ])('refuses %s', (url) => {
    expect(() => assertTaskUrl(url)).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR' }));
  });

  it('refuses hosts off the list, including look-alikes', () => {
    expect(() => assertTaskUrl('https://nota.com/', ['a.com'])).toThrow();
    expect(() => assertTaskUrl('https://a.com.evil.net/', ['a.com'])).toThrow();
  });
});

describe('buildPostbackUrl', () => {
  it('joins base and path without double slashes', () => {
    expect(buildPostbackUrl('https://x.com/api/v1/earn/', '/postback', id)).toBe(`https://x.com/api/v1/earn/postback?click_id=${id}`);
  });
});
