/**
 * Records in Redis. A click is a hash of short fields (clickToHash); earnings, operations,
 * ledger entries and audit rows are JSON: money as canonical decimal strings of minor units (exact), times as
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
 * A click as stored: a hash of short fields (the scripts read the few a postback needs with one
 * HMGET and write back only what changed; no JSON is decoded or encoded per postback). The click
 * id is the key's; null fields are not stored; `pr` is `1` once a postback came; `g` is `*` for
 * "any goal" or the JSON list of goal ids. Long texts (the URLs, user agent and referrer) are
 * stored in pieces of at most {@link PIECE_BYTES} bytes (`tu`, `tu1`, `tu2`...), so every field
 * stays small enough for Redis' compact hash encoding (listpack, 64 bytes a value by default).
 */
const CLICK_FIELDS = {
  userId: 'u', productId: 'p', offerId: 'o', ipAddress: 'ip', clickedAt: 'ca', expiresAt: 'ea', status: 'st', conversionId: 'cv',
  postbackReceivedAt: 'pa', visitCount: 'vc', firstVisitAt: 'fv', lastVisitAt: 'lv', createdAt: 'cr', updatedAt: 'ua',
  earnUpTo: 'eu', referrerId: 'rf', commissionPpm: 'cp', holdAbove: 'ha', holdWithinSeconds: 'hw', network: 'n',
  networkTransactionId: 'nt',
} as const;

/** The long texts of a click, stored in pieces. */
const PIECED = { taskUrl: 'tu', redirectUrl: 'ru', postbackUrl: 'pu', userAgent: 'ag', referrer: 'rr' } as const;

/** Bytes (UTF-8) of one stored piece of a long text. */
export const PIECE_BYTES = 60;

/** A text cut into pieces of at most PIECE_BYTES UTF-8 bytes, never inside a character. */
function pieces(text: string): string[] {
  if (text.length <= PIECE_BYTES / 3) return [text];
  const out: string[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    const pair = code >= 0xd800 && code <= 0xdbff && i + 1 < text.length;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + size > PIECE_BYTES) {
      out.push(text.slice(start, i));
      start = i;
      bytes = 0;
    }
    bytes += size;
    if (pair) i += 1;
  }
  out.push(text.slice(start));
  return out;
}

/** The stored hash of a click, as HSET arguments (field, value, field, value...). */
export function clickToHash(c: ClickRecord): string[] {
  const out: string[] = [];
  const put = (field: string, value: string | number | bigint | Date | null) => {
    if (value !== null) out.push(field, value instanceof Date ? String(value.getTime()) : String(value));
  };
  // The fields a postback reads first, in the order it asks for them (prelude-click read_click):
  // a listpack lookup scans from the start. The long texts, in pieces, last.
  put('u', c.userId); put('p', c.productId); put('st', c.status); put('ea', c.expiresAt); put('eu', c.earnUpToMinor);
  put('cv', c.conversionId); put('rf', c.referrerId);
  if (c.commissionPpm !== 0) put('cp', c.commissionPpm);
  put('ha', c.holdAboveMinor); put('hw', c.holdWithinSeconds);
  if (c.goals !== null) put('g', c.goals === true ? '*' : JSON.stringify([...c.goals]));
  put('o', c.offerId); put('ca', c.clickedAt); put('ip', c.ipAddress); put('n', c.network); put('nt', c.networkTransactionId);
  if (c.postbackReceived) put('pr', 1);
  put('pa', c.postbackReceivedAt);
  if (c.visitCount !== 0) put('vc', c.visitCount);
  put('fv', c.firstVisitAt); put('lv', c.lastVisitAt); put('cr', c.createdAt); put('ua', c.updatedAt);
  for (const [name, field] of Object.entries(PIECED)) {
    const value = c[name as keyof typeof PIECED];
    if (value !== null) pieces(value).forEach((piece, i) => out.push(i === 0 ? field : `${field}${i}`, piece));
  }
  return out;
}

