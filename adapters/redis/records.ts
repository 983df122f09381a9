/**
 * Records as JSON in Redis: money as canonical decimal strings of minor units (exact), times as
 * epoch milliseconds (13 digits, well inside the 14 significant digits cjson writes), and the
 * advertiser's raw postback data as JSON text inside a string (cjson never re-encodes it, so
 * numbers past 14 digits, empty arrays and lone surrogates come back exactly as received).
 * @module
 */
import type { ClickRecord, EarningRecord, LedgerEntry, PostbackAttempt, WalletOperation } from 'clickcredit';

/** A decoded JSON object as Lua wrote it. */
export type StoredJson = Record<string, any>;

const ms = (d: Date | null): number | null => (d === null ? null : d.getTime());
const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(Number(v)));
const required = (v: unknown): Date => new Date(Number(v));
const big = (v: unknown): bigint => BigInt(String(v));
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** Raw data as stored: JSON text (a string), parsed back to the object it was. */
function rawDataFrom(v: unknown): Record<string, unknown> | null {
  if (typeof v !== 'string') return null;
  const parsed: unknown = JSON.parse(v);
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
}

/**
 * A click as the scripts read it. Null fields are not written (records written before, with
 * nulls, read the same), so an ordinary click (no network, one conversion) stores only its values.
 */
export function clickToJson(c: ClickRecord): StoredJson {
  const json = clickCoreToJson(c);
  // An absent field reads as null everywhere (clickFromJson, the scripts' is_set), so nulls are
  // not stored: fewer bytes per click and less for cjson to decode and encode on every postback.
  for (const key of Object.keys(json)) if (json[key] === null) delete json[key];
  if (c.network !== null) json.network = c.network;
  if (c.networkTransactionId !== null) json.networkTransactionId = c.networkTransactionId;
  if (c.goals !== null) json.goals = c.goals === true ? true : [...c.goals];
  return json;
}

function clickCoreToJson(c: ClickRecord): StoredJson {
  return {
    clickId: c.clickId, userId: c.userId, productId: c.productId, offerId: c.offerId, taskUrl: c.taskUrl,
    redirectUrl: c.redirectUrl, postbackUrl: c.postbackUrl, ipAddress: c.ipAddress, userAgent: c.userAgent,
    referrer: c.referrer, clickedAt: ms(c.clickedAt), expiresAt: ms(c.expiresAt), status: c.status,
    conversionId: c.conversionId, postbackReceived: c.postbackReceived, postbackReceivedAt: ms(c.postbackReceivedAt),
    visitCount: c.visitCount, firstVisitAt: ms(c.firstVisitAt), lastVisitAt: ms(c.lastVisitAt),
    createdAt: ms(c.createdAt), updatedAt: ms(c.updatedAt), earnUpTo: c.earnUpToMinor.toString(),
    referrerId: c.referrerId, commissionPpm: c.commissionPpm,
    holdAbove: c.holdAboveMinor === null ? null : c.holdAboveMinor.toString(), holdWithinSeconds: c.holdWithinSeconds,
  };
}

/** A stored click back to its record. */
export function clickFromJson(j: StoredJson): ClickRecord {
  return {
    clickId: j.clickId, userId: j.userId, productId: j.productId, offerId: text(j.offerId), taskUrl: j.taskUrl,
    redirectUrl: j.redirectUrl, postbackUrl: j.postbackUrl, ipAddress: text(j.ipAddress), userAgent: text(j.userAgent),
    referrer: text(j.referrer), clickedAt: required(j.clickedAt), expiresAt: required(j.expiresAt), status: j.status,
    conversionId: text(j.conversionId), postbackReceived: Boolean(j.postbackReceived), postbackReceivedAt: date(j.postbackReceivedAt),
    visitCount: Number(j.visitCount), firstVisitAt: date(j.firstVisitAt), lastVisitAt: date(j.lastVisitAt),
    createdAt: required(j.createdAt), updatedAt: required(j.updatedAt), earnUpToMinor: big(j.earnUpTo),
    referrerId: text(j.referrerId), commissionPpm: Number(j.commissionPpm),
    holdAboveMinor: j.holdAbove === null || j.holdAbove === undefined ? null : big(j.holdAbove),
    holdWithinSeconds: j.holdWithinSeconds === null || j.holdWithinSeconds === undefined ? null : Number(j.holdWithinSeconds),
    network: text(j.network), networkTransactionId: text(j.networkTransactionId), goals: goalsFrom(j.goals),
  };
}

