/**
 * ayeT-Studios offerwall callbacks.
 *
 * Sources: ayeT-Studios, "HMAC Security Hash"
 * (https://docs.ayetstudios.com/v/product-docs/callbacks-and-testing/callback-verification/hmac-security-hash-optional)
 * and "Offerwall Callbacks"
 * (https://docs.ayetstudios.com/v/product-docs/callbacks-and-testing/callbacks/offerwall-callbacks): the header
 * `X-Ayetstudios-Security-Hash` = hex HMAC-SHA256(publisher API key, the GET parameters sorted by
 * name with `ksort` and joined with PHP `http_build_query`); the callback macros include
 * `{external_identifier}`, `{currency_amount}`, `{payout_usd}`; answer 200, else the callback is
 * resent 12 times over an hour. `{transaction_id}` is the duplicate-check key. Reversal callbacks
 * (opt-in per placement, "Enable Reversal Callbacks") carry `is_chargeback=1`, `chargeback_reason`,
 * `chargeback_date`, a negative `currency_amount`, and the original transaction id prefixed `r-`
 * (`r-381f9933...`).
 *
 * Where sources disagree: networks.md says the docs disagree on whether values are URL-encoded
 * first; the PHP sample hashes `http_build_query($_GET)`, which does encode them (RFC 1738, space
 * as `+`), so this preset decodes the raw query and re-encodes it that way (`encoding: 'php'`;
 * `'raw'` is available). PHP also renames `.` and space in parameter NAMES to `_`; ayeT's own
 * names have neither. The docs' own example names the amount parameter `amount={currency_amount}`:
 * the publisher picks the names, so rename with `fields: { amount: param('amount') }` if you did.
 * @module
 */
import { mapped, param } from './fields.js';
import { withOptions, type PresetOptions } from './preset.js';
import { textReplies } from './replies.js';
import { sortedParamsHmac, type Secrets } from './schemes.js';
import type { NetworkDefinition } from './types.js';

/** ayeT-Studios, from the publisher API key(s). */
export function ayet(apiKey: Secrets, options?: PresetOptions): NetworkDefinition {
  return withOptions(
    {
      preset: 'ayet',
      keyedBy: 'user',
      fields: {
        userId: param('external_identifier'),
        transactionId: param('transaction_id'),
        amount: param('currency_amount'),
        status: mapped(param('is_chargeback'), (value) => (value === '1' ? 'chargeback' : 'completed')),
        offerId: param('offer_id'),
        conversionIp: param('ip'),
      },
      auth: [sortedParamsHmac({ secrets: apiKey, algorithm: 'sha256', header: 'x-ayetstudios-security-hash', encoding: 'php' })],
      statusMap: { completed: 'credit', chargeback: 'reverse' },
      defaultStatus: 'completed',
      // The reversal's amount is negative: its absolute value is reversed (never negated again).
      negativeAmount: 'reverse',
      // `r-<id>` names the original transaction, whose credit it reverses.
      transactionIdOf: (id, callback) => (callback.params.is_chargeback === '1' || callback.params.is_chargeback === 1) && id.startsWith('r-') ? id.slice(2) : id,
      replies: textReplies({ success: 'OK' }),
    },
    options,
  );
}
