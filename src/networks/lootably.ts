/**
 * Lootably (offerwall postbacks).
 *
 * Source: Lootably, "Postbacks" (https://documentation.lootably.com/docs/postbacks): a GET whose
 * query the publisher composes from macros `{userID}`, `{transactionID}`, `{ip}`, `{offerName}`,
 * `{offerID}`, `{goalName}`, `{goalID}`, `{revenue}`, `{currencyReward}`... (the excerpt seen ends
 * there).
 *
 * Where sources disagree: the hash formula and the status macro are not in the excerpt seen.
 * The hash = hex sha256(userID + ip + revenue + currencyReward + postback secret) comes from
 * Lootably's own package "lootably-postback-hash" (https://npmjs.com/package/lootably-postback-hash:
 * `generateSHA256PostbackHash({ userID, ip, revenue, currencyReward, postbackSecret })`) and
 * matches integrators' code (`sha256(userId + ip + revenue + robux + LOOTABLY_POSTBACK_SECRET)`);
 * `status` 1 = credit, 0 = reversal is networks.md's and unverified (this preset defaults to 1). Lootably also
 * offers JSON "Conversion Webhooks" with a secret header
 * (https://documentation.lootably.com/docs/conversion-webhooks): build those with `headerSecret`.
 * @module
 */
import { param } from './fields.js';
import { withOptions, type PresetOptions } from './preset.js';
import { textReplies } from './replies.js';
import { fieldDigest, type Secrets } from './schemes.js';
import type { NetworkDefinition } from './types.js';

/** Lootably, from the placement's postback secret(s). */
export function lootably(postbackSecret: Secrets, options?: PresetOptions): NetworkDefinition {
  return withOptions(
    {
      preset: 'lootably',
      keyedBy: 'user',
      fields: {
        userId: param('userID'),
        transactionId: param('transactionID'),
        amount: param('currencyReward'),
        status: param('status'),
        offerId: param('offerID'),
        goal: param('goalID'),
        conversionIp: param('ip'),
      },
      auth: [fieldDigest({ secrets: postbackSecret, fields: ['userID', 'ip', 'revenue', 'currencyReward'], algorithm: 'sha256', param: 'hash' })],
      statusMap: { '1': 'credit', '0': 'reverse' },
      defaultStatus: '1',
      replies: textReplies({ success: '1', refusal: '0' }),
    },
    options,
  );
}
