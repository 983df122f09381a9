/**
 * zod schemas of the admin API: the filters (every one validated, so bad input is a 400 and never
 * reaches a store) and the views it answers. The route table and the OpenAPI document use them.
 * @module
 */
import { z } from 'zod';
import {
  ClickViewSchema,
  EarningViewSchema,
  IdentifierSchema,
  MoneySchema,
  PostbackAttemptViewSchema,
  WalletViewSchema,
} from '../schemas.js';

/** Every decision code an attempt can carry (`PostbackDecisionCode`). */
export const DECISION_CODES = [
  'credited', 'held', 'recorded_pending', 'rejected', 'reversed', 'cancelled', 'pre_reversed', 'netted', 'duplicate',
  'unknown_click', 'expired', 'conflict', 'offer_mismatch', 'too_soon', 'too_late', 'invalid_input', 'invalid_amount', 'forbidden',
] as const;

/** Largest page of an admin list. */
export const ADMIN_MAX_LIMIT = 200;
/** Page size when none is asked for. */
export const ADMIN_DEFAULT_LIMIT = 50;

/** 9999-12-31T23:59:59.999Z: the last instant every store can hold (four-digit ISO years). */
const MAX_TIME_MS = 253_402_300_799_999;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** A point in time: a `Date`, or ISO 8601 text (`2026-01-31`, `2026-01-31T12:00:00Z`). */
export const AdminTimeSchema = z
  .union([z.date(), z.string().max(40)])
  .transform((value, ctx) => {
    // A time without an offset is UTC (never the server's local zone, which would move the window).
    const date = typeof value === 'string' && ISO_TIME.test(value) ? new Date(value.length === 10 ? `${value}T00:00:00Z` : /(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value}Z`) : value;
    if (!(date instanceof Date) || !(Math.abs(date.getTime()) <= MAX_TIME_MS) || date.getTime() < 0) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 time between 1970 and 9999' });
      return z.NEVER;
    }
    return date;
  });

/** `limit` of an admin list: 1 to 200 (text from a query string, or a number). */
export const AdminLimitSchema = z.union([z.number(), z.string().regex(/^\d{1,12}$/, { message: 'must be an integer' })])
  .transform(Number)
  .pipe(z.number().int().min(1).max(ADMIN_MAX_LIMIT));

const paging = {
  cursor: z.string().min(1).max(1024).optional(),
  limit: AdminLimitSchema.optional(),
  from: AdminTimeSchema.optional(),
  to: AdminTimeSchema.optional(),
};

/** `from` must not be after `to`. */
function orderedRange(value: { from?: Date | undefined; to?: Date | undefined }, ctx: z.RefinementCtx): void {
  if (value.from && value.to && value.from.getTime() > value.to.getTime()) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
  }
}

/** Filters of {@link AdminApi.listPostbacks} and `GET /admin/postbacks`. */
export const AdminPostbacksQuerySchema = z
  .strictObject({
    ...paging,
    decision: z.enum(DECISION_CODES).optional(),
    network: IdentifierSchema.optional(),
    userId: IdentifierSchema.optional(),
    clickId: IdentifierSchema.optional(),
    conversionId: IdentifierSchema.optional(),
    sourceIp: z.string().trim().min(1).max(64).optional(),
  })
  .superRefine(orderedRange);

/** Filters of {@link AdminApi.listEarnings} and `GET /admin/earnings`. */
export const AdminEarningsQuerySchema = z
  .strictObject({
    ...paging,
    approvalStatus: z.enum(['pending', 'auto_approved', 'manual_approved', 'rejected']).optional(),
    status: z.enum(['pending', 'completed', 'cancelled']).optional(),
    userId: IdentifierSchema.optional(),
    network: IdentifierSchema.optional(),
    productId: IdentifierSchema.optional(),
  })
  .superRefine(orderedRange);

/** Filters of {@link AdminApi.listClicks} and `GET /admin/clicks`. */
export const AdminClicksQuerySchema = z
  .strictObject({
    ...paging,
    userId: IdentifierSchema.optional(),
    productId: IdentifierSchema.optional(),
    status: z.enum(['pending', 'converted', 'expired', 'rejected']).optional(),
  })
  .superRefine(orderedRange);

/** Paging of {@link AdminApi.ledgerStatement} and `GET /admin/users/:userId/ledger`. */
export const AdminLedgerQuerySchema = z.strictObject({
  cursor: paging.cursor,
  limit: paging.limit,
});

/** Largest number of buckets one statistics request may span. */
export const MAX_STATS_BUCKETS = 1000;

/** Query of {@link AdminApi.stats} and `GET /admin/stats`. */
export const AdminStatsQuerySchema = z
  .strictObject({
    from: AdminTimeSchema,
    to: AdminTimeSchema,
    bucket: z.enum(['hour', 'day']).optional(),
    network: IdentifierSchema.optional(),
    productId: IdentifierSchema.optional(),
  })
  .superRefine((value, ctx) => {
    orderedRange(value, ctx);
    const step = value.bucket === 'hour' ? 3_600_000 : 86_400_000;
    if (value.to.getTime() - value.from.getTime() > step * MAX_STATS_BUCKETS) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `the range may span at most ${MAX_STATS_BUCKETS} buckets` });
    }
  });

/** Body of `POST /admin/users/:userId/adjustments`. */
export const AdjustmentBodySchema = z.strictObject({
  amount: z.union([z.string().max(64), z.number()]),
  direction: z.enum(['credit', 'debit']),
  reason: z.string().trim().min(1).max(256),
  key: z.string().trim().min(1).max(200),
  allowOverdraft: z.boolean().optional(),
});

/** Input of {@link AdminApi.adjust}. */
export const AdjustmentInputSchema = AdjustmentBodySchema.extend({ userId: IdentifierSchema });

const IsoDate = z.string().describe('ISO 8601 timestamp');

/** A postback attempt in the admin lists (with the risk rule behind its decision). */
export const AdminAttemptViewSchema = PostbackAttemptViewSchema.extend({ rule: z.string().nullable() });

/** A click as operators see it. */
export const AdminClickViewSchema = ClickViewSchema.extend({
  network: z.string().nullable(),
  referrerId: z.string().nullable(),
  holdEveryConversion: z.boolean(),
  holdAbove: MoneySchema.nullable(),
  holdWithinSeconds: z.number().int().nullable(),
});

/** `{ items, nextCursor }` of an admin list. */
const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const AdminAttemptsPageSchema = page(AdminAttemptViewSchema);
export const AdminEarningsPageSchema = page(EarningViewSchema);
export const AdminClicksPageSchema = page(AdminClickViewSchema);

/** One earning with its click and every attempt that touched it. */
export const EarningDetailSchema = z.object({
  earning: EarningViewSchema,
  click: AdminClickViewSchema.nullable(),
  attempts: z.array(AdminAttemptViewSchema),
});

/** An approve/reject answer: the earning, and whether this call decided it. */
export const ApprovalResultSchema = z.object({
  earning: EarningViewSchema,
  outcome: z.enum(['applied', 'unchanged']),
});

/** One ledger entry of a statement, with the balance right after it. */
export const StatementEntryViewSchema = z.object({
  entryId: z.string(),
  key: z.string(),
  kind: z.string(),
  amount: MoneySchema,
  balanceAfter: MoneySchema,
  earningId: z.string().nullable(),
  reversesKey: z.string().nullable(),
  reason: z.string().nullable(),
  createdAt: IsoDate,
});

/** A user's ledger statement page and wallet. */
export const LedgerStatementSchema = z.object({
  wallet: WalletViewSchema,
  items: z.array(StatementEntryViewSchema),
  nextCursor: z.string().nullable(),
});

/** Result of a manual adjustment. */
export const AdjustmentResultSchema = z.object({
  userId: z.string(),
  key: z.string(),
  direction: z.enum(['credit', 'debit']),
  amount: MoneySchema,
  balance: MoneySchema,
  duplicate: z.boolean(),
});

/** One statistics row. */
export const StatsRowViewSchema = z.object({
  bucketStart: IsoDate,
  network: z.string().nullable(),
  productId: z.string().nullable(),
  clicks: z.number().int(),
  conversions: z.number().int(),
  creditedAmount: MoneySchema,
  reversedAmount: MoneySchema,
  held: z.number().int(),
  refused: z.record(z.string(), z.number().int()),
});

/** Statistics of a range. */
export const StatsViewSchema = z.object({
  from: IsoDate,
  to: IsoDate,
  bucket: z.enum(['hour', 'day']),
  rows: z.array(StatsRowViewSchema),
});

export type AdminPostbacksQuery = z.input<typeof AdminPostbacksQuerySchema>;
export type AdminEarningsQuery = z.input<typeof AdminEarningsQuerySchema>;
export type AdminClicksQuery = z.input<typeof AdminClicksQuerySchema>;
export type AdminLedgerQuery = z.input<typeof AdminLedgerQuerySchema>;
export type AdminStatsQuery = z.input<typeof AdminStatsQuerySchema>;
export type AdjustmentInput = z.input<typeof AdjustmentInputSchema>;
export type AdminAttemptView = z.infer<typeof AdminAttemptViewSchema>;
export type AdminClickView = z.infer<typeof AdminClickViewSchema>;
export type AdminAttemptsPage = z.infer<typeof AdminAttemptsPageSchema>;
export type AdminEarningsPage = z.infer<typeof AdminEarningsPageSchema>;
export type AdminClicksPage = z.infer<typeof AdminClicksPageSchema>;
export type EarningDetail = z.infer<typeof EarningDetailSchema>;
export type ApprovalResult = z.infer<typeof ApprovalResultSchema>;
export type StatementEntryView = z.infer<typeof StatementEntryViewSchema>;
export type LedgerStatement = z.infer<typeof LedgerStatementSchema>;
export type AdjustmentResult = z.infer<typeof AdjustmentResultSchema>;
export type StatsRowView = z.infer<typeof StatsRowViewSchema>;
export type StatsView = z.infer<typeof StatsViewSchema>;
