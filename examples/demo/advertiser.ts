/**
 * The mock advertiser's server side: what a real advertiser's backend does once a user finished
 * its task — a server-to-server postback to the `postback_url` it received with the click,
 * signed with Standard Webhooks headers whenever the example has a POSTBACK_SECRET (read as the
 * tracker reads it: `whsec_` base64, anything else its UTF-8 bytes).
 *
 * The page asks for one of four sends: the conversion, the same conversion again (a duplicate:
 * nothing may move), its reversal, or a forged one (signed with a wrong secret, or unsigned when
 * the example has no secret). It is answered with exactly what went out and what came back.
 */
import { createHash, randomUUID } from 'node:crypto';
import { signPostback } from 'clickcredit';

/** What the mock advertiser can send. */
export type AdvertiserAction = 'complete' | 'duplicate' | 'reverse' | 'forged';

export const ADVERTISER_ACTIONS: readonly AdvertiserAction[] = ['complete', 'duplicate', 'reverse', 'forged'];

/** Where the mock advertiser may send, and how it signs. */
export interface AdvertiserOptions {
  /** Public base of the routes (postback URLs start with it), e.g. http://localhost:3000/api/v1/earn. */
  baseUrl: string;
  /** The same routes as this process reaches them, e.g. http://127.0.0.1:3000/api/v1/earn. */
  localBaseUrl: string;
  secret: string | null;
}

/** One send, as the page shows it. */
export interface AdvertiserExchange {
  action: AdvertiserAction;
  sent: { method: 'POST'; url: string; headers: Record<string, string>; body: string; signed: 'yes' | 'no' | 'wrong secret' };
  answer: { status: number; body: unknown };
}

/** The postback fields of one click's conversion: stable, so a repeat is recognised as one. */
function conversionFields(clickId: string, action: AdvertiserAction, amount: string): Record<string, string> {
  const short = clickId.slice(0, 8);
  if (action === 'forged') {
    // An attacker who saw the redirect URL inventing a conversion of their own.
    return { click_id: clickId, amount, status: 'completed', transactionId: `forged_txn_${short}`, conversionId: `forged_conv_${short}` };
  }
  return {
    click_id: clickId,
    amount,
    status: action === 'reverse' ? 'reversed' : 'completed',
    transactionId: `adv_txn_${short}`,
    conversionId: `adv_conv_${short}`,
  };
}

/**
 * Sends one postback for `clickId` to `postbackUrl`. Refuses (TypeError) a postback URL that is
 * not this example's own: the mock advertiser never sends requests to a URL taken from a browser.
 */
export async function sendAdvertiserPostback(
  options: AdvertiserOptions,
  input: { clickId: string; postbackUrl: string; action: AdvertiserAction; amount?: string },
): Promise<AdvertiserExchange> {
  const own = `${options.baseUrl}/postback`;
  if (!input.postbackUrl.startsWith(`${own}?`) && input.postbackUrl !== own) {
    throw new TypeError(`the mock advertiser only sends to this example's postback URL (${own})`);
  }
  // The same path and query, reached over loopback (PUBLIC_URL may name a proxy this process cannot reach).
  const url = options.localBaseUrl + input.postbackUrl.slice(options.baseUrl.length);
  const body = JSON.stringify(conversionFields(input.clickId, input.action, input.amount ?? '50.00'));
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  let signed: AdvertiserExchange['sent']['signed'] = 'no';
  const timestamp = Math.floor(Date.now() / 1000);
  if (options.secret && input.action !== 'forged') {
    Object.assign(headers, signPostback({ secret: options.secret, secretEncoding: 'raw', id: `msg_${randomUUID()}`, timestamp, payload: body }));
    signed = 'yes';
  } else if (options.secret) {
    Object.assign(headers, signPostback({ secret: 'not-the-advertiser-secret', secretEncoding: 'raw', id: `msg_${randomUUID()}`, timestamp, payload: body }));
    signed = 'wrong secret';
  }
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  let answer: unknown = text;
  try {
    answer = JSON.parse(text);
  } catch {
    // Not JSON: shown as text.
  }
  return { action: input.action, sent: { method: 'POST', url: input.postbackUrl, headers, body, signed }, answer: { status: response.status, body: answer } };
}

/** The example's Tapjoy secret (examples/shared/networks.ts: `demo-<name>-secret`). */
const TAPJOY_SECRET = 'demo-tapjoy-secret';

/**
 * A user-keyed network callback, as Tapjoy sends it: `GET /postback/tapjoy?snuid=<user>&currency=<amount>&id=<tx>&verifier=<md5>`,
 * the verifier being MD5 of `id:snuid:currency:secret`. No click is involved: the network names
 * the user, and its transaction id makes a repeat harmless.
 */
export async function sendTapjoyCallback(
  options: AdvertiserOptions,
  input: { userId: string; amount: string; transactionId?: string },
): Promise<{ sent: { method: 'GET'; url: string }; answer: { status: number; body: unknown } }> {
  const id = input.transactionId ?? `tapjoy_${randomUUID().slice(0, 8)}`;
  const verifier = createHash('md5').update(`${id}:${input.userId}:${input.amount}:${TAPJOY_SECRET}`).digest('hex');
  const query = new URLSearchParams({ snuid: input.userId, currency: input.amount, id, verifier }).toString();
  const response = await fetch(`${options.localBaseUrl}/postback/tapjoy?${query}`);
  return { sent: { method: 'GET', url: `${options.baseUrl}/postback/tapjoy?${query}` }, answer: { status: response.status, body: await response.text() } };
}
