/**
 * `clickcredit/networks`: presets for offerwalls and trackers, one factory per network, and the
 * building blocks to define another network (field readers, authentication schemes, replies).
 *
 * ```ts
 * import { tapjoy, cpx, trackerPostback } from 'clickcredit/networks';
 * createClickTracker({ ..., networks: { tapjoy: tapjoy(process.env.TAPJOY_SECRET!), cpx: cpx(process.env.CPX_HASH!) } });
 * // Tapjoy then calls GET <publicUrl>/postback/tapjoy?snuid=...&currency=...&id=...&verifier=...
 * ```
 * @module
 */
export type {
  NetworkAuth,
  SyncNetworkAuth,
  NetworkCallback,
  NetworkDefinition,
  NetworkFields,
  NetworkRefusal,
  NetworkReplies,
  NetworkReply,
  FieldReader,
  ReplyContext,
  ResolveNetworkUser,
} from './types.js';
export { param, header, firstOf, constant, mapped } from './fields.js';
export {
  fieldDigest,
  urlHmac,
  bodyHmac,
  sortedParamsHmac,
  secretParam,
  headerSecret,
  sourceIps,
  splitSignedUrl,
  sortedQuery,
  phpUrlEncode,
  rfc3986Encode,
  type Secrets,
  type HmacAlgorithm,
  type FieldDigestOptions,
  type UrlHmacOptions,
  type BodyHmacOptions,
  type SortedParamsHmacOptions,
  type SecretParamOptions,
  type HeaderSecretOptions,
} from './schemes.js';
export { textReply, jsonReply, textReplies, DEFAULT_REFUSAL_STATUS, type TextRepliesOptions } from './replies.js';
export { withOptions, checkNetworkDefinition, type PresetOptions } from './preset.js';
export { networkCallbackOf } from './callback.js';
export { tapjoy } from './tapjoy.js';
export { fyber } from './fyber.js';
export { ironSource } from './ironsource.js';
export { adgem, adgemV3 } from './adgem.js';
export { ayet } from './ayet.js';
export { bitlabs } from './bitlabs.js';
export { cpx, CPX_SOURCE_IPS } from './cpx.js';
export { torox } from './torox.js';
export { lootably } from './lootably.js';
export { revlum, revtoo } from './revlum.js';
export { adgate, ADGATE_SOURCE_IPS } from './adgate.js';
export { superRewards } from './superrewards.js';
export { trackerPostback, type TrackerPostbackOptions } from './tracker-postback.js';
