/**
 * Torox (formerly OfferToro).
 *
 * Source: OfferToro, "Postback" (https://www.offertoro.com/docs/postback): parameters `id` (the
 * conversion id), `oid` (the offer id), `amount` (in the app's currency), `currency_name`,
 * `user_id`, and `sig` = md5(oid + "-" + user_id + "-" + the app placement's key).
 *
 * Where sources disagree: the expected reply is not in the excerpt seen (networks.md: `1`,
 * unverified); this preset answers `1`. The signature covers neither `id` nor `amount`: anyone who
 * sees one callback can change its amount, so restrict the source IPs (`sourceIps: [...]`, from
 * Torox's support) in production.
 * @module
 */
import { param } from './fields.js';
import { withOptions, type PresetOptions } from './preset.js';
import { textReplies } from './replies.js';
import { fieldDigest, type Secrets } from './schemes.js';
import type { NetworkDefinition } from './types.js';

/** Torox / OfferToro, from the app placement's key(s). */
export function torox(secretKey: Secrets, options?: PresetOptions): NetworkDefinition {
  return withOptions(
    {
      preset: 'torox',
      keyedBy: 'user',
      fields: { userId: param('user_id'), transactionId: param('id'), amount: param('amount'), offerId: param('oid') },
      auth: [fieldDigest({ secrets: secretKey, fields: ['oid', 'user_id'], separator: '-', algorithm: 'md5', param: 'sig' })],
      statusMap: { completed: 'credit' },
      defaultStatus: 'completed',
      replies: textReplies({ success: '1', refusal: '0' }),
    },
    options,
  );
}
