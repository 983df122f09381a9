/**
 * AdGate Media (Prodege Ads).
 *
 * Source: AdGate Media, "Postback Information"
 * (https://docs.adgatemedia.com/postbacks/postback-information, also docs.prodegeads.com): the
 * example `?conversion_id={conversion_id}&user_id={s1}&point_value={points}&usd_value={payout}`;
 * `{state}` is approved, rejected (a conversion previously pending or approved was reversed) or
 * pending, and chargebacks are sent only when the URL carries `{state}`; all values URL-encoded;
 * answer 200, else resent up to 5 times, 5 minutes apart; security: a postback URL unique to
 * AdGate, and the server IP 52.42.57.125 to allowlist.
 *
 * Where sources disagree: nothing found against networks.md. AdGate signs nothing, so this preset
 * takes the secret token you put in the postback URL (`&token=<secret>`, never stored) and
 * allowlists AdGate's IP by default (`sourceIps: false` to turn it off, e.g. on localhost).
 * `rejected` is mapped to a reversal, as the docs define it.
 * @module
 */
import { param } from './fields.js';
import { withOptions, type PresetOptions } from './preset.js';
import { textReplies } from './replies.js';
import { secretParam, type Secrets } from './schemes.js';
import type { NetworkDefinition } from './types.js';

/** AdGate Media's published postback source address. */
export const ADGATE_SOURCE_IPS: readonly string[] = ['52.42.57.125'];

/** AdGate Media, from the secret token(s) carried by the postback URL as `token`. */
export function adgate(urlToken: Secrets, options?: PresetOptions & { tokenParam?: string }): NetworkDefinition {
  const tokenParam = options?.tokenParam ?? 'token';
  return withOptions(
    {
      preset: 'adgate',
      keyedBy: 'user',
      fields: {
        userId: param('user_id'),
        transactionId: param('conversion_id'),
        amount: param('point_value'),
        status: param('state'),
        offerId: param('offer_id'),
      },
      auth: [secretParam({ secrets: urlToken, param: tokenParam })],
      statusMap: { approved: 'credit', pending: 'pending', rejected: 'reverse' },
      defaultStatus: 'approved',
      secretParams: [tokenParam],
      replies: textReplies({ success: 'OK' }),
    },
    options,
    { ips: ADGATE_SOURCE_IPS, ipsByDefault: true },
  );
}
