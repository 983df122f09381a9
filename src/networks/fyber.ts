/**
 * Fyber / Digital Turbine (Offer Wall Edge server-side callbacks).
 *
 * Sources: Digital Turbine, "Server-Side Rewarding"
 * (https://developer.digitalturbine.com/hc/en-us/articles/360010867817-Server-Side-Rewarding) and
 * Fyber's legacy "Serverside Callback Integration"
 * (http://legacydocs.fyber.com/content/current/unity/integration/rewarding-user/serverside/):
 * GET with `uid`, `amount`, `currency_name`, `currency_id`, `_trans_id_` (only when enabled in the
 * dashboard), `pub0`..`pub9` (only when sent), and `sid` = sha1(security_token + uid + amount +
 * _trans_id_ + pub0 + pub1 + ...) (`sid` only when a security token is set). 200 means processed;
 * anything else is a failure.
 *
 * Where sources disagree: the formula's `user_id` is the `uid` parameter. The legacy page asks
 * publishers to truncate a fractional `amount` to an integer, but to hash the original string:
 * this preset hashes the string as received and credits the exact amount (the tracker's money
 * rounding decides; with a `rate`, points become wallet units). `_trans_id_` is optional for
 * Fyber but required here: without it there is no idempotency key.
 * @module
 */
import { param } from './fields.js';
import { withOptions, type PresetOptions } from './preset.js';
import { textReplies } from './replies.js';
import { fieldDigest, type Secrets } from './schemes.js';
import type { NetworkDefinition } from './types.js';

const PUBS = Array.from({ length: 10 }, (_, i) => `pub${i}`);

/** Fyber / Digital Turbine, from the app's security token(s). */
export function fyber(securityToken: Secrets, options?: PresetOptions): NetworkDefinition {
  return withOptions(
    {
      preset: 'fyber',
      keyedBy: 'user',
      fields: { userId: param('uid'), transactionId: param('_trans_id_'), amount: param('amount') },
      auth: [fieldDigest({ secrets: securityToken, fields: ['uid', 'amount', '_trans_id_', ...PUBS], secretPosition: 'prefix', algorithm: 'sha1', param: 'sid' })],
      statusMap: { completed: 'credit' },
      defaultStatus: 'completed',
      replies: textReplies({ success: 'OK' }),
    },
    options,
  );
}
