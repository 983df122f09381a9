/**
 * AdGem, both postback methods.
 *
 * Source: AdGem, "Postback Setup" (https://docs.adgem.com/publisher-support/web-postback-setup):
 * GET by default with the publisher's macros (`{player_id}`, `{amount}`, `{payout}`,
 * `{campaign_id}`, `{goal_id}`, `{transaction_id}`...), every value raw-URL-encoded with PHP
 * `rawurlencode` (RFC 3986: space is `%20`); a Postback Key for "Postback Hashing"; POST (JSON)
 * is a beta enabled by AdGem's support.
 *
 * Where sources disagree: the pages seen name the Postback Key and the hashing feature but
 * their excerpts do not show the formula. v2's `verifier` = hex HMAC-SHA256(key, the full URL
 * without `&verifier=...`) and v3's `Signature` header = hex HMAC-SHA256(key, raw JSON body) with
 * a body `{ request_id, timestamp, data: {...} }` are networks.md's (from integrators); both are
 * checked over the bytes as received, never re-encoded. One integrator's handler seen strips
 * `verifier` wherever it stands and also tries the URL-decoded URL: this preset accepts the raw
 * URL only, with `verifier` last (anything after it would be unsigned). Integrators also read a
 * `state` macro for reversals; map it with `fields: { status: param('state') }` and `statusMap`.
 * @module
 */
import { firstOf, param } from './fields.js';
import { withOptions, type PresetOptions } from './preset.js';
import { textReplies } from './replies.js';
import { bodyHmac, urlHmac, type Secrets } from './schemes.js';
import type { NetworkDefinition } from './types.js';

/** AdGem v2: GET, `verifier` over the full URL. */
export function adgem(postbackKey: Secrets, options?: PresetOptions): NetworkDefinition {
  return withOptions(
    {
      preset: 'adgem',
      keyedBy: 'user',
      fields: {
        userId: param('player_id'),
        transactionId: param('transaction_id'),
        amount: param('amount'),
        offerId: param('campaign_id'),
        goal: param('goal_id'),
        conversionIp: param('ip'),
      },
      auth: [urlHmac({ secrets: postbackKey, algorithm: 'sha256', param: 'verifier' })],
      statusMap: { completed: 'credit' },
      defaultStatus: 'completed',
      replies: textReplies({ success: 'OK' }),
    },
    options,
  );
}

/** AdGem v3: POST JSON `{ request_id, timestamp, data }`, `Signature` header over the raw body. */
export function adgemV3(postbackKey: Secrets, options?: PresetOptions): NetworkDefinition {
  return withOptions(
    {
      preset: 'adgem-v3',
      keyedBy: 'user',
      fields: {
        userId: param('data.player_id'),
        transactionId: firstOf(param('data.transaction_id'), param('request_id')),
        amount: param('data.amount'),
        offerId: param('data.campaign_id'),
        goal: param('data.goal_id'),
        conversionIp: param('data.ip'),
      },
      auth: [bodyHmac({ secrets: postbackKey, algorithm: 'sha256', header: 'signature' })],
      statusMap: { completed: 'credit' },
      defaultStatus: 'completed',
      replies: textReplies({ success: 'OK' }),
    },
    options,
  );
}
