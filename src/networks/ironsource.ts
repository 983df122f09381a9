/**
 * ironSource (LevelPlay) offerwall and rewarded server-to-server callbacks.
 *
 * Source: Unity LevelPlay, "Server-to-server callback event handlers"
 * (https://docs.unity.com/grow/en-us/levelplay/platform/settings/event-handlers) and
 * "Server-to-Server callback settings"
 * (https://developers.is.com/ironsource-mobile/general/server-to-server-callback-settings):
 * macros `[USER_ID]` (passed URL-encoded), `[REWARDS]`, `[EVENT_ID]`, `[ITEM_NAME]`, plus
 * `timestamp` (YYYYMMDDHHMM) and `signature` (an MD5 for authentication); the publisher names the
 * query parameters, the docs' template uses `appUserId`, `rewards`, `eventId`, `itemName`. The
 * callback must be acknowledged with 200 and the body `<eventId>:OK`.
 *
 * Where sources disagree: the excerpt of the official page seen says only "an MD5 hash string";
 * the formula md5(timestamp + eventId + appUserId + rewards + privateKey) is networks.md's, from
 * the sample code. The values are the decoded query values (a user id sent as `123%40abc.com`
 * is hashed as `123@abc.com`).
 * @module
 */
import { param } from './fields.js';
import { withOptions, type PresetOptions } from './preset.js';
import { textReplies } from './replies.js';
import { fieldDigest, type Secrets } from './schemes.js';
import type { NetworkDefinition } from './types.js';

/** ironSource, from the app's private key(s). */
export function ironSource(privateKey: Secrets, options?: PresetOptions): NetworkDefinition {
  return withOptions(
    {
      preset: 'ironsource',
      keyedBy: 'user',
      fields: { userId: param('appUserId'), transactionId: param('eventId'), amount: param('rewards') },
      auth: [fieldDigest({ secrets: privateKey, fields: ['timestamp', 'eventId', 'appUserId', 'rewards'], algorithm: 'md5', param: 'signature' })],
      statusMap: { completed: 'credit' },
      defaultStatus: 'completed',
      replies: textReplies({ success: (c) => `${c.transactionId ?? ''}:OK` }),
    },
    options,
  );
}
