/**
 * Events and webhooks: types, the pure rules of which change records which event, the public
 * body, and the webhook delivery.
 * @module
 */
export * from './types.js';
export * from './events-of.js';
export { eventBody, type EventBody, type EventBodyData } from './body.js';
export { backoffMs, type WebhookOptions, type ResolvedWebhook } from './webhook.js';
export * from './schemas.js';
