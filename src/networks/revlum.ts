/**
 * Revlum and Revtoo (and other OfferToro-style clones with the same fields).
 *
 * Sources: Revlum, "S2S Postback" (https://revlum.com/documentation/postback) and "Postback
 * Security" (https://developer.revlum.com/docs/postback-security-1); Revtoo, "Postback
 * Parameters" (https://docs.revtoo.com/s2s-postback/postback-parameters) and "Postback Security"
 * (https://docs.revtoo.com/s2s-postback/postback-security): an HTTP POST (Revlum also offers GET)
 * with `subId`, `transId`, `reward` (always positive), `payout`, `userIp`, `status` (1 credit,
 * 2 chargeback), `debug`, `signature` = md5(subId + transId + reward + secret). Revtoo expects
 * the body `ok` within 30 s, else the postback is marked failed.
 *
 * Where sources disagree: the pages write "MD5 of subId transactionId reward secret key" but
 * their code hashes the `transId` parameter, used here. `status` is not signed: a reversal can be
 * forged from a seen credit (it only takes money back); restrict the source IPs in production.
 * @module
 */
import { param } from './fields.js';
import { withOptions, type PresetOptions } from './preset.js';
import { textReplies } from './replies.js';
import { fieldDigest, type Secrets } from './schemes.js';
import type { NetworkDefinition } from './types.js';

function revlumStyle(preset: string, secret: Secrets, options?: PresetOptions): NetworkDefinition {
  return withOptions(
    {
      preset,
      keyedBy: 'user',
      fields: {
        userId: param('subId'),
        transactionId: param('transId'),
        amount: param('reward'),
        status: param('status'),
        offerId: param('offerId'),
        goal: param('event_id'),
        conversionIp: param('userIp'),
      },
      auth: [fieldDigest({ secrets: secret, fields: ['subId', 'transId', 'reward'], algorithm: 'md5', param: 'signature' })],
      statusMap: { '1': 'credit', '2': 'reverse' },
      defaultStatus: null,
      replies: textReplies({ success: 'ok' }),
    },
    options,
  );
}

/** Revlum, from the app's secret key(s). */
export function revlum(secret: Secrets, options?: PresetOptions): NetworkDefinition {
  return revlumStyle('revlum', secret, options);
}

/** Revtoo, from the placement's secret key(s). */
export function revtoo(secret: Secrets, options?: PresetOptions): NetworkDefinition {
  return revlumStyle('revtoo', secret, options);
}
