/**
 * One vector per preset: the network's published example verbatim where it publishes one
 * (BitLabs), otherwise a callback signed with the documented formula. Expected digests were
 * computed independently (Python hashlib/hmac), not with the code under test. Each preset's
 * source file cites the page its formula comes from.
 */
import { describe, expect, it } from 'vitest';
import {
  adgate,
  adgem,
  adgemV3,
  ayet,
  bitlabs,
  cpx,
  fyber,
  ironSource,
  lootably,
  networkCallbackOf,
  revlum,
  revtoo,
  superRewards,
  tapjoy,
  torox,
  trackerPostback,
  urlHmac,
  type NetworkCallback,
  type NetworkDefinition,
} from 'clickcredit/networks';
import { runVerifiers } from 'clickcredit';

const PUBLIC_URL = 'https://api.example.com/api/v1/earn';

/** A callback as the route hands it over: the raw query parsed once, nothing re-encoded. */
function callback(network: string, rawQuery: string, extra: { body?: string; json?: boolean; headers?: Record<string, string>; publicUrl?: string } = {}): NetworkCallback {
  const query = Object.fromEntries(new URLSearchParams(rawQuery));
  const body = extra.body === undefined ? undefined : extra.json ? JSON.parse(extra.body) : Object.fromEntries(new URLSearchParams(extra.body));
  return networkCallbackOf(network, { query, rawQuery, body, rawBody: extra.body ?? '', headers: extra.headers ?? {} }, extra.publicUrl ?? PUBLIC_URL);
}

async function accepts(definition: NetworkDefinition, cb: NetworkCallback): Promise<boolean> {
  return (await runVerifiers(definition.auth, cb)).ok;
}

/** The last hex digit of a digest changed. */
const off = (hex: string) => hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');

