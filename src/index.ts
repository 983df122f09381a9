/**
 * clickcredit: click tracking and exactly-once S2S postback crediting.
 *
 * The core is framework- and store-agnostic: {@link createClickTracker} takes a storage adapter
 * (`clickcredit/postgres`, `clickcredit/redis`, `clickcredit/mongodb`, `clickcredit/memory`) and
 * the host's ports, and HTTP helpers (`clickcredit/express`, `clickcredit/fastify`) mount it.
 * @module clickcredit
 */
export { createClickTracker, type ClickTracker, type TrackerSettings } from './tracker.js';
export { consoleLogger, type ClickTrackerOptions } from './options.js';
export * from './admin/index.js';
export * from './workers/index.js';
export * from './events/index.js';
export * from './errors.js';
export * from './schemas.js';
export type * from './records.js';
export type * from './ports.js';
export { formatAmount, parseAmount, parseRatePpm, commissionOf, moneyOptions, type MoneyOptions, type RoundingMode } from './money.js';
// The state machines, risk counters and ledger entries adapter authors need: `clickcredit/store`.
export { ledgerKey } from './ledger.js';
export { goalConversionId, clickGoalsOf } from './conversion.js';
export {
  resolveRiskPolicy,
  type RiskPolicy, type RiskOptions, type RiskEffect, type RiskTimeRule, type RiskCap, type RiskCapOptions,
} from './risk.js';
export { convertAmount, RATE_SCALE, type NetworkCallbackOutcome, type ResolvedNetwork } from './postback/handle-network-callback.js';
export type { NetworkDefinition, NetworkCallback, NetworkReply, NetworkRefusal, NetworkAuth, NetworkFields, NetworkReplies, ResolveNetworkUser, FieldReader, ReplyContext } from './networks/types.js';
export { userKeyedClickId, userKeyedClick, isVirtualClickId, networkProductId, USER_KEYED_NAMESPACE, USER_KEYED_EXPIRES_AT, type UserKeyedClickInput } from './user-keyed.js';
export { assertTaskUrl, buildRedirectUrl, buildPostbackUrl } from './click-url.js';
export { encodeCursor, decodeCursor } from './cursor.js';
export { toClickView, toEarningView, toPostbackAttemptView } from './views.js';
export { mergePostbackParams, POSTBACK_FIELD_ALIASES, type PostbackRequest, type VerifiablePostback } from './postback/request.js';
export { DEFAULT_STATUS_MAP, DEFAULT_POSTBACK_STATUS } from './postback/status-map.js';
export { runVerifiers, type PostbackVerifier, type SyncPostbackVerifier, type VerificationResult } from './postback/verifier.js';
export * from './verification/index.js';
