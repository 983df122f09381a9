/**
 * Stored records turned into JSON-safe views: money as decimal strings, times as ISO text.
 * @module
 */
import { formatAmount } from './money.js';
import type { ClickRecord, EarningRecord, PostbackAttempt } from './records.js';
import type { ClickView, EarningView, PostbackAttemptView } from './schemas.js';

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** The click as its owner sees it. */
export function toClickView(click: ClickRecord, scale: number): ClickView {
  return {
    clickId: click.clickId,
    userId: click.userId,
    productId: click.productId,
    offerId: click.offerId,
    taskUrl: click.taskUrl,
    redirectUrl: click.redirectUrl,
    trackingUrl: click.postbackUrl,
    ipAddress: click.ipAddress,
    userAgent: click.userAgent,
    referrer: click.referrer,
    clickedAt: click.clickedAt.toISOString(),
    expiresAt: click.expiresAt.toISOString(),
    status: click.status,
    conversionId: click.conversionId,
    postbackReceived: click.postbackReceived,
    postbackReceivedAt: iso(click.postbackReceivedAt),
    visitCount: click.visitCount,
    firstVisitAt: iso(click.firstVisitAt),
    lastVisitAt: iso(click.lastVisitAt),
    earnUpTo: formatAmount(click.earnUpToMinor, scale),
    createdAt: click.createdAt.toISOString(),
    updatedAt: click.updatedAt.toISOString(),
  };
}

/** An earning as the API returns it. */
export function toEarningView(earning: EarningRecord, scale: number): EarningView {
  return {
    earningId: earning.earningId,
    userId: earning.userId,
    productId: earning.productId,
    offerId: earning.offerId,
    clickId: earning.clickId,
    conversionId: earning.conversionId,
    transactionId: earning.transactionId,
    amount: formatAmount(earning.amountMinor, scale),
    status: earning.status,
    approvalStatus: earning.approvalStatus,
    type: earning.type,
    credited: earning.credited,
    creditedAt: iso(earning.creditedAt),
    cancelledAt: iso(earning.cancelledAt),
    cancelReason: earning.cancelReason,
    referrerId: earning.referrerId,
    commission: formatAmount(earning.commissionMinor, scale),
    postbackReceived: earning.postbackReceived,
    postbackReceivedAt: earning.postbackReceivedAt.toISOString(),
    earnedAt: earning.earnedAt.toISOString(),
    createdAt: earning.createdAt.toISOString(),
    updatedAt: earning.updatedAt.toISOString(),
  };
}

/** A postback audit row as support sees it. */
export function toPostbackAttemptView(attempt: PostbackAttempt): PostbackAttemptView {
  return { ...attempt, receivedAt: attempt.receivedAt.toISOString(), rule: attempt.rule ?? null };
}
