/**
 * Options of {@link createClickTracker}, and their resolution into the settings the tracker uses.
 * @module
 */
import { moneyOptions, parseAmount, parseRatePpm, type MoneyOptions, type RoundingMode } from './money.js';
import { secretParamsOf, type PostbackVerifier } from './postback/verifier.js';
import { DEFAULT_STATUS_MAP } from './postback/status-map.js';
import { DEFAULT_STORAGE_TIMEOUT_MS, boundedStore, boundedWallet } from './storage-guard.js';
import { randomUuid } from './uuid.js';
import { resolveRiskPolicy, type RiskOptions, type RiskPolicy } from './risk.js';
import type { Clock, ClickStore, IdGenerator, Logger, ProductCatalog, ReferralResolver, WalletPort } from './ports.js';
import type { PostbackAction } from './records.js';
import type { NetworkDefinition } from './networks/types.js';
import { checkNetworkDefinition } from './networks/preset.js';
import { resolveNetwork, type ResolvedNetwork } from './postback/handle-network-callback.js';
import type { EventBody } from './events/body.js';
import { resolveWebhook, type ResolvedWebhook, type WebhookOptions } from './events/webhook.js';

/** Options of {@link createClickTracker}. */
export interface ClickTrackerOptions {
  /** The storage adapter (`createPostgresStore`, `createRedisStore`, `createMemoryStore`...). */
  storage: ClickStore;
  /** Products and their payout caps. */
  products: ProductCatalog;
  /**
   * Public base URL of the mounted routes, e.g. `https://api.example.com/api/v1/earn`.
   * Postback URLs are `<publicUrl>/postback?click_id=<id>`.
   */
  publicUrl: string;
  /** Path of the postback route under `publicUrl`. Default `/postback`. */
  postbackPath?: string;
  /** The host's own wallet service. Default: the storage adapter's ledger wallet. */
  wallet?: WalletPort;
  /** Who referred whom. Without it no commission is paid. */
  referrals?: ReferralResolver;
  /** Referral commission rate: `"10%"`, `"0.10"` or `0.1`. Default none. */
  referralCommission?: string | number;
  /** How long a click accepts new conversions, in seconds. Default 86400 (24 h). */
  clickTtlSeconds?: number;
  /** Money settings: scale (default 2), rounding (default `reject`), maximum amount. */
  money?: { scale?: number; rounding?: RoundingMode; maxAmount?: string | number };
  /** Currency code reported by `getWallet`. Default `USD`. */
  currency?: string;
  /** Hold earnings for manual approval above an amount and/or when converted too soon after the click. */
  approvalHold?: { aboveAmount?: string | number; withinSecondsOfClick?: number };
  /** Postback verification; several must all pass. Required unless `allowUnverifiedPostbacks`. */
  verifier?: PostbackVerifier | readonly PostbackVerifier[];
  /** Accept postbacks with no verification at all (the seed's behaviour). Logs a warning once. */
  allowUnverifiedPostbacks?: boolean;
  /** Extra or overriding network status words (lower-case) and what they ask for. */
  statusMap?: Record<string, PostbackAction>;
  /**
   * Risk rules (contract "Risk rules"), checked by the store in the conversion's atomic step:
   * offer mismatch, time from click to conversion, daily caps per user and per IP, IP mismatch.
   * Each writes its stable code to the audit row; refusals are 409 `CONFLICT`, holds go to the
   * approval flow. Default: none.
   */
  risk?: RiskOptions;
  /**
   * Offerwalls and trackers, keyed by the name in their callback URL:
   * `{ tapjoy: tapjoy(secret) }` receives `GET|POST <publicUrl>/postback/tapjoy` (presets in
   * `clickcredit/networks`).
   */
  networks?: Record<string, NetworkDefinition>;
  /**
   * How long one store call (or wallet call) may take, in ms, before the request answers 503
   * `UNAVAILABLE` instead of waiting for a store that went away (a driver reconnecting can hold
   * a call 10 to 30 s). Default 3000. `Infinity` removes the bound. A call past its deadline may
   * still complete later; every store step is idempotent, so the advertiser's retry answers
   * `duplicate` and nothing is applied twice.
   */
  storageTimeoutMs?: number;
  /**
   * Record an event for every change of money or of an earning's state, in the store's outbox in
   * the same atomic step (README "Events and webhooks"). Default true; false records none (and
   * `onEvent` and `webhook` then have nothing to send).
   */
  events?: boolean;
  /**
   * Called in-process with each event right after its step committed (an error it throws is
   * logged, never fails the request). Not called again after a crash: for at-least-once delivery
   * use `webhook` and the `deliverEvents` worker, which read the outbox.
   */
  onEvent?: (event: EventBody) => void | Promise<void>;
  /** Outgoing webhooks (Standard Webhooks signatures), sent by the `deliverEvents` worker. */
  webhook?: WebhookOptions;
  clock?: Clock;
  ids?: IdGenerator;
  logger?: Logger;
}

