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
  // Every conversion of this product waits for an admin's review (the dashboard's hold queue).
  'demo-review-product': { productId: 'demo-review-product', earnUpTo: '100.00', active: true, hold: 'always' },
};

/** Bearer tokens of the demo operators (the admin routes and the dashboard). */
export const DEMO_ADMIN_TOKENS: Readonly<Record<string, string>> = { 'demo-admin-token': 'demo-admin' };

export const DEMO_REFERRAL_COMMISSION = '10%';

/**
 * The admin of an `Authorization: Bearer <token>` header (the example's `authorizeAdmin`): the
 * admin id, `false` for a demo user's token (a user, not an admin: 403), `null` otherwise (401).
 */
export function adminFromAuthorization(header: string | string[] | undefined): string | false | null {
  const value = Array.isArray(header) ? header[0] : header;
  const token = /^Bearer\s+(\S+)$/i.exec(value ?? '')?.[1];
  if (!token) return null;
  return DEMO_ADMIN_TOKENS[token] ?? (DEMO_TOKENS[token] ? false : null);
}

/** The user of an `Authorization: Bearer <token>` header, or null. */
export function userFromAuthorization(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer\s+(\S+)$/i.exec(value ?? '');
  return match ? (DEMO_TOKENS[match[1]!] ?? null) : null;
}
