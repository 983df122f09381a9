/**
 * The demo data of the contract: two users with tokens, one product, a 10% referral commission.
 */
import type { Product } from 'clickcredit';

/** Bearer tokens of the demo users. */
export const DEMO_TOKENS: Readonly<Record<string, string>> = {
  'demo-token': 'demo-user',
  'demo-friend-token': 'demo-friend',
};

/** demo-friend was referred by demo-user. */
export const DEMO_REFERRERS: Readonly<Record<string, string>> = { 'demo-friend': 'demo-user' };

export const DEMO_PRODUCTS: Readonly<Record<string, Product>> = {
  'demo-product': { productId: 'demo-product', earnUpTo: '50.00', active: true },
};

export const DEMO_REFERRAL_COMMISSION = '10%';

/** The user of an `Authorization: Bearer <token>` header, or null. */
export function userFromAuthorization(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer\s+(\S+)$/i.exec(value ?? '');
  return match ? (DEMO_TOKENS[match[1]!] ?? null) : null;
}
