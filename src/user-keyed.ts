/**
 * User-keyed conversions (offerwalls): the callback names a user and the network's transaction,
 * not a click of ours. They reuse the whole click state machine through a virtual click whose id
 * is derived from (network, transaction id), which the conversion step inserts itself when it is
 * absent (`ConversionCommand.clickIfAbsent`). Idempotency by (network, transaction id) is then the
 * click's primary key, plus a unique constraint on the pair where the store has constraints.
 * @module
 */
import { hash } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import type { ClickRecord } from './records.js';

/** The fixed namespace of virtual click ids (never change it: stored ids depend on it). */
export const USER_KEYED_NAMESPACE = '5f1c8a52-7d0e-4b8e-9a3c-2f6d1e4b7a90';

/** Far enough that a user-keyed conversion never expires, and representable in every store. */
export const USER_KEYED_EXPIRES_AT = new Date('9999-12-31T23:59:59.000Z');

/**
 * The click id of a user-keyed conversion: UUID v5 over `"<network>\u0000<transactionId>"` in
 * {@link USER_KEYED_NAMESPACE}. Deterministic, so the credit, its replays and a reversal (even one
 * that comes first) all land on the same click.
 */
export function userKeyedClickId(network: string, transactionId: string): string {
  const name = `${network}\u0000${transactionId}`;
  // A lone surrogate has no UTF-8 form: the uuid package refuses it (URIError), and so does this.
  if (LONE_SURROGATE.test(name)) return uuidv5(name, USER_KEYED_NAMESPACE);
  return uuidV5(NAMESPACE_BYTES, name);
}

const LONE_SURROGATE = /\p{Cs}/u;
const VARIANT_DIGITS = ['8', '9', 'a', 'b'] as const;

/** {@link USER_KEYED_NAMESPACE} as its 16 bytes. */
const NAMESPACE_BYTES = Buffer.from(USER_KEYED_NAMESPACE.replace(/-/g, ''), 'hex');

/**
 * RFC 9562 UUID v5 of a well-formed `name` (its UTF-8 bytes) in a namespace: what the uuid
 * package's `v5` answers, with one one-shot SHA-1 of node:crypto, written
 * as one flat string (the id is kept by every store).
 */
function uuidV5(namespace: Buffer, name: string): string {
  const bytes = Buffer.allocUnsafe(16 + Buffer.byteLength(name, 'utf8'));
  namespace.copy(bytes, 0);
  bytes.write(name, 16, 'utf8');
  // Hex output (the 'buffer' output takes a slow path in Node 20's one-shot hash).
  const hex = hash('sha1', bytes, 'hex');
  // Version 5 in the 13th digit, the RFC 4122 variant (10xx) in the 17th.
  const variant = VARIANT_DIGITS[Number.parseInt(hex[16]!, 16) & 0x3]!;
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  id.charCodeAt(0);
  return id;
}

/**
 * True for the id of a virtual click (UUID v5). Clicks the tracker issues are UUID v4, so a
 * postback that names a v5 id on the generic or a click-keyed route is aimed at a network's
 * user-keyed conversion, which only that network's route may move.
 */
export function isVirtualClickId(clickId: string): boolean {
  // Only a 36-character text with the version digit 5 can match: most postbacks stop there.
  return clickId.length === 36 && clickId.charCodeAt(14) === 0x35 && VIRTUAL_CLICK_ID.test(clickId);
}

const VIRTUAL_CLICK_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** The product id of a network's user-keyed conversions unless the network names one. */
export function networkProductId(network: string): string {
  return `network:${network}`;
}

/** What the core knows at callback time to build a virtual click. */
export interface UserKeyedClickInput {
  network: string;
  /** The network's transaction id (the idempotency key with `network`). */
  transactionId: string;
  /** The user the network named (after the host's mapping hook, if any). */
  userId: string;
  /** Default `network:<network>`. */
  productId?: string;
  offerId: string | null;
  /** The network's maximum per conversion: the cap of the earning. */
  earnUpToMinor: bigint;
  /** The user's referrer resolved now, or `null`. */
  referrerId: string | null;
  /** Commission rate in ppm (0 without a referrer). */
  commissionPpm: number;
  /** Hold above this amount (the tracker's `approvalHold.aboveAmount`). */
  holdAboveMinor: bigint | null;
  /** The user's IP when the network forwards it (also the per-IP cap's subject). */
  ipAddress: string | null;
  now: Date;
}

/**
 * The virtual click of a user-keyed conversion: pending, never expiring, one conversion, empty
 * URLs, `clickedAt` = now. `holdWithinSeconds` is always `null`: the click is created by the
 * conversion itself, so "converted within N seconds of the click" would hold every one.
 */
export function userKeyedClick(input: UserKeyedClickInput): ClickRecord {
  const { now } = input;
  return {
    clickId: userKeyedClickId(input.network, input.transactionId),
    userId: input.userId,
    productId: input.productId ?? networkProductId(input.network),
    offerId: input.offerId,
    taskUrl: '',
    redirectUrl: '',
    postbackUrl: '',
    ipAddress: input.ipAddress,
    userAgent: null,
    referrer: null,
    clickedAt: now,
    expiresAt: USER_KEYED_EXPIRES_AT,
    status: 'pending',
    conversionId: null,
    postbackReceived: false,
    postbackReceivedAt: null,
    visitCount: 0,
    firstVisitAt: null,
    lastVisitAt: null,
    createdAt: now,
    updatedAt: now,
    earnUpToMinor: input.earnUpToMinor,
    referrerId: input.referrerId,
    commissionPpm: input.referrerId === null ? 0 : input.commissionPpm,
    holdAboveMinor: input.holdAboveMinor,
    holdWithinSeconds: null,
    network: input.network,
    networkTransactionId: input.transactionId,
    goals: null,
  };
}