/** Stored goals: `true`, a list of goal ids, or absent (one conversion per click). */
function goalsFrom(v: unknown): ClickRecord['goals'] {
  if (v === true) return true;
  // cjson writes an empty Lua table as `{}`; a stored list is never empty (clickGoalsOf), but be exact.
  if (Array.isArray(v)) return v.length === 0 ? null : v.map(String);
  return null;
}

/** A stored earning back to its record. */
export function earningFromJson(j: StoredJson): EarningRecord {
  return {
    earningId: j.earningId, userId: j.userId, productId: j.productId, offerId: text(j.offerId), clickId: j.clickId,
    conversionId: j.conversionId, transactionId: text(j.transactionId), amountMinor: big(j.amount), status: j.status,
    approvalStatus: j.approvalStatus, type: j.type, credited: Boolean(j.credited), creditedAt: date(j.creditedAt),
    cancelledAt: date(j.cancelledAt), cancelReason: j.cancelReason ?? null, reversedBeforeCredit: Boolean(j.reversedBeforeCredit),
    referrerId: text(j.referrerId), commissionMinor: big(j.commission), lastPostbackStatus: j.lastPostbackStatus,
    postbackReceived: Boolean(j.postbackReceived), postbackReceivedAt: required(j.postbackReceivedAt),
    postbackData: rawDataFrom(j.postbackData), earnedAt: required(j.earnedAt), createdAt: required(j.createdAt),
    updatedAt: required(j.updatedAt),
  };
}

/** A wallet operation as the scripts read it. */
export function operationToJson(op: WalletOperation): StoredJson {
  return {
    key: op.key, userId: op.userId, kind: op.kind, amount: op.amountMinor.toString(), earningId: op.earningId,
    reversesKey: op.reversesKey, reason: op.reason, createdAt: op.createdAt.getTime(),
  };
}

/** A stored (owed) operation back to its record. */
export function operationFromJson(j: StoredJson): WalletOperation {
  return {
    key: j.key, userId: j.userId, kind: j.kind, amountMinor: big(j.amount), earningId: text(j.earningId),
    reversesKey: text(j.reversesKey), reason: text(j.reason), createdAt: required(j.createdAt),
  };
}

/** A stored ledger entry back to its record. */
export function ledgerEntryFromJson(j: StoredJson): LedgerEntry {
  return { ...operationFromJson(j), entryId: String(j.entryId) };
}

/** A postback audit row as stored (raw data as JSON text). */
export function attemptToJson(a: PostbackAttempt): StoredJson {
  return {
    attemptId: a.attemptId, clickId: a.clickId, conversionId: a.conversionId, postbackStatus: a.postbackStatus,
    amount: a.amount, sourceIp: a.sourceIp, rawData: JSON.stringify(a.rawData), decision: a.decision,
    earningId: a.earningId, message: a.message, receivedAt: a.receivedAt.getTime(),
    // Only risk decisions carry a rule: the others store no field for it.
    ...(a.rule ? { rule: a.rule } : {}),
  };
}

/** A stored audit row back to its record. */
export function attemptFromJson(j: StoredJson): PostbackAttempt {
  return {
    attemptId: j.attemptId, clickId: text(j.clickId), conversionId: text(j.conversionId), postbackStatus: text(j.postbackStatus),
    amount: text(j.amount), sourceIp: text(j.sourceIp), rawData: rawDataFrom(j.rawData) ?? {}, decision: j.decision,
    earningId: text(j.earningId), message: text(j.message), receivedAt: required(j.receivedAt),
    rule: (text(j.rule) as PostbackAttempt['rule']) ?? null,
  };
}
