/**
 * Task URL checks and the redirect URL: the advertiser's URL with `click_id` and
 * `postback_url` added, its own query and fragment kept byte for byte.
 * @module
 */
import { ValidationError } from './errors.js';
import { MAX_TASK_URL_LENGTH } from './schemas.js';

/**
 * Checks a task URL and returns it parsed: absolute http(s) written with `//`, no credentials, no
 * control characters, at most 2048 characters, and on one of `allowedHosts` (or a subdomain of
 * one) when a list is given. Surrounding spaces are trimmed. Callers store `url.href`, the
 * normalised form, so the redirect `Location` is exactly what a browser would have resolved.
 */
export function assertTaskUrl(taskUrl: string, allowedHosts?: readonly string[]): URL {
  if (taskUrl.length > MAX_TASK_URL_LENGTH) throw invalidUrl(`must be at most ${MAX_TASK_URL_LENGTH} characters`);
  // The URL parser silently drops tabs and newlines; a header would refuse them. Neither is a URL.
  if (CONTROL_CHARACTER.test(taskUrl)) throw invalidUrl('must not contain control characters');
  const text = taskUrl.trim();
  // "https:example.com/x" parses, but a browser on our host would treat it as a relative path.
  if (!/^https?:\/\//i.test(text)) throw invalidUrl('must be an absolute http(s) URL such as https://advertiser.example/offer');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidUrl('must be an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidUrl('must use http or https');
  if (url.username !== '' || url.password !== '') throw invalidUrl('must not contain credentials');
  if (url.hostname === '') throw invalidUrl('must name a host');
  if (url.href.length > MAX_TASK_URL_LENGTH) throw invalidUrl(`must be at most ${MAX_TASK_URL_LENGTH} characters once normalised`);
  if (allowedHosts && allowedHosts.length > 0 && !isAllowedHost(url.hostname, allowedHosts)) {
    throw invalidUrl('is not on an allowed host for this product');
  }
  return url;
}

// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function isAllowedHost(hostname: string, allowedHosts: readonly string[]): boolean {
  const host = hostname.toLowerCase();
  return allowedHosts.some((allowed) => {
    const a = allowed.toLowerCase();
    return host === a || host.endsWith(`.${a}`);
  });
}

/**
 * Adds `click_id` and `postback_url` to the task URL. Existing parameters are kept as written
 * (not re-encoded); a `click_id` or `postback_url` already present is replaced, so a stale or
 * foreign id can never ride along. The fragment stays last.
 */
export function buildRedirectUrl(taskUrl: string, clickId: string, postbackUrl: string): string {
  const hashAt = taskUrl.indexOf('#');
  const fragment = hashAt >= 0 ? taskUrl.slice(hashAt) : '';
  const beforeHash = hashAt >= 0 ? taskUrl.slice(0, hashAt) : taskUrl;
  const queryAt = beforeHash.indexOf('?');
  const base = queryAt >= 0 ? beforeHash.slice(0, queryAt) : beforeHash;
  const query = queryAt >= 0 ? beforeHash.slice(queryAt + 1) : '';
  const kept = query
    .split('&')
    .filter((pair) => pair !== '' && !isOurParameter(pair));
  kept.push(`click_id=${encodeURIComponent(clickId)}`, `postback_url=${encodeURIComponent(postbackUrl)}`);
  return `${base}?${kept.join('&')}${fragment}`;
}

const OUR_PARAMETERS = new Set(['click_id', 'postback_url']);

function isOurParameter(pair: string): boolean {
  const rawKey = pair.split('=', 1)[0] ?? '';
  let key: string;
  try {
    key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
  } catch {
    key = rawKey;
  }
  return OUR_PARAMETERS.has(key);
}

/** The postback URL of a click under the tracker's public base (`<base>/postback?click_id=<id>`). */
export function buildPostbackUrl(publicUrl: string, postbackPath: string, clickId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${postbackPath}?click_id=${encodeURIComponent(clickId)}`;
}

function invalidUrl(reason: string): ValidationError {
  return new ValidationError(`taskUrl ${reason}`, [{ path: 'taskUrl', message: reason }]);
}
