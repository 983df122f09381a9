/**
 * Approval holds per product as well as globally. The click snapshots the effective terms when
 * it is created (`holdAboveMinor`, `holdWithinSeconds`), so the store's conversion step needs no
 * catalog read and a later catalog change never alters a click already handed out.
 * @module
 */
import { parseAmount, type MoneyOptions } from '../money.js';
import type { ClickTerms } from '../records.js';

/**
 * A product's hold policy: `'always'` holds every conversion for an admin's review; the object
 * form holds above an amount and/or when the conversion comes sooner than `withinSecondsOfClick`
 * after the click. It adds to the tracker's global `approvalHold`: the stricter of both applies.
 */
export type ProductHold = 'always' | { aboveAmount?: string | number; withinSecondsOfClick?: number };

/**
 * `holdAboveMinor` of a click that holds every conversion. Amounts are never negative, so
 * "above -1" is every amount, zero included, and each store's existing comparison applies it.
 */
export const HOLD_EVERY_CONVERSION = -1n;

/** The hold terms a new click snapshots: the global policy tightened by the product's. */
export function clickHoldTerms(
  global: { holdAboveMinor: bigint | null; holdWithinSeconds: number | null },
  hold: ProductHold | undefined,
  money: MoneyOptions,
): Pick<ClickTerms, 'holdAboveMinor' | 'holdWithinSeconds'> {
  if (hold === undefined) return { holdAboveMinor: global.holdAboveMinor, holdWithinSeconds: global.holdWithinSeconds };
  if (hold === 'always') return { holdAboveMinor: HOLD_EVERY_CONVERSION, holdWithinSeconds: global.holdWithinSeconds };
  const above = hold.aboveAmount === undefined ? null : parseAmount(hold.aboveAmount, money, 'product.hold.aboveAmount');
  const within = hold.withinSecondsOfClick ?? null;
  if (within !== null && !(Number.isInteger(within) && within > 0)) {
    throw new TypeError('clickcredit: product.hold.withinSecondsOfClick must be a positive integer');
  }
  return {
    holdAboveMinor: minOf(global.holdAboveMinor, above),
    holdWithinSeconds: global.holdWithinSeconds === null ? within : within === null ? global.holdWithinSeconds : Math.max(global.holdWithinSeconds, within),
  };
}

function minOf(a: bigint | null, b: bigint | null): bigint | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}
