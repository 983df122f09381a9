import { describe, expect, it } from 'vitest';
import {
  anyOf, createClickTracker, hmacSignature, ipAllowlist, offerwallDigest, offerwallHash, sharedSecret, signPostback,
  type PostbackVerifier,
} from 'clickcredit';
import { createMemoryStore } from 'clickcredit/memory';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const quiet = { info() {}, warn() {}, error() {} };

/** A tracker on the memory store with one click for `alice`, and the readings the tests assert. */
async function setup(verifier: PostbackVerifier | PostbackVerifier[]) {
  const tracker = createClickTracker({
    storage: createMemoryStore(),
    products: { getProduct: () => ({ productId: 'offer-1', earnUpTo: '50.00', active: true }) },
    publicUrl: 'https://api.example.test/api/v1/earn',
    verifier,
    logger: quiet,
  });
  const { clickId } = await tracker.createClick({ userId: 'alice', productId: 'offer-1', taskUrl: 'https://advertiser.test/task' });
  const balance = async () => (await tracker.getWallet('alice')).balance;
  const decisions = async (id = clickId) => (await tracker.listPostbackAttempts(id)).map((a) => a.decision);
  return { tracker, clickId, balance, decisions };
}

const forbidden = { status: 403, code: 'POSTBACK_FORBIDDEN' };
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('verification through createClickTracker', () => {
  it('shared secret: a wrong secret is 403, credits nothing and is audited as forbidden; the right one credits once', async () => {
    const { tracker, clickId, balance, decisions } = await setup(sharedSecret({ secrets: ['s3cret'] }));
    await expect(tracker.handlePostback({ query: { click_id: clickId, amount: '5.00', secret: 'guess' } })).rejects.toMatchObject(forbidden);
    expect(await balance()).toBe('0.00');
    expect(await decisions()).toEqual(['forbidden']);

    const credited = await tracker.handlePostback({ query: { click_id: clickId, amount: '5.00' }, headers: { 'x-postback-secret': 's3cret' } });
    expect([credited.amount, credited.duplicate]).toEqual(['5.00', false]);
    const replay = await tracker.handlePostback({ query: { click_id: clickId, amount: '5.00' }, headers: { 'x-postback-secret': 's3cret' } });
    expect(replay.duplicate).toBe(true);
    expect(await balance()).toBe('5.00');
    expect(await decisions()).toEqual(['forbidden', 'credited', 'duplicate']);
  });

  it('HMAC: a signed JSON body credits; a tampered body is forbidden and credits nothing', async () => {
    const { tracker, clickId, balance, decisions } = await setup(hmacSignature({ secrets: [SECRET] }));
    const fields = { click_id: clickId, amount: '12.50', conversionId: 'conv-1' };
    const rawBody = JSON.stringify(fields);
    const headers = signPostback({ secret: SECRET, id: 'msg_1', timestamp: nowSeconds(), payload: rawBody });

    const tampered = JSON.stringify({ ...fields, amount: '50.00' });
    await expect(
      tracker.handlePostback({ method: 'POST', body: JSON.parse(tampered), rawBody: tampered, headers: { ...headers }, sourceIp: '203.0.113.9' }),
    ).rejects.toMatchObject(forbidden);
    expect(await balance()).toBe('0.00');
    const [refused] = await tracker.listPostbackAttempts(clickId);
    expect([refused!.decision, refused!.sourceIp, refused!.amount]).toEqual(['forbidden', '203.0.113.9', '50.00']);

    const credited = await tracker.handlePostback({ method: 'POST', body: fields, rawBody, headers: { ...headers } });
    expect(credited.amount).toBe('12.50');
    expect(await balance()).toBe('12.50');
    expect(await decisions()).toEqual(['forbidden', 'credited']);
  });

  it('HMAC: a signed body cannot be replayed onto another click id through the query string', async () => {
    const { tracker, clickId, balance, decisions } = await setup(hmacSignature({ secrets: [SECRET] }));
    const { clickId: mallorysClick } = await tracker.createClick({ userId: 'mallory', productId: 'offer-1', taskUrl: 'https://advertiser.test/task' });
    // The advertiser signs only the body and puts the click id in the URL: never safe, so refused.
    const rawBody = JSON.stringify({ amount: '20.00', conversionId: 'conv-9' });
    const headers = signPostback({ secret: SECRET, id: 'msg_9', timestamp: nowSeconds(), payload: rawBody });
    for (const target of [clickId, mallorysClick]) {
      await expect(
        tracker.handlePostback({ method: 'POST', query: { click_id: target }, rawQuery: `click_id=${target}`, body: JSON.parse(rawBody), rawBody, headers: { ...headers } }),
      ).rejects.toMatchObject(forbidden);
    }
    expect(await balance()).toBe('0.00');
    expect((await tracker.getWallet('mallory')).balance).toBe('0.00');
    expect(await decisions()).toEqual(['forbidden']);
    expect(await decisions(mallorysClick)).toEqual(['forbidden']);
  });

  it('HMAC: a GET postback signed over its raw query string credits; an edited query does not', async () => {
    const { tracker, clickId, balance } = await setup(hmacSignature({ secrets: ['plain-secret'], secretEncoding: 'raw' }));
    const rawQuery = `click_id=${clickId}&amount=7.25&transaction_id=tx-1`;
    const query = Object.fromEntries(new URLSearchParams(rawQuery));
    const headers = signPostback({ secret: 'plain-secret', secretEncoding: 'raw', id: 'msg_get', timestamp: nowSeconds(), payload: rawQuery });
    const edited = rawQuery.replace('7.25', '49.99');
    await expect(
      tracker.handlePostback({ method: 'GET', query: Object.fromEntries(new URLSearchParams(edited)), rawQuery: edited, rawBody: '', headers: { ...headers } }),
    ).rejects.toMatchObject(forbidden);
    expect(await balance()).toBe('0.00');
    expect((await tracker.handlePostback({ method: 'GET', query, rawQuery, rawBody: '', headers: { ...headers } })).amount).toBe('7.25');
    expect(await balance()).toBe('7.25');
  });

  it('HMAC: a stale signature is forbidden', async () => {
    const { tracker, clickId, balance, decisions } = await setup(hmacSignature({ secrets: [SECRET], toleranceSeconds: 60 }));
    const rawBody = JSON.stringify({ click_id: clickId, amount: '1.00' });
    const headers = signPostback({ secret: SECRET, id: 'msg_old', timestamp: nowSeconds() - 3600, payload: rawBody });
    await expect(tracker.handlePostback({ body: JSON.parse(rawBody), rawBody, headers: { ...headers } })).rejects.toMatchObject(forbidden);
    expect(await balance()).toBe('0.00');
    expect(await decisions()).toEqual(['forbidden']);
  });

  it('offerwall hash and IP allowlist together (a verifier array: all must pass)', async () => {
    const formula = { algorithm: 'md5' as const, secret: 'network-secret' };
    const { tracker, clickId, balance, decisions } = await setup([
      offerwallHash({ secrets: ['network-secret'], fields: ['click_id', 'amount'], algorithm: 'md5' }),
      ipAllowlist({ cidrs: ['203.0.113.0/24', '2001:db8::/32'] }),
    ]);
    const hash = offerwallDigest(formula, [clickId, '3.00']);
    await expect(tracker.handlePostback({ query: { click_id: clickId, amount: '3.00', hash }, sourceIp: '192.0.2.10' })).rejects.toMatchObject(forbidden);
    await expect(tracker.handlePostback({ query: { click_id: clickId, amount: '30.00', hash }, sourceIp: '203.0.113.10' })).rejects.toMatchObject(forbidden);
    expect(await balance()).toBe('0.00');
    const credited = await tracker.handlePostback({ query: { click_id: clickId, amount: '3.00', hash }, sourceIp: '::ffff:203.0.113.10' });
    expect(credited.amount).toBe('3.00');
    expect(await balance()).toBe('3.00');
    expect(await decisions()).toEqual(['forbidden', 'forbidden', 'credited']);
  });

  it('anyOf: partners may use either a signature or a shared secret', async () => {
    const { tracker, clickId, balance } = await setup(anyOf(hmacSignature({ secrets: [SECRET] }), sharedSecret({ secrets: ['legacy'] })));
    await expect(tracker.handlePostback({ query: { click_id: clickId, amount: '2.00' } })).rejects.toMatchObject(forbidden);
    expect((await tracker.handlePostback({ query: { click_id: clickId, amount: '2.00', secret: 'legacy' } })).amount).toBe('2.00');
    expect(await balance()).toBe('2.00');
  });
});
