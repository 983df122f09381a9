/**
 * Records as JSON in Redis: money as decimal strings of minor units (exact), times as epoch ms.
 * @module
 */
import type { ClickRecord, EarningRecord, LedgerEntry, PostbackAttempt, WalletOperation } from 'clickcredit';

type Json = Record<string, any>;

const ms = (d: Date | null): number | null => (d === null ? null : d.getTime());
const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(Number(v)));
const big = (v: unknown): bigint => BigInt(String(v));

export function clickToJson(c: ClickRecord): Json {
  return {
    ...c,
    clickedAt: ms(c.clickedAt), expiresAt: ms(c.expiresAt), postbackReceivedAt: ms(c.postbackReceivedAt),
    firstVisitAt: ms(c.firstVisitAt), lastVisitAt: ms(c.lastVisitAt), createdAt: ms(c.createdAt), updatedAt: ms(c.updatedAt),
    earnUpToMinor: undefined, holdAboveMinor: undefined,
    earnUpTo: c.earnUpToMinor.toString(), holdAbove: c.holdAboveMinor === null ? null : c.holdAboveMinor.toString(),
  };
}

export function clickFromJson(j: Json): ClickRecord {
  return {
    clickId: j.clickId, userId: j.userId, productId: j.productId, offerId: j.offerId ?? null, taskUrl: j.taskUrl,
    redirectUrl: j.redirectUrl, postbackUrl: j.postbackUrl, ipAddress: j.ipAddress ?? null, userAgent: j.userAgent ?? null,
    referrer: j.referrer ?? null, clickedAt: date(j.clickedAt)!, expiresAt: date(j.expiresAt)!, status: j.status,
    conversionId: j.conversionId ?? null, postbackReceived: Boolean(j.postbackReceived), postbackReceivedAt: date(j.postbackReceivedAt),
    visitCount: Number(j.visitCount), firstVisitAt: date(j.firstVisitAt), lastVisitAt: date(j.lastVisitAt),
    createdAt: date(j.createdAt)!, updatedAt: date(j.updatedAt)!, earnUpToMinor: big(j.earnUpTo), referrerId: j.referrerId ?? null,
    commissionPpm: Number(j.commissionPpm), holdAboveMinor: j.holdAbove === null || j.holdAbove === undefined ? null : big(j.holdAbove),
    holdWithinSeconds: j.holdWithinSeconds ?? null,
  };
}

export function earningFromJson(j: Json): EarningRecord {
  return {
    earningId: j.earningId, userId: j.userId, productId: j.productId, offerId: j.offerId ?? null, clickId: j.clickId,
    conversionId: j.conversionId, transactionId: j.transactionId ?? null, amountMinor: big(j.amount), status: j.status,
    approvalStatus: j.approvalStatus, type: j.type, credited: Boolean(j.credited), creditedAt: date(j.creditedAt),
    cancelledAt: date(j.cancelledAt), cancelReason: j.cancelReason ?? null, reversedBeforeCredit: Boolean(j.reversedBeforeCredit),
    referrerId: j.referrerId ?? null, commissionMinor: big(j.commission), lastPostbackStatus: j.lastPostbackStatus,
    postbackReceived: Boolean(j.postbackReceived), postbackReceivedAt: date(j.postbackReceivedAt)!,
    postbackData: j.postbackData && typeof j.postbackData === 'object' ? j.postbackData : null,
    earnedAt: date(j.earnedAt)!, createdAt: date(j.createdAt)!, updatedAt: date(j.updatedAt)!,
  };
}

export function operationToJson(op: WalletOperation): Json {
  return { ...op, amountMinor: undefined, amount: op.amountMinor.toString(), createdAt: op.createdAt.getTime() };
}

export function operationFromJson(j: Json): WalletOperation {
  return {
    key: j.key, userId: j.userId, kind: j.kind, amountMinor: big(j.amount), earningId: j.earningId ?? null,
    reversesKey: j.reversesKey ?? null, reason: j.reason ?? null, createdAt: date(j.createdAt)!,
  };
}

export function ledgerEntryFromJson(j: Json): LedgerEntry {
  return { ...operationFromJson(j), entryId: String(j.entryId) };
}

export function attemptFromJson(j: Json): PostbackAttempt {
  return {
    attemptId: j.attemptId, clickId: j.clickId ?? null, conversionId: j.conversionId ?? null, postbackStatus: j.postbackStatus ?? null,
    amount: j.amount ?? null, sourceIp: j.sourceIp ?? null, rawData: typeof j.rawData === 'object' && j.rawData ? j.rawData : {},
    decision: j.decision, earningId: j.earningId ?? null, message: j.message ?? null, receivedAt: date(j.receivedAt)!,
  };
}

export function attemptToJson(a: PostbackAttempt): Json {
  return { ...a, receivedAt: a.receivedAt.getTime() };
}