/** A flat HGETALL reply (field, value, ...) as an object. */
export function hashOf(flat: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(flat)) return out;
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
  return out;
}

/** A stored click back to its record; null for an empty hash (no such click). */
export function clickFromHash(clickId: string, h: Record<string, string>): ClickRecord | null {
  if (h.u === undefined) return null;
  const f = CLICK_FIELDS;
  const text = (field: string): string | null => h[field] ?? null;
  const time = (field: string): Date | null => (h[field] === undefined ? null : new Date(Number(h[field])));
  const long = (field: string): string | null => {
    if (h[field] === undefined) return null;
    let value = h[field];
    for (let i = 1; h[`${field}${i}`] !== undefined; i += 1) value += h[`${field}${i}`];
    return value;
  };
  return {
    clickId, userId: h[f.userId]!, productId: h[f.productId]!, offerId: text(f.offerId), taskUrl: long(PIECED.taskUrl)!,
    redirectUrl: long(PIECED.redirectUrl)!, postbackUrl: long(PIECED.postbackUrl)!, ipAddress: text(f.ipAddress),
    userAgent: long(PIECED.userAgent), referrer: long(PIECED.referrer), clickedAt: time(f.clickedAt)!, expiresAt: time(f.expiresAt)!,
    status: h[f.status] as ClickRecord['status'], conversionId: text(f.conversionId), postbackReceived: h.pr === '1',
    postbackReceivedAt: time(f.postbackReceivedAt), visitCount: Number(h[f.visitCount] ?? 0), firstVisitAt: time(f.firstVisitAt),
    lastVisitAt: time(f.lastVisitAt), createdAt: time(f.createdAt)!, updatedAt: time(f.updatedAt)!, earnUpToMinor: BigInt(h[f.earnUpTo]!),
    referrerId: text(f.referrerId), commissionPpm: Number(h[f.commissionPpm] ?? 0),
    holdAboveMinor: h[f.holdAbove] === undefined ? null : BigInt(h[f.holdAbove]!),
    holdWithinSeconds: h[f.holdWithinSeconds] === undefined ? null : Number(h[f.holdWithinSeconds]),
    network: text(f.network), networkTransactionId: text(f.networkTransactionId), goals: goalsFrom(h.g),
  };
}

/**
 * A click as the postback script reads a virtual click it may insert (the decision runs on it
 * before it is stored). Null fields are left out: they read as null (the scripts' is_set).
 */
export function clickToJson(c: ClickRecord): StoredJson {
  const json: StoredJson = {
    clickId: c.clickId, userId: c.userId, productId: c.productId, offerId: c.offerId, ipAddress: c.ipAddress,
    clickedAt: ms(c.clickedAt), expiresAt: ms(c.expiresAt), status: c.status, conversionId: c.conversionId,
    postbackReceived: c.postbackReceived, postbackReceivedAt: ms(c.postbackReceivedAt), createdAt: ms(c.createdAt),
    updatedAt: ms(c.updatedAt), earnUpTo: c.earnUpToMinor.toString(), referrerId: c.referrerId, commissionPpm: c.commissionPpm,
    holdAbove: c.holdAboveMinor === null ? null : c.holdAboveMinor.toString(), holdWithinSeconds: c.holdWithinSeconds,
    network: c.network, networkTransactionId: c.networkTransactionId, goals: c.goals === null ? null : c.goals === true ? true : [...c.goals],
  };
  for (const key of Object.keys(json)) if (json[key] === null) delete json[key];
  return json;
}

/** Stored goals: `*` (any goal), the JSON list of goal ids, or absent (one conversion per click). */
function goalsFrom(v: string | undefined): ClickRecord['goals'] {
  if (v === undefined) return null;
  if (v === '*') return true;
  const list = JSON.parse(v) as unknown;
  return Array.isArray(list) && list.length > 0 ? list.map(String) : null;
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
