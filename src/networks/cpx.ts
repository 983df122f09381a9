/**
 * CPX Research (surveys).
 *
 * Sources: CPX's own postback page is behind its publisher dashboard; what is public comes from
 * integrators' setup documents (e.g. github.com/jmenichole/qualifyfirst CPX-POSTBACK-READY.md,
 * github.com/Twenti-Studio/Tasky CPX_RESEARCH_SETUP.md): macros `{status}` (1 completed,
 * 2 canceled), `{trans_id}`, `{user_id}`, `{amount_local}`, `{amount_usd}`, `{offer_ID}`,
 * `{ip_click}`, `{type}` (out, complete, bonus), `{secure_hash}` = md5(`{trans_id}-<secure key>`),
 * and the source IPs 188.40.3.73, 157.90.97.92 and 2a01:4f8:d0a:30ff::2.
 *
 * Where sources disagree: one integrator writes the IPv6 address as `2a01:4f8:d0a:30ff:2` (not a
 * valid address); the other sources write `2a01:4f8:d0a:30ff::2`, used here. The hash covers the
 * transaction id only (not the amount, the user or the status): enable `sourceIps: true` in
 * production. Integrators answer `1`.
 * @module
 */
import { param } from './fields.js';
import { withOptions, type PresetOptions } from './preset.js';
import { textReplies } from './replies.js';
import { fieldDigest, type Secrets } from './schemes.js';
import type { NetworkDefinition } from './types.js';

/** CPX Research's published postback source addresses. */
export const CPX_SOURCE_IPS: readonly string[] = ['188.40.3.73', '157.90.97.92', '2a01:4f8:d0a:30ff::2'];

/** CPX Research, from the app's secure hash key(s). */
export function cpx(secureKey: Secrets, options?: PresetOptions): NetworkDefinition {
  return withOptions(
    {
      preset: 'cpx',
      keyedBy: 'user',
      fields: {
        userId: param('user_id'),
        transactionId: param('trans_id'),
        amount: param('amount_local'),
        status: param('status'),
        offerId: param('offer_id'),
        conversionIp: param('ip_click'),
      },
      auth: [fieldDigest({ secrets: secureKey, fields: ['trans_id'], separator: '-', algorithm: 'md5', param: 'hash' })],
      statusMap: { '1': 'credit', '2': 'reverse' },
      defaultStatus: null,
      replies: textReplies({ success: '1', refusal: '0' }),
    },
    options,
    { ips: CPX_SOURCE_IPS },
  );
}
