/**
 * The example's tracker: demo data, the chosen store, and postback verification when
 * POSTBACK_SECRET is set (Standard Webhooks HMAC signatures).
 */
import { createClickTracker, hmacSignature, type ClickTracker } from 'clickcredit';
import { DEMO_PRODUCTS, DEMO_REFERRAL_COMMISSION, DEMO_REFERRERS } from './demo-data.js';
import { exampleNetworks } from './networks.js';
import { openExampleStorage } from './storage.js';

/** Mount prefix of the routes, as in the seed. */
export const PREFIX = '/api/v1/earn';

export interface ExampleSetup {
  tracker: ClickTracker;
  storageLabel: string;
  port: number;
  /** Public base of the routes, e.g. http://localhost:3000/api/v1/earn. */
  baseUrl: string;
  secret: string | null;
  /** True when WEBHOOK_URL is set: the servers then run the deliverEvents worker. */
  webhooks: boolean;
  close(): Promise<void>;
}

/** The webhook secret when WEBHOOK_SECRET is unset (Standard Webhooks form, base64 of a demo text). */
export const DEMO_WEBHOOK_SECRET = `whsec_${Buffer.from('demo-webhook-secret-for-clickcredit').toString('base64')}`;

export async function setUpExample(env: NodeJS.ProcessEnv = process.env): Promise<ExampleSetup> {
  const port = Number(env.PORT ?? 3000);
  const secret = env.POSTBACK_SECRET || null;
  const baseUrl = `${(env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '')}${PREFIX}`;
  const opened = await openExampleStorage(env);
  const webhookUrl = env.WEBHOOK_URL || null;
  const tracker = createClickTracker({
    storage: opened.storage,
    products: { getProduct: (id) => DEMO_PRODUCTS[id] ?? null },
    referrals: { referrerOf: (userId) => DEMO_REFERRERS[userId] ?? null },
    referralCommission: DEMO_REFERRAL_COMMISSION,
    publicUrl: baseUrl,
    // Every built-in network preset, under its own name, with the demo secret demo-<name>-secret.
    networks: exampleNetworks(),
    // POSTBACK_SECRET is plain text (the openssl -hmac recipes of the README use it as is), so it is
    // read raw; a whsec_ secret is still base64, as Standard Webhooks says.
    ...(secret ? { verifier: hmacSignature({ secrets: [secret], secretEncoding: 'raw' }) } : { allowUnverifiedPostbacks: true }),
    // Every change of money or of an earning is logged as it commits, and with WEBHOOK_URL set
    // sent there as a signed webhook by the deliverEvents worker (README "Events and webhooks").
    onEvent: (event) => console.info(`[clickcredit] event ${event.type} ${event.data.userId} ${event.data.walletDelta} (${event.id})`),
    ...(webhookUrl ? { webhook: { url: webhookUrl, secret: env.WEBHOOK_SECRET || DEMO_WEBHOOK_SECRET } } : {}),
    logger: {
      info: (message) => console.info(`[clickcredit] ${message}`),
      warn: (message) => console.warn(`[clickcredit] WARNING: ${message}`),
      error: (message, context) => console.error(`[clickcredit] ${message}`, context ?? ''),
    },
  });
  const webhooks = webhookUrl !== null && opened.storage.events !== undefined;
  if (webhookUrl !== null && !webhooks) console.warn(`[clickcredit] WARNING: WEBHOOK_URL ignored: the ${opened.label} store keeps no event outbox`);
  return { tracker, storageLabel: opened.label, port, baseUrl, secret, webhooks, close: opened.close };
}
