/**
 * Schemas of the webhook delivery routes (`GET /admin/webhooks/deliveries`, `POST
 * /admin/webhooks/deliveries/:id/retry`) and of the event body.
 * @module
 */
import { z } from 'zod';
import { AdminLimitSchema } from '../admin/schemas.js';
import { DELIVERY_STATES, EVENT_TYPES } from './types.js';

const IsoDate = z.string().describe('ISO 8601 timestamp');
const Money = z.string().regex(/^-?\d+(\.\d+)?$/).describe('Decimal amount, e.g. "50.00"');

/** The body of an event, in-process and in a webhook. */
export const EventBodySchema = z.object({
  id: z.string(),
  type: z.enum(EVENT_TYPES as [string, ...string[]]),
  createdAt: IsoDate,
  data: z.object({
    userId: z.string(),
    change: z.string(),
    earningId: z.string().nullable(),
    clickId: z.string().nullable(),
    conversionId: z.string().nullable(),
    productId: z.string().nullable(),
    status: z.string().nullable(),
    approvalStatus: z.string().nullable(),
    amount: Money,
    walletDelta: Money,
    currency: z.string(),
    referrerId: z.string().nullable(),
    commissionDelta: Money,
    ledgerKey: z.string().nullable(),
    reason: z.string().nullable(),
  }),
});

/** Query of {@link AdminApi.listWebhookDeliveries}. */
export const WebhookDeliveriesQuerySchema = z.strictObject({
  state: z.enum(DELIVERY_STATES as [string, ...string[]]).optional(),
  cursor: z.string().min(1).max(1024).optional(),
  limit: AdminLimitSchema.optional(),
});
export type WebhookDeliveriesQuery = z.input<typeof WebhookDeliveriesQuerySchema>;

/** One webhook delivery as operators see it (its id is the event id, `webhook-id`). */
export const WebhookDeliveryViewSchema = z.object({
  id: z.string(),
  eventId: z.string(),
  type: z.string(),
  userId: z.string(),
  state: z.enum(DELIVERY_STATES as [string, ...string[]]),
  attempts: z.number().int(),
  nextAttemptAt: IsoDate.nullable(),
  lastError: z.string().nullable(),
  deliveredAt: IsoDate.nullable(),
  createdAt: IsoDate,
  event: EventBodySchema,
});
export type WebhookDeliveryView = z.infer<typeof WebhookDeliveryViewSchema>;

export const WebhookDeliveriesPageSchema = z.object({ items: z.array(WebhookDeliveryViewSchema), nextCursor: z.string().nullable() });
export type WebhookDeliveriesPage = z.infer<typeof WebhookDeliveriesPageSchema>;
