/**
 * zod schemas: the single source of truth for input validation, the public types of the views,
 * and the OpenAPI document.
 * @module
 */
import { z } from 'zod';

/** Longest accepted task URL. */
export const MAX_TASK_URL_LENGTH = 2048;

/** A click id: a UUID (clickcredit issues v4). */
export const ClickIdSchema = z.uuid({ message: 'must be a UUID' });

/** An identifier supplied by the host or a network (user, product, offer, conversion ids). */
export const IdentifierSchema = z
  .string()
  .trim()
  .min(1)
  .max(256)
  // Control characters (NUL above all) have no place in an id, and some stores cannot hold them.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  .regex(/^[^\u0000-\u001f\u007f]*$/, { message: 'must not contain control characters' });

/** Body of `POST /products/:productId/click`. */
export const CreateClickBodySchema = z.strictObject({
  taskUrl: z.string().min(1).max(MAX_TASK_URL_LENGTH),
  offerId: IdentifierSchema.optional(),
});

/** Input of {@link ClickTracker.createClick}. */
export const CreateClickInputSchema = CreateClickBodySchema.extend({
  userId: IdentifierSchema,
  productId: IdentifierSchema,
  ipAddress: z.string().max(64).nullish(),
  userAgent: z.string().max(1024).nullish(),
  referrer: z.string().max(MAX_TASK_URL_LENGTH).nullish(),
});

/** A postback field value: scalars only, so `click_id[$ne]=x` style objects never get through. */
const PostbackScalar = z.union([z.string().max(4096), z.number(), z.boolean()]);

/**
 * The fields of a postback, merged from query and body. Networks name them differently, so the
 * common aliases are accepted; unknown fields are kept in the raw audit data but otherwise ignored.
 */
export const PostbackParamsSchema = z.record(z.string(), PostbackScalar.nullable());

/** Query of `GET /earnings`. */
export const EarningsQuerySchema = z.strictObject({
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

/** Input of {@link ClickTracker.creditWallet}. */
export const CreditWalletInputSchema = z.strictObject({
  userId: IdentifierSchema,
  amount: z.union([z.string(), z.number()]),
  idempotencyKey: z.string().trim().min(1).max(256),
  reason: z.string().max(256).optional(),
});

/** Money as the API returns it: a decimal string with the configured scale (`"50.00"`). */
export const MoneySchema = z.string().regex(/^-?\d+(\.\d+)?$/).describe('Decimal amount, e.g. "50.00"');

const IsoDate = z.string().describe('ISO 8601 timestamp');

/** Data of `POST /products/:productId/click` (201). */
export const ClickCreatedSchema = z.object({
  clickId: z.string(),
  redirectUrl: z.string(),
  expiresAt: IsoDate,
  trackingUrl: z.string(),
});

/** Data of `GET /track/:clickId`. */
export const TrackResultSchema = z.object({
  clickId: z.string(),
  status: z.enum(['pending', 'converted', 'expired', 'rejected']),
});

/** Data of a postback (200). */
export const PostbackResultSchema = z.object({
  earningId: z.string(),
  clickId: z.string(),
  conversionId: z.string(),
  status: z.enum(['pending', 'completed', 'cancelled']),
  approvalStatus: z.enum(['pending', 'auto_approved', 'manual_approved', 'rejected']),
  amount: MoneySchema,
  duplicate: z.boolean(),
  decision: z.string(),
});

/** A click as its owner sees it. */
export const ClickViewSchema = z.object({
  clickId: z.string(),
  userId: z.string(),
  productId: z.string(),
  offerId: z.string().nullable(),
  taskUrl: z.string(),
  redirectUrl: z.string(),
  trackingUrl: z.string(),
  ipAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
  referrer: z.string().nullable(),
  clickedAt: IsoDate,
  expiresAt: IsoDate,
  status: z.enum(['pending', 'converted', 'expired', 'rejected']),
  conversionId: z.string().nullable(),
  postbackReceived: z.boolean(),
  postbackReceivedAt: IsoDate.nullable(),
  visitCount: z.number().int(),
  firstVisitAt: IsoDate.nullable(),
  lastVisitAt: IsoDate.nullable(),
  earnUpTo: MoneySchema,
  createdAt: IsoDate,
  updatedAt: IsoDate,
});

/** An earning as the API returns it. */
export const EarningViewSchema = z.object({
  earningId: z.string(),
  userId: z.string(),
  productId: z.string(),
  offerId: z.string().nullable(),
  clickId: z.string(),
  conversionId: z.string(),
  transactionId: z.string().nullable(),
  amount: MoneySchema,
  status: z.enum(['pending', 'completed', 'cancelled']),
  approvalStatus: z.enum(['pending', 'auto_approved', 'manual_approved', 'rejected']),
  type: z.string(),
  credited: z.boolean(),
  creditedAt: IsoDate.nullable(),
  cancelledAt: IsoDate.nullable(),
  cancelReason: z.string().nullable(),
  referrerId: z.string().nullable(),
  commission: MoneySchema,
  postbackReceived: z.boolean(),
  postbackReceivedAt: IsoDate,
  earnedAt: IsoDate,
  createdAt: IsoDate,
  updatedAt: IsoDate,
});

/** Data of `GET /earnings`. */
export const EarningsPageSchema = z.object({
  items: z.array(EarningViewSchema),
  nextCursor: z.string().nullable(),
});

/** Data of `GET /wallet`. */
export const WalletViewSchema = z.object({
  userId: z.string(),
  balance: MoneySchema,
  currency: z.string(),
});

/** Result of {@link ClickTracker.creditWallet}. */
export const WalletCreditResultSchema = z.object({
  userId: z.string(),
  idempotencyKey: z.string(),
  amount: MoneySchema,
  balance: MoneySchema.nullable(),
  duplicate: z.boolean(),
});

/** One postback audit row, as support sees it. */
export const PostbackAttemptViewSchema = z.object({
  attemptId: z.string(),
  clickId: z.string().nullable(),
  conversionId: z.string().nullable(),
  postbackStatus: z.string().nullable(),
  amount: z.string().nullable(),
  sourceIp: z.string().nullable(),
  rawData: z.record(z.string(), z.unknown()),
  decision: z.string(),
  earningId: z.string().nullable(),
  message: z.string().nullable(),
  receivedAt: IsoDate,
  /** The risk rule that refused or held the conversion (`offer_mismatch`, `user_daily_cap`...), else null. */
  rule: z.string().nullable(),
});

export type CreateClickBody = z.infer<typeof CreateClickBodySchema>;
export type CreateClickInput = z.input<typeof CreateClickInputSchema>;
export type PostbackParams = z.infer<typeof PostbackParamsSchema>;
export type CreditWalletInput = z.input<typeof CreditWalletInputSchema>;
export type ClickCreated = z.infer<typeof ClickCreatedSchema>;
export type TrackResult = z.infer<typeof TrackResultSchema>;
export type PostbackResult = z.infer<typeof PostbackResultSchema>;
export type ClickView = z.infer<typeof ClickViewSchema>;
export type EarningView = z.infer<typeof EarningViewSchema>;
export type EarningsPage = z.infer<typeof EarningsPageSchema>;
export type WalletView = z.infer<typeof WalletViewSchema>;
export type WalletCreditResult = z.infer<typeof WalletCreditResultSchema>;
export type PostbackAttemptView = z.infer<typeof PostbackAttemptViewSchema>;
