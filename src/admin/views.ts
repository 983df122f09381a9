/**
 * Admin views: stored records as operators see them (money as decimal strings, ISO times).
 * @module
 */
import { formatAmount } from '../money.js';
import type { ClickRecord } from '../records.js';
import { toClickView } from '../views.js';
import type { AdminClickView, StatsRowView } from './schemas.js';
import type { StatsRow } from './types.js';

/** A click with the fields only operators see (network, referrer, hold terms). */
export function toAdminClickView(click: ClickRecord, scale: number): AdminClickView {
  return {
    ...toClickView(click, scale),
    network: click.network ?? null,
    referrerId: click.referrerId,
    // "Hold every conversion" is stored as a threshold below every amount (see HOLD_EVERY_CONVERSION).
    holdEveryConversion: click.holdAboveMinor !== null && click.holdAboveMinor < 0n,
    holdAbove: click.holdAboveMinor === null || click.holdAboveMinor < 0n ? null : formatAmount(click.holdAboveMinor, scale),
    holdWithinSeconds: click.holdWithinSeconds,
  };
}

/** A statistics row with money as decimal strings. */
export function toStatsRowView(row: StatsRow, scale: number): StatsRowView {
  return {
    bucketStart: row.bucketStart.toISOString(),
    network: row.network,
    productId: row.productId,
    clicks: row.clicks,
    conversions: row.conversions,
    creditedAmount: formatAmount(row.creditedMinor, scale),
    reversedAmount: formatAmount(row.reversedMinor, scale),
    held: row.held,
    refused: { ...row.refused } as Record<string, number>,
  };
}
