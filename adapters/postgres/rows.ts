/**
 * Rows and JSON from the database turned into records. Money arrives as text and becomes
 * bigint directly; it never passes through a JavaScript number.
 * @module
 */
import type { ClickRecord, EarningRecord, LedgerEntry, PostbackAttempt, RiskPolicy, WalletOperation } from 'clickcredit';

type Row = Record<string, unknown>;

const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));
const text = (v: unknown): string => String(v);
const textOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const money = (v: unknown): bigint => BigInt(String(v));
const moneyOrNull = (v: unknown): bigint | null => (v === null || v === undefined ? null : BigInt(String(v)));
const json = (v: unknown): Record<string, unknown> => (typeof v === 'string' ? JSON.parse(v) : (v as Record<string, unknown>));

/** Columns of a click, money cast to text. */
export const CLICK_COLUMNS = `click_id, user_id, product_id, offer_id, task_url, redirect_url, postback_url, ip_address,
  user_agent, referrer, clicked_at, expires_at, status, conversion_id, postback_received, postback_received_at,
  visit_count, first_visit_at, last_visit_at, created_at, updated_at, earn_up_to::text AS earn_up_to, referrer_id,
  commission_ppm, hold_above::text AS hold_above, hold_within_seconds, network, network_transaction_id, goals`;

/** Columns of a wallet operation (ledger entry or outbox row), money cast to text. */
export const OPERATION_COLUMNS = `user_id, kind, amount::text AS amount, earning_id, reverses_key, reason, created_at`;

/** A click from a row selected with {@link CLICK_COLUMNS}. */
export function toClick(row: Row): ClickRecord {
  return {
    clickId: text(row.click_id),
    userId: text(row.user_id),
    productId: text(row.product_id),
    offerId: textOrNull(row.offer_id),
    taskUrl: text(row.task_url),
    redirectUrl: text(row.redirect_url),
    postbackUrl: text(row.postback_url),
    ipAddress: textOrNull(row.ip_address),
    userAgent: textOrNull(row.user_agent),
    referrer: textOrNull(row.referrer),
    clickedAt: date(row.clicked_at),
    expiresAt: date(row.expires_at),
    status: text(row.status) as ClickRecord['status'],
    conversionId: textOrNull(row.conversion_id),
    postbackReceived: Boolean(row.postback_received),
    postbackReceivedAt: dateOrNull(row.postback_received_at),
    visitCount: Number(row.visit_count),
    firstVisitAt: dateOrNull(row.first_visit_at),
    lastVisitAt: dateOrNull(row.last_visit_at),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
    earnUpToMinor: money(row.earn_up_to),
    referrerId: textOrNull(row.referrer_id),
    commissionPpm: Number(row.commission_ppm),
    holdAboveMinor: moneyOrNull(row.hold_above),
    holdWithinSeconds: row.hold_within_seconds === null || row.hold_within_seconds === undefined ? null : Number(row.hold_within_seconds),
    network: textOrNull(row.network),
    networkTransactionId: textOrNull(row.network_transaction_id),
    goals: goalsOf(row.goals),
  };
}

/** The goals column (jsonb: `true`, an array of goal ids, or NULL), as drivers hand it over. */
function goalsOf(value: unknown): ClickRecord['goals'] {
  const goals = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  if (goals === true) return true;
  return Array.isArray(goals) ? goals.map(String) : null;
}

/** Columns of a click insert, in the order of {@link clickValues}. */
export const CLICK_INSERT_COLUMNS = `click_id, user_id, product_id, offer_id, task_url, redirect_url, postback_url, ip_address,
  user_agent, referrer, clicked_at, expires_at, status, conversion_id, postback_received, postback_received_at,
  visit_count, first_visit_at, last_visit_at, created_at, updated_at, earn_up_to, referrer_id, commission_ppm,
  hold_above, hold_within_seconds, network, network_transaction_id, goals`;

/** The click's values in the order of {@link CLICK_INSERT_COLUMNS}. */
export function clickValues(c: ClickRecord): unknown[] {
  return [
    c.clickId, c.userId, c.productId, c.offerId, c.taskUrl, c.redirectUrl, c.postbackUrl, c.ipAddress, c.userAgent,
    c.referrer, c.clickedAt.toISOString(), c.expiresAt.toISOString(), c.status, c.conversionId, c.postbackReceived,
    c.postbackReceivedAt?.toISOString() ?? null, c.visitCount, c.firstVisitAt?.toISOString() ?? null,
    c.lastVisitAt?.toISOString() ?? null, c.createdAt.toISOString(), c.updatedAt.toISOString(),
    c.earnUpToMinor.toString(), c.referrerId, c.commissionPpm, c.holdAboveMinor?.toString() ?? null, c.holdWithinSeconds,
    c.network, c.networkTransactionId, c.goals === null ? null : JSON.stringify(c.goals),
  ];
}

