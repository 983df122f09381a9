/**
 * `clickcredit/store`: what an adapter author needs to implement `ClickStore`, kept apart
 * from the host-facing `clickcredit` entry. The state machines as pure functions
 * (`decideConversion`, `decideApproval`), the risk rules and their day counters, the ledger's
 * entries and idempotency keys, the audit row of a step, virtual clicks and the event of each
 * step. Stores that run code inside their atomic step call these directly; stores that translate
 * them (PL/pgSQL, Lua) are held to the same tables by `clickcredit/testing`.
 *
 * The port types themselves (`ClickStore`, `ConversionCommand`, records...) are exported by
 * `clickcredit`.
 * @module clickcredit/store
 */
export {
  decideConversion, cappedAmount, isHeld, goalConversionId, admitsConversion, clickGoalsOf, type ConversionTransition,
} from './conversion.js';
export { decideApproval, type ApprovalTransition } from './approval.js';
export { attemptOfConversion, type ConversionVerdict } from './audit-row.js';
export { ledgerKey, creditOperations, reversalOperations, earningCommission, type EarningMoney } from './ledger.js';
export {
  assessRisk, riskCounterKeys, usesRiskCounters, NO_RISK_COUNTERS,
  type DayCount, type RiskCounters, type RiskCounterKeys, type RiskVerdict, type RiskInput,
} from './risk.js';
export { userKeyedClick, userKeyedClickId, isVirtualClickId, USER_KEYED_EXPIRES_AT, type UserKeyedClickInput } from './user-keyed.js';
export { eventOfConversion, eventOfApproval, eventOfAdjustment, conversionEventType } from './events/events-of.js';
