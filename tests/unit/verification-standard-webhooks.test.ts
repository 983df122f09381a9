/**
 * Interoperability with the official Standard Webhooks library (`standardwebhooks` on npm), both
 * ways: it signs and we verify, we sign and it verifies; with whsec_, un-prefixed base64 and raw
 * secrets, and with the Svix header names.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { hmacSignature, signPostback, type SecretEncoding, type VerifiablePostback } from 'clickcredit';

const body = JSON.stringify({ click_id: '6f1c2a9e-3b7d-4e21-9a55-0c8d7e4f1a23', amount: '50.00', conversionId: 'order-1001' });
const post = (headers: Record<string, string>, rawBody = body): VerifiablePostback => ({
  method: 'POST',
  params: JSON.parse(rawBody) as Record<string, string>,
  body: JSON.parse(rawBody) as Record<string, unknown>,
  rawBody,
  headers,
});
const nowSeconds = () => Math.floor(Date.now() / 1000);
const base64Key = randomBytes(32).toString('base64');

/** Each way a host may hold its secret, with how the official library and we are told to read it. */
const SECRETS: { name: string; secret: string; theirs: ConstructorParameters<typeof Webhook>[1]; ours: SecretEncoding | undefined }[] = [
  { name: 'whsec_ prefixed', secret: `whsec_${base64Key}`, theirs: undefined, ours: undefined },
  { name: 'un-prefixed base64 (the default)', secret: base64Key, theirs: undefined, ours: undefined },
  { name: 'raw text', secret: 'a plain shared password 0xF00D', theirs: { format: 'raw' }, ours: 'raw' },
];

describe.each(SECRETS)('Standard Webhooks interop, $name secret', ({ secret, theirs, ours }) => {
  const official = new Webhook(secret, theirs);
  const verifier = hmacSignature({ secrets: [secret], secretEncoding: ours });

  it('the official library signs, hmacSignature verifies (webhook-* and svix-* headers)', () => {
    const id = `msg_${randomBytes(8).toString('hex')}`;
    const timestamp = nowSeconds();
    const signature = official.sign(id, new Date(timestamp * 1000), body);
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
    expect(verifier.verify(post(headers))).toEqual({ ok: true });
    expect(verifier.verify(post({ 'svix-id': id, 'svix-timestamp': String(timestamp), 'svix-signature': signature }))).toEqual({ ok: true });
    // And a change of one byte is refused.
    expect(verifier.verify(post(headers, body.replace('50.00', '51.00')))).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('signPostback signs, the official library verifies', () => {
    const headers = signPostback({ secret, secretEncoding: ours, id: 'msg_ours', timestamp: nowSeconds(), payload: body });
    expect(official.verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => official.verify(body.replace('50.00', '51.00'), headers)).toThrow('No matching signature found');
  });

  it('both refuse a timestamp outside five minutes', () => {
    const stale = nowSeconds() - 301;
    const headers = signPostback({ secret, secretEncoding: ours, id: 'msg_old', timestamp: stale, payload: body });
    expect(() => official.verify(body, headers)).toThrow('Message timestamp too old');
    expect(verifier.verify(post(headers))).toEqual({ ok: false, reason: 'webhook-timestamp outside tolerance' });
  });
});

describe('Standard Webhooks interop, the secret encodings are not interchangeable', () => {
  it('a base64 secret read as raw (or the reverse) gives another key, on both sides', () => {
    const asRaw = new Webhook(base64Key, { format: 'raw' });
    const headers = signPostback({ secret: base64Key, id: 'msg_x', timestamp: nowSeconds(), payload: body });
    expect(() => asRaw.verify(body, headers)).toThrow('No matching signature found');
    const id = 'msg_y';
    const timestamp = nowSeconds();
    const signature = new Webhook(base64Key).sign(id, new Date(timestamp * 1000), body);
    const rawVerifier = hmacSignature({ secrets: [base64Key], secretEncoding: 'raw' });
    expect(rawVerifier.verify(post({ 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature })).ok).toBe(false);
  });
});