/** The options after defaults and parsing; what the tracker's methods read. */
export interface ResolvedOptions {
  storage: ClickStore;
  products: ProductCatalog;
  publicUrl: string;
  postbackPath: string;
  wallet: WalletPort;
  ledgerMode: 'inline' | 'outbox';
  referrals: ReferralResolver | null;
  commissionPpm: number;
  clickTtlMs: number;
  money: MoneyOptions;
  currency: string;
  holdAboveMinor: bigint | null;
  holdWithinSeconds: number | null;
  verifiers: readonly PostbackVerifier[];
  /** Parameters never stored (secrets that verifiers read). */
  secretParams: readonly string[];
  statusMap: Readonly<Record<string, PostbackAction>>;
  /** The risk rules copied onto each conversion command (`null`: none). */
  risk: RiskPolicy | null;
  /** Configured networks, by name. */
  networks: Readonly<Record<string, ResolvedNetwork>>;
  /** Deadline of one store or wallet call, ms (`Infinity`: none). */
  storageTimeoutMs: number;
  /** Whether steps record their events. */
  recordEvents: boolean;
  onEvent: ((event: EventBody) => void | Promise<void>) | null;
  webhook: ResolvedWebhook | null;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
}

/** Console logger used when the host gives none. */
export const consoleLogger: Logger = {
  info: (message, context) => console.info(`[clickcredit] ${message}`, context ?? ''),
  warn: (message, context) => console.warn(`[clickcredit] ${message}`, context ?? ''),
  error: (message, context) => console.error(`[clickcredit] ${message}`, context ?? ''),
};

/** Applies defaults and refuses unsafe or malformed configuration at start-up. */
export function resolveOptions(options: ClickTrackerOptions): ResolvedOptions {
  if (!options?.storage) throw new TypeError('clickcredit: options.storage is required');
  if (!options.products) throw new TypeError('clickcredit: options.products is required');
  const publicUrl = checkedPublicUrl(options.publicUrl);
  const verifiers = options.verifier === undefined ? [] : ([] as PostbackVerifier[]).concat(options.verifier);
  if (verifiers.length === 0 && options.allowUnverifiedPostbacks !== true) {
    throw new TypeError(
      'clickcredit: no postback verifier configured. Anyone who sees a redirect URL could credit themselves; ' +
        'configure `verifier` or opt in with `allowUnverifiedPostbacks: true`.',
    );
  }
  const money = moneyOptions({
    scale: options.money?.scale,
    rounding: options.money?.rounding,
  });
  if (options.money?.maxAmount !== undefined) {
    // The host's own maximum is read without the default one, so it may be raised as well as lowered.
    money.maxMinor = parseAmount(options.money.maxAmount, { ...money, maxMinor: 10n ** 40n }, 'maxAmount');
  }
  const ttlSeconds = options.clickTtlSeconds ?? 86_400;
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) throw new TypeError('clickcredit: clickTtlSeconds must be positive');
  const withinSeconds = options.approvalHold?.withinSecondsOfClick;
  if (withinSeconds !== undefined && !(Number.isInteger(withinSeconds) && withinSeconds > 0)) {
    throw new TypeError('clickcredit: approvalHold.withinSecondsOfClick must be a positive integer');
  }
  const aboveAmount = options.approvalHold?.aboveAmount;
  const storageTimeoutMs = options.storageTimeoutMs ?? DEFAULT_STORAGE_TIMEOUT_MS;
  if (!(storageTimeoutMs > 0) || (Number.isFinite(storageTimeoutMs) && !Number.isInteger(storageTimeoutMs))) {
    throw new TypeError('clickcredit: storageTimeoutMs must be a positive integer (ms) or Infinity');
  }
  // Every store call is bounded, those the core makes outside guardStorage too (settling owed
  // wallet operations, the audit row of a refused postback), so no request waits past it.
  const storage = boundedStore(options.storage, storageTimeoutMs);
  return {
    storage,
    products: options.products,
    publicUrl,
    postbackPath: options.postbackPath ?? '/postback',
    wallet: options.wallet === undefined ? storage.wallet : boundedWallet(options.wallet, storageTimeoutMs),
    ledgerMode: options.wallet === undefined && options.storage.supportsInlineLedger ? 'inline' : 'outbox',
    referrals: options.referrals ?? null,
    commissionPpm: options.referralCommission === undefined ? 0 : parseRatePpm(options.referralCommission),
    clickTtlMs: Math.round(ttlSeconds * 1000),
    money,
    currency: options.currency ?? 'USD',
    holdAboveMinor: aboveAmount === undefined ? null : parseAmount(aboveAmount, money, 'approvalHold.aboveAmount'),
    holdWithinSeconds: withinSeconds ?? null,
    verifiers,
    secretParams: secretParamsOf(verifiers),
    statusMap: { ...DEFAULT_STATUS_MAP, ...lowerCaseKeys(options.statusMap ?? {}) },
    risk: resolveRiskPolicy(options.risk, money),
    networks: resolveNetworks(options.networks, money),
    storageTimeoutMs,
    recordEvents: options.events !== false,
    onEvent: options.onEvent ?? null,
    webhook: resolveWebhook(options.webhook),
    clock: options.clock ?? { now: () => new Date() },

    ids: options.ids ?? { uuid: randomUuid },
    logger: options.logger ?? consoleLogger,
  };
}

function checkedPublicUrl(publicUrl: string): string {
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    throw new TypeError('clickcredit: publicUrl must be an absolute URL such as https://api.example.com/api/v1/earn');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('clickcredit: publicUrl must be http(s)');
  return publicUrl.replace(/\/+$/, '');
}

/** Checks and parses each configured network (a misconfigured one stops the start). */
function resolveNetworks(networks: Record<string, NetworkDefinition> | undefined, money: MoneyOptions): Record<string, ResolvedNetwork> {
  const resolved: Record<string, ResolvedNetwork> = Object.create(null);
  for (const [name, definition] of Object.entries(networks ?? {})) {
    checkNetworkDefinition(name, definition);
    resolved[name] = resolveNetwork(name, definition, money);
  }
  return resolved;
}

function lowerCaseKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
}
