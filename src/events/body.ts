/**
 * The public form of an event: `{ id, type, createdAt, data }` with money as decimal strings,
 * the same body in-process (`onEvent`) and in a webhook.
 * @module
 */
import { formatAmount } from '../money.js';
import type { EventType, StoredEvent } from './types.js';

/** The data of an event body (money as decimal strings in the tracker's scale). */
export interface EventBodyData {
  userId: string;
  /** The step's decision (`credited`, `netted`, `pre_reversed`, `cancelled`, `approved`, `adjusted`...). */
  change: string;
  earningId: string | null;
  clickId: string | null;
  conversionId: string | null;
  productId: string | null;
  status: string | null;
  approvalStatus: string | null;
  amount: string;
  /** Signed movement of the user's wallet by this change (`"0.00"` when none). */
  walletDelta: string;
  currency: string;
  referrerId: string | null;
  /** Signed movement of the referrer's wallet by this change. */
  commissionDelta: string;
  /** Adjustments only. */
  ledgerKey: string | null;
  reason: string | null;
}

/** An event as hosts receive it. */
export interface EventBody {
  id: string;
  type: EventType;
  /** ISO 8601 time of the change. */
  createdAt: string;
  data: EventBodyData;
}

/** Renders a stored event as its public body. */
export function eventBody(event: StoredEvent, scale: number, currency: string): EventBody {
  const d = event.data;
  return {
    id: event.id,
    type: event.type,
    createdAt: event.createdAt.toISOString(),
    data: {
      userId: event.userId,
      change: d.change,
      earningId: d.earningId,
      clickId: d.clickId,
      conversionId: d.conversionId,
      productId: d.productId,
      status: d.status,
      approvalStatus: d.approvalStatus,
      amount: formatAmount(d.amountMinor, scale),
      walletDelta: formatAmount(d.walletDeltaMinor, scale),
      currency,
      referrerId: d.referrerId,
      commissionDelta: formatAmount(d.commissionDeltaMinor, scale),
      ledgerKey: d.ledgerKey,
      reason: d.reason,
    },
  };
}
