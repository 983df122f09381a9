/**
 * Click-keyed tracker postbacks (Everflow, Keitaro, TUNE/HasOffers, Affise, Voluum, Binom...):
 * the tracker stores OUR click id from the redirect URL in a sub-id macro and sends it back with
 * a payout, a transaction id and a status word. The click's rules apply (expiry, cap, one
 * conversion per click unless the product allows goals).
 *
 * Sources (networks.md's notes): Keitaro's postback `subid`, `tid`, `payout`, `status` (lead =
 * unconfirmed, sale = confirmed, rejected); TUNE's `transaction_id`, `amount`, static
 * `security_token`; Affise's `clickid`, `action_id`, `goal`, `sum`, `status` 1 approved,
 * 2 pending, 3 declined, 5 hold. These are the defaults; rename any field.
 *
 * Where sources disagree: Keitaro's `rebill` (a repeated payment) is not mapped: it needs its own
 * transaction id per payment; add it to `statusMap` with a distinct `tid` if you use it.
 * @module
 */
import { param } from './fields.js';
import { withOptions, type PresetOptions } from './preset.js';
import { textReplies } from './replies.js';
import { secretParam, type Secrets } from './schemes.js';
import type { NetworkDefinition } from './types.js';

/** Options of {@link trackerPostback}. */
export interface TrackerPostbackOptions extends PresetOptions {
  /** Parameter carrying the static token you put in the postback URL. Default `security_token`. */
  tokenParam?: string;
}

/**
 * A click-keyed tracker postback, authenticated by a static token in the postback URL
 * (`&security_token=<secret>`, never stored). Add `sourceIps: [...]` for the tracker's servers.
 */
export function trackerPostback(token: Secrets, options?: TrackerPostbackOptions): NetworkDefinition {
  const tokenParam = options?.tokenParam ?? 'security_token';
  return withOptions(
    {
      preset: 'tracker',
      keyedBy: 'click',
      fields: {
        clickId: param('subid', 'sub_id', 'aff_sub', 'clickid', 'cid', 'click_id'),
        transactionId: param('tid', 'transaction_id', 'txid', 'action_id', 'conversion_id'),
        amount: param('payout', 'amount', 'sum'),
        status: param('status'),
        offerId: param('offer_id'),
        goal: param('goal'),
      },
      auth: [secretParam({ secrets: token, param: tokenParam })],
      statusMap: {
        lead: 'pending',
        sale: 'credit',
        approved: 'credit',
        completed: 'credit',
        rejected: 'reject',
        declined: 'reject',
        pending: 'pending',
        hold: 'pending',
        reversed: 'reverse',
        chargeback: 'reverse',
        '1': 'credit',
        '2': 'pending',
        '3': 'reject',
        '5': 'pending',
      },
      defaultStatus: 'sale',
      secretParams: [tokenParam],
      replies: textReplies({ success: 'OK' }),
    },
    options,
  );
}
