/**
 * BitLabs (surveys and offers).
 *
 * Sources: BitLabs, "Securing callbacks through hashing"
 * (https://developer.bitlabs.ai/docs/securing-callbacks-through-hashing): `&hash=` appended at the
 * end, a hex HMAC-SHA1 of the whole URL with the app secret; "do not encode/decode the URL before
 * generating the hash", with the worked example used verbatim in this preset's tests; and
 * "Callback Settings" (https://developer.bitlabs.ai/docs/implementation-settings): complete,
 * reconciliation (a complete reversed), screenout and rewarded-qualification callbacks, always
 * GET.
 *
 * Where sources disagree: nothing found against networks.md. The publisher names the query
 * parameters when writing the callback URL (`[%USER:UID%]`, `[%TX%]`, `[%VALUE:CURRENCY%]`); this
 * preset's defaults are `uid`, `tx`, `val` and `type`. A reconciliation is a reversal of the same
 * `tx`, signalled by `type=RECONCILIATION` or a negative value (reversed by its absolute value).
 * @module
 */
import { param } from './fields.js';
import { withOptions, type PresetOptions } from './preset.js';
import { textReplies } from './replies.js';
import { urlHmac, type Secrets } from './schemes.js';
import type { NetworkDefinition } from './types.js';

/** BitLabs, from the app secret(s). */
export function bitlabs(appSecret: Secrets, options?: PresetOptions): NetworkDefinition {
  return withOptions(
    {
      preset: 'bitlabs',
      keyedBy: 'user',
      fields: { userId: param('uid'), transactionId: param('tx'), amount: param('val'), status: param('type'), offerId: param('offer_id') },
      auth: [urlHmac({ secrets: appSecret, algorithm: 'sha1', param: 'hash' })],
      statusMap: { complete: 'credit', screenout: 'credit', start_bonus: 'credit', reconciliation: 'reverse' },
      defaultStatus: 'complete',
      negativeAmount: 'reverse',
      replies: textReplies({ success: 'OK' }),
    },
    options,
  );
}
