/**
 * Signed callbacks of every preset, built from each network's documented formula (the way the
 * network itself would send them), for the HTTP tests.
 */
import { createHash, createHmac } from 'node:crypto';
import { sortedQuery } from 'clickcredit/networks';

/** One callback as a network sends it. */
export interface SignedCallback {
  method: 'GET' | 'POST';
  /** The query string without `?` (exactly what is signed where the URL is). */
  query: string;
  body?: string;
  headers?: Record<string, string>;
}

/** What a test asks a network to report. */
export interface Conversion {
  user: string;
  tx: string;
  amount: string;
  /** Ask for a reversal of `tx`, the network's way. */
  reverse?: boolean;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (alg: string, key: string, s: string) => createHmac(alg, key).update(s).digest('hex');
const q = (pairs: Array<[string, string]>) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

/** A signer per network name: the callback, given the secret and the public URL of the route. */
export type Signer = (c: Conversion, secret: string, routeUrl: string) => SignedCallback;

export const SIGNERS: Record<string, Signer> = {
  tapjoy: (c, s) => get([['snuid', c.user], ['currency', c.amount], ['id', c.tx], ...(c.reverse ? [['status', 'reversed'] as [string, string]] : []), ['verifier', md5(`${c.tx}:${c.user}:${c.amount}:${s}`)]]),
  fyber: (c, s) => get([['uid', c.user], ['amount', c.amount], ['_trans_id_', c.tx], ...(c.reverse ? [['status', 'reversed'] as [string, string]] : []), ['sid', sha1(`${s}${c.user}${c.amount}${c.tx}`)]]),
  ironsource: (c, s) => {
    const ts = '202612012215';
    return get([['appUserId', c.user], ['rewards', c.amount], ['eventId', c.tx], ['timestamp', ts], ...(c.reverse ? [['status', 'reversed'] as [string, string]] : []), ['signature', md5(`${ts}${c.tx}${c.user}${c.amount}${s}`)]]);
  },
  adgem: (c, s, routeUrl) => {
    const query = q([['player_id', c.user], ['amount', c.amount], ['transaction_id', c.tx], ...(c.reverse ? [['status', 'reversed'] as [string, string]] : [])]);
    return { method: 'GET', query: `${query}&verifier=${hmac('sha256', s, `${routeUrl}?${query}`)}` };
  },
  'adgem-v3': (c, s) => {
    const body = JSON.stringify({ request_id: `req-${c.tx}`, timestamp: 1764627300, data: { player_id: c.user, amount: Number(c.amount), transaction_id: c.tx, ...(c.reverse ? { status: 'reversed' } : {}) } });
    return { method: 'POST', query: '', body, headers: { 'content-type': 'application/json', signature: hmac('sha256', s, body) } };
  },
  ayet: (c, s) => {
    const query = c.reverse
      ? q([['external_identifier', c.user], ['currency_amount', `-${c.amount}`], ['transaction_id', `r-${c.tx}`], ['is_chargeback', '1'], ['chargeback_reason', 'fraud detected']])
      : q([['external_identifier', c.user], ['currency_amount', c.amount], ['transaction_id', c.tx], ['payout_usd', '0.36'], ['offer_name', 'Coin Master: level 10']]);
    return { method: 'GET', query, headers: { 'x-ayetstudios-security-hash': hmac('sha256', s, sortedQuery(query, 'php')) } };
  },
  bitlabs: (c, s, routeUrl) => {
    const query = q([['uid', c.user], ['val', c.reverse ? `-${c.amount}` : c.amount], ['tx', c.tx], ['type', c.reverse ? 'RECONCILIATION' : 'COMPLETE']]);
    return { method: 'GET', query: `${query}&hash=${hmac('sha1', s, `${routeUrl}?${query}`)}` };
  },
  cpx: (c, s) => get([['status', c.reverse ? '2' : '1'], ['trans_id', c.tx], ['user_id', c.user], ['amount_local', c.amount], ['amount_usd', '0.44'], ['hash', md5(`${c.tx}-${s}`)]]),
  torox: (c, s) => get([['oid', '4242'], ['user_id', c.user], ['id', c.tx], ['amount', c.amount], ...(c.reverse ? [['status', 'reversed'] as [string, string]] : []), ['sig', md5(`4242-${c.user}-${s}`)]]),
  lootably: (c, s) => {
    const ip = '203.0.113.9';
    const revenue = '0.50';
    return get([['userID', c.user], ['transactionID', c.tx], ['ip', ip], ['revenue', revenue], ['currencyReward', c.amount], ['status', c.reverse ? '0' : '1'], ['hash', sha256(`${c.user}${ip}${revenue}${c.amount}${s}`)]]);
  },
  revlum: (c, s) => form([['subId', c.user], ['transId', c.tx], ['reward', c.amount], ['payout', '0.10'], ['status', c.reverse ? '2' : '1'], ['signature', md5(`${c.user}${c.tx}${c.amount}${s}`)]]),
  revtoo: (c, s) => form([['subId', c.user], ['transId', c.tx], ['reward', c.amount], ['payout', '0.10'], ['status', c.reverse ? '2' : '1'], ['signature', md5(`${c.user}${c.tx}${c.amount}${s}`)]]),
  adgate: (c, s) => get([['user_id', c.user], ['conversion_id', c.tx], ['point_value', c.amount], ['usd_value', '0.25'], ['state', c.reverse ? 'rejected' : 'approved'], ['token', s]]),
  superrewards: (c, s) => get([['uid', c.user], ['id', c.tx], ['new', c.amount], ['oid', '77'], ...(c.reverse ? [['status', 'reversed'] as [string, string]] : []), ['sig', md5(`${c.tx}:${c.amount}:${c.user}:${s}`)]]),
  // Click-keyed: `user` is our click id here.
  tracker: (c, s) => get([['subid', c.user], ['tid', c.tx], ['payout', c.amount], ['status', c.reverse ? 'rejected' : 'sale'], ['security_token', s]]),
};

function get(pairs: Array<[string, string]>): SignedCallback {
  return { method: 'GET', query: q(pairs) };
}

function form(pairs: Array<[string, string]>): SignedCallback {
  return { method: 'POST', query: '', body: q(pairs), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}

/** Breaks a callback's authentication: one character of its signature (or token) changed. */
export function tamper(callback: SignedCallback): SignedCallback {
  const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'a' ? 'b' : 'a') + text.slice(at + 1);
  if (callback.headers?.signature) return { ...callback, headers: { ...callback.headers, signature: flip(callback.headers.signature, 0) } };
  if (callback.headers?.['x-ayetstudios-security-hash']) {
    return { ...callback, headers: { ...callback.headers, 'x-ayetstudios-security-hash': flip(callback.headers['x-ayetstudios-security-hash'], 0) } };
  }
  if (callback.body) return { ...callback, body: flip(callback.body, callback.body.length - 1) };
  return { ...callback, query: flip(callback.query, callback.query.length - 1) };
}
