/**
 * SuperRewards (Paymentwall's offerwall).
 *
 * Sources: no public SuperRewards page was found in the corpus; integrators' code
 * (github.com/Karmel0x/simple-web-account-panel assets/pingbacklc_sr.php,
 * github.com/sarobidy12/facilideal public/postbackcall/superrewards.php): parameters `id` (the
 * transaction), `uid` (the user), `oid` (the offer), `new` (currency earned), `total`, and
 * `sig` = md5(id + ":" + new + ":" + uid + ":" + secret); the handler answers `1` on success and
 * `0` on failure.
 *
 * Where sources disagree: nothing against networks.md; the formula is unverified against an
 * official page.
 * @module
 */
import { param } from './fields.js';
import { withOptions, type PresetOptions } from './preset.js';
import { textReplies } from './replies.js';
import { fieldDigest, type Secrets } from './schemes.js';
import type { NetworkDefinition } from './types.js';

/** SuperRewards, from the app's secret key(s). */
export function superRewards(secretKey: Secrets, options?: PresetOptions): NetworkDefinition {
  return withOptions(
    {
      preset: 'superrewards',
      keyedBy: 'user',
      fields: { userId: param('uid'), transactionId: param('id'), amount: param('new'), offerId: param('oid') },
      auth: [fieldDigest({ secrets: secretKey, fields: ['id', 'new', 'uid'], separator: ':', algorithm: 'md5', param: 'sig' })],
      statusMap: { completed: 'credit' },
      defaultStatus: 'completed',
      replies: textReplies({ success: '1', refusal: '0' }),
    },
    options,
  );
}
