/**
 * The example's demo data as an HTTP client sees it (examples/shared/demo-data.ts): demo-friend
 * (referred by demo-user at 10%) and demo-user, product demo-product capped at 50.00.
 */
import type { Agent } from 'node:http';
import { postJson, send, type Reply } from './http.js';

export const FRIEND = { userId: 'demo-friend', token: 'demo-friend-token' } as const;
export const REFERRER = { userId: 'demo-user', token: 'demo-token' } as const;
export const PRODUCT = 'demo-product';
export const CAP_MINOR = 5000n;
/** 10% referral commission, rounded down (the library's `commissionOf`). */
export const commission = (minor: bigint) => (minor * 100_000n) / 1_000_000n;

/** Creates a click and returns its id (throws on anything but 201: setup must not fail silently). */
export async function createClick(base: string, token: string = FRIEND.token, agent?: Agent): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const reply = await postJson(`${base}/products/${PRODUCT}/click`, { taskUrl: 'https://example.com/offer' }, { authorization: `Bearer ${token}` }, agent);
    if (reply.status === 201) return reply.json.data.clickId as string;
    if (attempt >= 5 || (reply.status !== 0 && reply.status !== 503)) throw new Error(`click creation answered ${reply.status} ${reply.error ?? reply.text.slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The wallet balance in minor units as the API reports it. */
export async function walletMinor(base: string, token: string, agent?: Agent): Promise<bigint> {
  const reply = await send({ url: `${base}/wallet`, headers: { authorization: `Bearer ${token}` } }, agent);
  if (reply.status !== 200) throw new Error(`wallet answered ${reply.status} ${reply.error ?? reply.text.slice(0, 300)}`);
  return toMinor(reply.json.data.balance as string);
}

/** "12.34" → 1234n, "-1.50" → -150n (exact, strings only). */
export function toMinor(amount: string): bigint {
  const negative = amount.startsWith('-');
  const [whole, fraction = ''] = amount.replace('-', '').split('.');
  const minor = BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2));
  return negative ? -minor : minor;
}

/** 1234n → "12.34". */
export function fromMinor(minor: bigint): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

export interface Postback {
  clickId: string;
  conversionId: string;
  amount: string;
  status: string;
}

/** Sends a postback in one of the three shapes advertisers use (JSON POST, form POST, GET). */
export function sendPostback(base: string, p: Postback, shape: 'json' | 'form' | 'get' = 'json', agent?: Agent, timeoutMs?: number): Promise<Reply> {
  const fields = { amount: p.amount, status: p.status, conversionId: p.conversionId, transactionId: `txn-${p.conversionId}` };
  const query = `click_id=${encodeURIComponent(p.clickId)}`;
  if (shape === 'get') {
    return send({ url: `${base}/postback?${query}&${new URLSearchParams(fields).toString()}`, timeoutMs }, agent);
  }
  if (shape === 'form') {
    return send({ method: 'POST', url: `${base}/postback?${query}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), timeoutMs }, agent);
  }
  return send({ method: 'POST', url: `${base}/postback?${query}`, headers: { 'content-type': 'application/json' }, body: JSON.stringify(fields), timeoutMs }, agent);
}