/**
 * A click as the JSON `apply_conversion` turns into a row (`jsonb_populate_record`): keys are the
 * column names, money is text, times are ISO strings.
 */
export function clickJson(c: ClickRecord): Record<string, unknown> {
  return {
    click_id: c.clickId, user_id: c.userId, product_id: c.productId, offer_id: c.offerId, task_url: c.taskUrl,
    redirect_url: c.redirectUrl, postback_url: c.postbackUrl, ip_address: c.ipAddress, user_agent: c.userAgent,
    referrer: c.referrer, clicked_at: c.clickedAt.toISOString(), expires_at: c.expiresAt.toISOString(), status: c.status,
    conversion_id: c.conversionId, postback_received: c.postbackReceived,
    postback_received_at: c.postbackReceivedAt?.toISOString() ?? null, visit_count: c.visitCount,
    first_visit_at: c.firstVisitAt?.toISOString() ?? null, last_visit_at: c.lastVisitAt?.toISOString() ?? null,
    created_at: c.createdAt.toISOString(), updated_at: c.updatedAt.toISOString(), earn_up_to: c.earnUpToMinor.toString(),
    referrer_id: c.referrerId, commission_ppm: c.commissionPpm, hold_above: c.holdAboveMinor?.toString() ?? null,
    hold_within_seconds: c.holdWithinSeconds, network: c.network, network_transaction_id: c.networkTransactionId,
    goals: c.goals,
  };
}

/** A risk policy as the JSON `risk_verdict` reads (cap amounts as text). */
export function riskJson(policy: RiskPolicy): Record<string, unknown> {
  const cap = (value: RiskPolicy['perUserDailyCap']) =>
    value === null ? null : { count: value.count, amountMinor: value.amountMinor?.toString() ?? null };
  return { ...policy, perUserDailyCap: cap(policy.perUserDailyCap), perIpDailyCap: cap(policy.perIpDailyCap) };
}

/** An earning from the JSON the functions (and `earning_json`) produce. */
export function toEarning(value: unknown): EarningRecord {
  const e = json(value);
  return {
    earningId: text(e.earning_id),
    userId: text(e.user_id),
    productId: text(e.product_id),
    offerId: textOrNull(e.offer_id),
    clickId: text(e.click_id),
    conversionId: text(e.conversion_id),
    transactionId: textOrNull(e.transaction_id),
    amountMinor: money(e.amount),
    status: text(e.status) as EarningRecord['status'],
    approvalStatus: text(e.approval_status) as EarningRecord['approvalStatus'],
    type: text(e.type),
    credited: Boolean(e.credited),
    creditedAt: dateOrNull(e.credited_at),
    cancelledAt: dateOrNull(e.cancelled_at),
    cancelReason: textOrNull(e.cancel_reason) as EarningRecord['cancelReason'],
    reversedBeforeCredit: Boolean(e.reversed_before_credit),
    referrerId: textOrNull(e.referrer_id),
    commissionMinor: money(e.commission),
    lastPostbackStatus: text(e.last_postback_status),
    postbackReceived: Boolean(e.postback_received),
    postbackReceivedAt: date(e.postback_received_at),
    postbackData: (e.postback_data as Record<string, unknown> | null) ?? null,
    earnedAt: date(e.earned_at),
    createdAt: date(e.created_at),
    updatedAt: date(e.updated_at),
  };
}

/** A wallet operation from a row or from the functions' JSON (`key` or `op_key`/`idempotency_key`). */
export function toOperation(row: Row): WalletOperation {
  return {
    key: text(row.key ?? row.op_key ?? row.idempotency_key),
    userId: text(row.user_id),
    kind: text(row.kind) as WalletOperation['kind'],
    amountMinor: money(row.amount),
    earningId: textOrNull(row.earning_id),
    reversesKey: textOrNull(row.reverses_key),
    reason: textOrNull(row.reason),
    createdAt: date(row.created_at),
  };
}

/** A ledger entry from a row (operation columns plus `entry_id`). */
export function toLedgerEntry(row: Row): LedgerEntry {
  return { ...toOperation(row), entryId: text(row.entry_id) };
}

/** An audit row of a postback attempt. */
export function toAttempt(row: Row): PostbackAttempt {
  return {
    attemptId: text(row.attempt_id),
    clickId: textOrNull(row.click_id),
    conversionId: textOrNull(row.conversion_id),
    postbackStatus: textOrNull(row.postback_status),
    amount: textOrNull(row.amount),
    sourceIp: textOrNull(row.source_ip),
    rawData: json(row.raw_data),
    decision: text(row.decision) as PostbackAttempt['decision'],
    earningId: textOrNull(row.earning_id),
    message: textOrNull(row.message),
    receivedAt: date(row.received_at),
    rule: textOrNull(row.rule) as PostbackAttempt['rule'],
  };
}
