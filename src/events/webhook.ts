/**
 * Outgoing webhooks: options, the backoff schedule, and one signed try (Standard Webhooks:
 * `webhook-id` is the event id, signed with {@link signPostback}).
 * @module
 */
import { signPostback } from '../verification/sign-postback.js';
import type { EventBody } from './body.js';

/** Where and how events are sent (option `webhook` of the tracker). */
export interface WebhookOptions {
  /** The receiver, `https://...` (or `http://` on loopback and in tests). */
  url: string;
  /** Standard Webhooks secret (`whsec_<base64>`, or un-prefixed base64). */
  secret: string;
  /** Tries before a delivery is dead-lettered. Default 8. */
  maxAttempts?: number;
  /** Backoff after the n-th failed try: `initialMs * 2^(n-1)`, at most `maxMs`. Defaults 1000 ms and 1 h. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** How long one try may take, ms. Default 10000. */
  timeoutMs?: number;
}

/** {@link WebhookOptions} with defaults applied. */
export interface ResolvedWebhook {
  url: string;
  secret: string;
  maxAttempts: number;
  initialMs: number;
  maxMs: number;
  timeoutMs: number;
}

function positiveInteger(value: number, name: string): number {
  if (!(Number.isInteger(value) && value > 0)) throw new TypeError(`clickcredit: webhook.${name} must be a positive integer`);
  return value;
}

/** Checks the options at start-up (a bad URL or secret stops the start, not the first delivery). */
export function resolveWebhook(options: WebhookOptions | undefined): ResolvedWebhook | null {
  if (options === undefined) return null;
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new TypeError('clickcredit: webhook.url must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('clickcredit: webhook.url must be http(s)');
  if (typeof options.secret !== 'string' || options.secret.length === 0) throw new TypeError('clickcredit: webhook.secret is required');
  // Signing once here refuses a secret that is not base64 before any event waits on it.
  signPostback({ secret: options.secret, id: 'check', timestamp: 0, payload: '' });
  const resolved: ResolvedWebhook = {
    url: url.href,
    secret: options.secret,
    maxAttempts: positiveInteger(options.maxAttempts ?? 8, 'maxAttempts'),
    initialMs: positiveInteger(options.backoff?.initialMs ?? 1000, 'backoff.initialMs'),
    maxMs: positiveInteger(options.backoff?.maxMs ?? 3_600_000, 'backoff.maxMs'),
    timeoutMs: positiveInteger(options.timeoutMs ?? 10_000, 'timeoutMs'),
  };
  return resolved;
}

/** Delay before the next try after `failures` failed tries (1, 2, ...). */
export function backoffMs(webhook: ResolvedWebhook, failures: number): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 40);
  return Math.min(webhook.maxMs, webhook.initialMs * 2 ** exponent);
}

/** One try: `null` when the receiver answered 2xx, else why it failed. Never throws. */
export async function sendWebhook(webhook: ResolvedWebhook, body: EventBody, now: Date): Promise<string | null> {
  const payload = JSON.stringify(body);
  const headers = signPostback({ secret: webhook.secret, id: body.id, timestamp: Math.floor(now.getTime() / 1000), payload });
  try {
    const response = await fetch(webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'clickcredit-webhooks', ...headers },
      body: payload,
      signal: AbortSignal.timeout(webhook.timeoutMs),
      redirect: 'manual',
    });
    // The body is not needed; reading it frees the connection for the next try.
    await response.arrayBuffer().catch(() => undefined);
    return response.status >= 200 && response.status < 300 ? null : `HTTP ${response.status}`;
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
}
