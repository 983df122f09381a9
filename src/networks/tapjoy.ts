/**
 * Tapjoy (self-managed currency).
 *
 * Source: Unity, "Self-managed currency"
 * (https://docs.unity.com/en-us/grow/offerwall/monetization/virtual-currency/self-managed-currency):
 * GET `<callback>?snuid=<user>&currency=<amount>&mac_address=...`; with a secret key set, `id`
 * (a request id, not the currency id) and `verifier` = MD5 of `id`, `snuid`, `currency` and the
 * secret key. Answer 200 when credited; 403 for a bad verifier, an unknown `snuid` or any error
 * that must not be retried; anything else is retried every ~5 minutes for 4 days; answer within
 * 5 s, UTF-8.
 *
 * Where sources disagree: the official page does not say how the four values are joined; the `:`
 * separator (`md5("id:snuid:currency:secret")`) comes from integrators' code
 * (https://gist.github.com/doomspork/5062375), as networks.md says. The page also warns that
 * `001234` and `1234` are different users to Tapjoy: `resolveUser` must not normalise them.
 * @module
 */
import { param } from './fields.js';
import { withOptions, type PresetOptions } from './preset.js';
import { textReplies } from './replies.js';
import { fieldDigest, type Secrets } from './schemes.js';
import type { NetworkDefinition } from './types.js';

/** Tapjoy, from the currency's secret key(s). */
export function tapjoy(secretKey: Secrets, options?: PresetOptions): NetworkDefinition {
  return withOptions(
    {
      preset: 'tapjoy',
      keyedBy: 'user',
      fields: { userId: param('snuid'), transactionId: param('id'), amount: param('currency') },
      auth: [fieldDigest({ secrets: secretKey, fields: ['id', 'snuid', 'currency'], separator: ':', algorithm: 'md5', param: 'verifier' })],
      statusMap: { completed: 'credit' },
      defaultStatus: 'completed',
      // 403 on every refusal that retrying cannot fix, so Tapjoy stops; 503 only when it should retry.
      replies: textReplies({
        success: 'OK',
        refusalStatus: { invalid_input: 403, invalid_amount: 403, unknown_user: 403, unknown_click: 403, expired: 403, conflict: 403 },
      }),
    },
    options,
  );
}