describe('network presets: one signed vector each (and the same callback with a wrong digest refused)', () => {
  it('BitLabs: the worked example of its docs, verbatim', async () => {
    // https://developer.bitlabs.ai/docs/securing-callbacks-through-hashing
    const verifier = urlHmac({ secrets: 'JLOIAUNMHFli7ZJOQVEzm98rzqnm9', algorithm: 'sha1', param: 'hash' });
    const cb = (hash: string) =>
      ({ ...callback('bitlabs', ''), fullUrl: `https://publisher.com/complete?uid=8cc877ee-af19-488d-b28d-216fb866b996&val=500&hash=${hash}` }) as NetworkCallback;
    expect(verifier.verify(cb('dbcd6bb8ca677344592842a52b4fca9bec36cd4b'))).toEqual({ ok: true });
    expect(verifier.verify(cb('DBCD6BB8CA677344592842A52B4FCA9BEC36CD4B'))).toEqual({ ok: true });
    expect(verifier.verify(cb(off('dbcd6bb8ca677344592842a52b4fca9bec36cd4b'))).ok).toBe(false);
  });

  it('BitLabs preset over its own route URL (publicUrl + /postback/bitlabs + raw query)', async () => {
    const preset = bitlabs('JLOIAUNMHFli7ZJOQVEzm98rzqnm9');
    // HMAC-SHA1 of "https://api.example.com/api/v1/earn/postback/bitlabs?uid=8cc877ee-af19-488d-b28d-216fb866b996&val=500&tx=tx-1"
    const query = 'uid=8cc877ee-af19-488d-b28d-216fb866b996&val=500&tx=tx-1';
    const { createHmac } = await import('node:crypto');
    const hash = createHmac('sha1', 'JLOIAUNMHFli7ZJOQVEzm98rzqnm9').update(`${PUBLIC_URL}/postback/bitlabs?${query}`).digest('hex');
    expect(await accepts(preset, callback('bitlabs', `${query}&hash=${hash}`))).toBe(true);
    // Registered under another name, the route URL differs: the same hash no longer matches.
    expect(await accepts(preset, callback('bitlabs2', `${query}&hash=${hash}`))).toBe(false);
  });

  const vectors: Array<{ name: string; preset: NetworkDefinition; query: string; wrong: string; body?: string; json?: boolean; headers?: Record<string, string> }> = [
    {
      // md5("req-0001:demo-user:30:demo-tapjoy-secret")
      name: 'tapjoy',
      preset: tapjoy('demo-tapjoy-secret'),
      query: 'snuid=demo-user&currency=30&mac_address=00-16-41-34-2C-A6&id=req-0001&verifier=49a60d9a7fc4a9e15167711a5facf511',
      wrong: 'snuid=demo-user&currency=31&mac_address=00-16-41-34-2C-A6&id=req-0001&verifier=49a60d9a7fc4a9e15167711a5facf511',
    },
    {
      // sha1("ft-secret" + "player42" + "12.5" + "82b11630-9623-11de-9207-002084162f67" + "campaign-7"); the fractional amount hashed as sent
      name: 'fyber',
      preset: fyber('ft-secret'),
      query: 'uid=player42&amount=12.5&currency_name=Coins&currency_id=coins&_trans_id_=82b11630-9623-11de-9207-002084162f67&pub0=campaign-7&sid=165b1c71b560405b5c6a6d3a4cb2e7af28c202b7',
      wrong: 'uid=player42&amount=12.50&currency_name=Coins&currency_id=coins&_trans_id_=82b11630-9623-11de-9207-002084162f67&pub0=campaign-7&sid=165b1c71b560405b5c6a6d3a4cb2e7af28c202b7',
    },
    {
      // md5("201001021455" + "abc123" + "123@abc.com" + "10" + "is-private-key"): the user id arrives URL-encoded, is hashed decoded
      name: 'ironsource',
      preset: ironSource('is-private-key'),
      query: 'appUserId=123%40abc.com&rewards=10&eventId=abc123&itemName=Coins&timestamp=201001021455&signature=17418d1f2fa9db39f99b3e54178b98b5',
      wrong: 'appUserId=124%40abc.com&rewards=10&eventId=abc123&itemName=Coins&timestamp=201001021455&signature=17418d1f2fa9db39f99b3e54178b98b5',
    },
    {
      // HMAC-SHA256("adgem-key", full URL up to &verifier=), values RFC 3986 encoded (%20, never +)
      name: 'adgem',
      preset: adgem('adgem-key'),
      query: 'player_id=p1&amount=100&transaction_id=t1&campaign_name=Example%20App%3A%20Sports%20%26%20Casino&verifier=88fc98847102b26e9c635d01055e380bb305b6843088182b61d01ed87d2e493f',
      // The same values with `+` for spaces (what URLSearchParams would produce): not the bytes AdGem signed.
      wrong: 'player_id=p1&amount=100&transaction_id=t1&campaign_name=Example+App%3A+Sports+%26+Casino&verifier=88fc98847102b26e9c635d01055e380bb305b6843088182b61d01ed87d2e493f',
    },
    {
      // md5("trans-123-cpx-key")
      name: 'cpx',
      preset: cpx('cpx-key'),
      query: 'status=1&trans_id=trans-123&user_id=user1&amount_local=4.40&amount_usd=0.44&hash=bee88b595fb33a3f77f05441993575b5',
      wrong: 'status=1&trans_id=trans-124&user_id=user1&amount_local=4.40&amount_usd=0.44&hash=bee88b595fb33a3f77f05441993575b5',
    },
    {
      // md5("4242-user1-torox-key")
      name: 'torox',
      preset: torox('torox-key'),
      query: 'id=conv-9&oid=4242&amount=35&currency_name=Points&user_id=user1&sig=f61fbc9c1891a227b78d69cf3de914af',
      wrong: 'id=conv-9&oid=4243&amount=35&currency_name=Points&user_id=user1&sig=f61fbc9c1891a227b78d69cf3de914af',
    },
    {
      // sha256("user1" + "1.1.1.1" + "0.01" + "1" + secret), the field order of Lootably's hash package
      name: 'lootably',
      preset: lootably('j28eh8ahjsd2hjq8ashd829qyha8sdh2qha8sdhy'),
      query: 'userID=user1&transactionID=lt-1&ip=1.1.1.1&revenue=0.01&currencyReward=1&status=1&hash=06b6f92da4b4f4c1d147f5c870202085d3a5f06d949e44fbf7f1fe58fa93b6f1',
      wrong: 'userID=user1&transactionID=lt-1&ip=1.1.1.1&revenue=0.01&currencyReward=2&status=1&hash=06b6f92da4b4f4c1d147f5c870202085d3a5f06d949e44fbf7f1fe58fa93b6f1',
    },
    {
      // md5("user1" + "REV-351" + "25.0" + "revlum-secret"), sent as a POST form; the reward "25.0" hashed as sent
      name: 'revlum',
      preset: revlum('revlum-secret'),
      query: '',
      body: 'subId=user1&transId=REV-351&offerName=Revlum+-+Sign+up&reward=25.0&payout=0.100000&status=1&debug=0&signature=36ce9ed353fde1fea703a775284ce0b6',
      wrong: 'body:subId=user1&transId=REV-351&offerName=Revlum+-+Sign+up&reward=25&payout=0.100000&status=1&debug=0&signature=36ce9ed353fde1fea703a775284ce0b6',
    },
    {
      // Revtoo: the same formula as Revlum
      name: 'revtoo',
      preset: revtoo('revlum-secret'),
      query: '',
      body: 'subId=user1&transId=REV-351&reward=25.0&status=1&signature=36ce9ed353fde1fea703a775284ce0b6',
      wrong: 'body:subId=user2&transId=REV-351&reward=25.0&status=1&signature=36ce9ed353fde1fea703a775284ce0b6',
    },
    {
      // md5("id1:50:user1:sr-secret")
      name: 'superrewards',
      preset: superRewards('sr-secret'),
      query: 'id=id1&uid=user1&oid=77&new=50&total=150&sig=cb6295e3655a0a4955aa592eeba6455e',
      wrong: 'id=id1&uid=user1&oid=77&new=500&total=150&sig=cb6295e3655a0a4955aa592eeba6455e',
    },
    {
      // AdGate signs nothing: the secret token of the postback URL (and AdGate's IP, off here)
      name: 'adgate',
      preset: adgate('adgate-url-token', { sourceIps: false }),
      query: 'conversion_id=4d63afe33875ceeec17dd7eab41b8590a&user_id=user1&point_value=100&usd_value=0.25&state=approved&token=adgate-url-token',
      wrong: 'conversion_id=4d63afe33875ceeec17dd7eab41b8590a&user_id=user1&point_value=100&usd_value=0.25&state=approved&token=adgate-url-tokem',
    },
    {
      // Click-keyed tracker (Keitaro/TUNE style): a static security_token
      name: 'tracker',
      preset: trackerPostback('tracker-token'),
      query: 'subid=8cc877ee-af19-488d-b28d-216fb866b996&tid=T1&payout=12.50&status=sale&security_token=tracker-token',
      wrong: 'subid=8cc877ee-af19-488d-b28d-216fb866b996&tid=T1&payout=12.50&status=sale&security_token=tracker-tokeN',
    },
  ];

  for (const v of vectors) {
    it(`${v.name}: the signed vector is accepted, the altered one refused`, async () => {
      expect(await accepts(v.preset, callback(v.name, v.query, { body: v.body, headers: v.headers }))).toBe(true);
      const wrong = v.wrong.startsWith('body:') ? callback(v.name, '', { body: v.wrong.slice(5) }) : callback(v.name, v.wrong, { body: v.body });
      expect(await accepts(v.preset, wrong)).toBe(false);
    });
  }

  it('adgem-v3: HMAC-SHA256 of the raw JSON body bytes; the same JSON re-serialised is refused', async () => {
    const preset = adgemV3('adgem-key');
    const raw = '{"request_id":"r1","timestamp":1700000000,"data":{"player_id":"p1","amount":100,"transaction_id":"t1"}}';
    const signature = '613a3bae517bc883fe3823ed8689a309e098694a5b53e082d7a400dca7f29e7b';
    expect(await accepts(preset, callback('adgem-v3', '', { body: raw, json: true, headers: { signature } }))).toBe(true);
    const pretty = JSON.stringify(JSON.parse(raw), null, 2);
    expect(await accepts(preset, callback('adgem-v3', '', { body: pretty, json: true, headers: { signature } }))).toBe(false);
    // A query parameter would not be signed: refused even with a good body signature.
    expect(await accepts(preset, callback('adgem-v3', 'data.amount=9999', { body: raw, json: true, headers: { signature } }))).toBe(false);
  });

  it('ayet: HMAC-SHA256 of the sorted parameters joined like PHP http_build_query, whatever their order or encoding on the wire', async () => {
    const preset = ayet('ayet-api-key');
    // Sorted and re-encoded: amount=360&external_identifier=username&network=ayetstudios&offer_name=Coin+Master%3A+Level+10&payout_usd=0.36&transaction_id=381f...
    const headers = { 'x-ayetstudios-security-hash': '7861cc993251e6dc2749a48b18c053ef9b433548485f0551085bc997a6990200' };
    const asSent = 'network=ayetstudios&amount=360&external_identifier=username&payout_usd=0.36&transaction_id=381f99333613b41392b15183d69a7240308e8461&offer_name=Coin%20Master%3A%20Level%2010';
    const reordered = 'transaction_id=381f99333613b41392b15183d69a7240308e8461&offer_name=Coin+Master:+Level+10&payout_usd=0.36&external_identifier=username&amount=360&network=ayetstudios';
    expect(await accepts(preset, callback('ayet', asSent, { headers }))).toBe(true);
    expect(await accepts(preset, callback('ayet', reordered, { headers }))).toBe(true);
    expect(await accepts(preset, callback('ayet', asSent.replace('amount=360', 'amount=3600'), { headers }))).toBe(false);
  });
});
