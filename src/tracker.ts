/**
 * createClickTracker: the framework-agnostic core. Each method validates, decides what it can
 * without state, and hands the stateful part to one atomic storage step.
 * @module
 */
import { assertTaskUrl, buildPostbackUrl, buildRedirectUrl } from './click-url.js';
import { clickGoalsOf } from './conversion.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { ConflictError, NotFoundError, ValidationError } from './errors.js';
import { formatAmount, parseAmount, type MoneyOptions } from './money.js';
import { resolveOptions, type ClickTrackerOptions, type ResolvedOptions } from './options.js';
import { settleOwed } from './owed.js';
import { handlePostback } from './postback/handle-postback.js';
import { handleNetworkCallback, type NetworkCallbackOutcome } from './postback/handle-network-callback.js';
import type { PostbackRequest } from './postback/request.js';
import type { ClickRecord, ClickStatus } from './records.js';
import {
  ClickIdSchema,
  CreateClickInputSchema,
  CreditWalletInputSchema,
  EarningsQuerySchema,
  IdentifierSchema,
  type ClickCreated,
  type ClickView,
  type CreateClickInput,
  type CreditWalletInput,
  type EarningView,
  type EarningsPage,
  type PostbackAttemptView,
  type PostbackResult,
  type WalletCreditResult,
  type WalletView,
} from './schemas.js';
import { createAdminApi, type AdminApi } from './admin/admin-api.js';
import { clickHoldTerms } from './admin/holds.js';
import { guardStorage } from './storage-guard.js';
import { startWorkers, type WorkersHandle, type WorkersOptions } from './workers/workers.js';
import { emitEvent } from './events/emit.js';

import { toClickView, toEarningView, toPostbackAttemptView } from './views.js';
import type { z } from 'zod';

/** The settings a tracker resolved from its options. */
export interface TrackerSettings {
  money: MoneyOptions;
  currency: string;
  /** Public base of the mounted routes, without a trailing slash. */
  publicUrl: string;
  postbackPath: string;
  /** `inline`: the store's own ledger in the same atomic step; `outbox`: a host wallet, owed then settled. */
  ledgerMode: 'inline' | 'outbox';
}

/** The tracker: every operation of clickcredit, independent of web framework and store. */
export interface ClickTracker {
  /** Issues a click: UUID v4 id, redirect URL with `click_id` and `postback_url`, expiry. */
  createClick(input: CreateClickInput): Promise<ClickCreated>;
  /** Records a visit of the tracking link; returns the click's status and where to send the user. */
  trackClick(clickId: string): Promise<{ clickId: string; status: ClickStatus; redirectUrl: string }>;
  /** A click, to its owner only (anyone else gets 404). */
  getClick(clickId: string, userId: string): Promise<ClickView>;
  /**
   * Applies a postback exactly once: verified, validated, then one atomic store step.
   * A replay (same click, conversion and status) answers the earning with `duplicate: true`.
   * Throws typed errors: 400, 403, 404, 409, 410, 503.
   */
  handlePostback(request: PostbackRequest): Promise<PostbackResult>;
  /**
   * Applies a callback of the network configured as `network` (option `networks`): authenticated
   * and read as that network documents, then the same atomic store step; user-keyed networks are
   * idempotent by (network, transaction id). Answers the reply the network expects, refusals
   * included (audited, nothing moved); throws only `NotFoundError` for an unknown network.
   */
  handleNetworkCallback(network: string, request: PostbackRequest): Promise<NetworkCallbackOutcome>;
  /** Credits a wallet outside the postback flow, idempotent by `idempotencyKey`. */
  creditWallet(input: CreditWalletInput): Promise<WalletCreditResult>;
  getWallet(userId: string): Promise<WalletView>;
  /** A user's earnings, newest first, with an opaque cursor for the next page. */
  listEarnings(userId: string, query?: { cursor?: string; limit?: number | string }): Promise<EarningsPage>;
  getEarning(earningId: string): Promise<EarningView>;
  /** Approves a held earning and credits it (idempotent). */
  approveEarning(earningId: string): Promise<EarningView>;
  /** Rejects a held earning; nothing is credited (idempotent). */
  rejectEarning(earningId: string): Promise<EarningView>;
  /** Marks pending clicks past expiry as expired, in bounded batches. */
  expireClicks(options?: { batchSize?: number; maxBatches?: number }): Promise<{ expired: number }>;
  /** Applies wallet operations a crash or an outage left owed. Safe to run at any time. */
  retryPendingCredits(options?: { limit?: number }): Promise<{ settled: number; remaining: number }>;
  /** Every postback attempt of a click with its decision: "why was I not credited?". */
  listPostbackAttempts(clickId: string): Promise<PostbackAttemptView[]>;
  /** The resolved settings (money scale, currency...). */
  readonly settings: Readonly<TrackerSettings>;
  /** The operators' API (lists across users, approvals, ledger statements, adjustments, statistics). */
  readonly admin: AdminApi;
  /**
   * Starts the background jobs (expire clicks, retry owed credits) with intervals, jitter and a
   * store lease per batch; `stop()` on the handle finishes the batches in hand.
   */
  startWorkers(options: WorkersOptions): WorkersHandle;
  /** Closes the storage adapter's own resources. */
  close(): Promise<void>;
}

/**
 * Creates a tracker. Refuses to start without a postback verifier unless
 * `allowUnverifiedPostbacks: true`, in which case it warns once.
 */
export function createClickTracker(options: ClickTrackerOptions): ClickTracker {
  const o = resolveOptions(options);
  if (o.verifiers.length === 0) {
    o.logger.warn(
      'accepting postbacks with NO verification (allowUnverifiedPostbacks). Anyone who sees a redirect URL can credit themselves; configure a verifier in production.',
    );
  }
  for (const network of Object.values(o.networks)) {
    if (network.definition.auth.length === 0) o.logger.warn(`accepting ${network.name} callbacks with NO authentication (allowUnverified): anyone can credit any user`);
  }
  const store = <T>(operation: string, call: () => Promise<T>) => guardStorage(o, operation, call);
  const scale = o.money.scale;

  return {
    settings: { money: o.money, currency: o.currency, publicUrl: o.publicUrl, postbackPath: o.postbackPath, ledgerMode: o.ledgerMode },

    async createClick(input) {
      const data = parse(CreateClickInputSchema, input);
      const product = await o.products.getProduct(data.productId);
      if (!product || !product.active) throw new NotFoundError('Product not found');
      const taskUrl = assertTaskUrl(data.taskUrl, product.allowedTaskHosts).href;
      const earnUpToMinor = parseAmount(product.earnUpTo, o.money, 'earnUpTo');
      const referrer = o.referrals ? await o.referrals.referrerOf(data.userId) : null;
      const referrerId = referrer && referrer !== data.userId && o.commissionPpm > 0 ? referrer : null;
      const now = o.clock.now();
      const clickId = o.ids.uuid();
      const postbackUrl = buildPostbackUrl(o.publicUrl, o.postbackPath, clickId);
      const click: ClickRecord = {
        clickId,
        userId: data.userId,
        productId: data.productId,
        offerId: data.offerId ?? null,
        taskUrl,
        redirectUrl: buildRedirectUrl(taskUrl, clickId, postbackUrl),
        postbackUrl,
        ipAddress: data.ipAddress ?? null,
        userAgent: data.userAgent ?? null,
        referrer: data.referrer ?? null,
        clickedAt: now,
        expiresAt: new Date(now.getTime() + o.clickTtlMs),
        status: 'pending',
        conversionId: null,
        postbackReceived: false,
        postbackReceivedAt: null,
        visitCount: 0,
        firstVisitAt: null,
        lastVisitAt: null,
        createdAt: now,
        updatedAt: now,
        earnUpToMinor,
        referrerId,
        commissionPpm: referrerId === null ? 0 : o.commissionPpm,
        ...clickHoldTerms(o, product.hold, o.money),
        network: null,
        networkTransactionId: null,
        goals: clickGoalsOf(product),
      };
      await store('insertClick', () => o.storage.insertClick(click));
      return { clickId, redirectUrl: click.redirectUrl, expiresAt: click.expiresAt.toISOString(), trackingUrl: postbackUrl };
    },

    async trackClick(clickId) {
      parse(ClickIdSchema, clickId, 'clickId');
      const now = o.clock.now();
      const click = await store('recordVisit', () => o.storage.recordVisit(clickId, now));
      if (!click) throw new NotFoundError('Click not found');
      return { clickId, status: effectiveStatus(click, now), redirectUrl: click.redirectUrl };
    },

    async getClick(clickId, userId) {
      parse(ClickIdSchema, clickId, 'clickId');
      const click = await store('getClick', () => o.storage.getClick(clickId));
      if (!click || click.userId !== userId) throw new NotFoundError('Click not found');
      return { ...toClickView(click, scale), status: effectiveStatus(click, o.clock.now()) };
    },

    handlePostback(request) {
      return handlePostback(o, request);
    },

    handleNetworkCallback(network, request) {
      return handleNetworkCallback(o, network, request);
    },

    async creditWallet(input) {
      const data = parse(CreditWalletInputSchema, input);
      const amountMinor = parseAmount(data.amount, o.money);
      if (amountMinor === 0n) throw new ValidationError('amount must be positive', [{ path: 'amount', message: 'must be positive' }]);
      const result = await store('wallet.apply', () =>
        o.wallet.apply({
          key: `manual:${data.idempotencyKey}`,
          userId: data.userId,
          kind: 'manual_credit',
          amountMinor,
          earningId: null,
          reversesKey: null,
          reason: data.reason ?? null,
          createdAt: o.clock.now(),
        }),
      );
      return {
        userId: data.userId,
        idempotencyKey: data.idempotencyKey,
        amount: formatAmount(amountMinor, scale),
        balance: result.balanceMinor === undefined ? null : formatAmount(result.balanceMinor, scale),
        duplicate: result.duplicate,
      };
    },

    async getWallet(userId) {
      parse(IdentifierSchema, userId, 'userId');
      const balance = await store('wallet.getBalance', () => o.wallet.getBalance(userId));
      return { userId, balance: formatAmount(balance, scale), currency: o.currency };
    },

    async listEarnings(userId, query = {}) {
      parse(IdentifierSchema, userId, 'userId');
      const { cursor, limit = 20 } = parse(EarningsQuerySchema, stripUndefined(query));
      const after = cursor === undefined ? null : decodeCursor(cursor);
      const rows = await store('listEarnings', () => o.storage.listEarnings({ userId, limit: limit + 1, after }));
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((e) => toEarningView(e, scale)),
        nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
      };
    },

    async getEarning(earningId) {
      parse(IdentifierSchema, earningId, 'earningId');
      const earning = await store('getEarning', () => o.storage.getEarning(earningId));
      if (!earning) throw new NotFoundError('Earning not found');
      return toEarningView(earning, scale);
    },

    approveEarning: (earningId) => decideApproval(o, earningId, true),
    rejectEarning: (earningId) => decideApproval(o, earningId, false),

    async expireClicks({ batchSize = 500, maxBatches = 1000 } = {}) {
      let expired = 0;
      for (let batch = 0; batch < maxBatches; batch += 1) {
        const count = await store('expireClicks', () => o.storage.expireClicks(o.clock.now(), batchSize));
        expired += count;
        if (count < batchSize) break;
      }
      return { expired };
    },

    async retryPendingCredits({ limit = 500 } = {}) {
      const { recoverOwed } = o.storage;
      if (recoverOwed) await store('recoverOwed', () => recoverOwed.call(o.storage, limit));
      const owed = await store('listOwedOperations', () => o.storage.listOwedOperations(limit));
      const settled = await settleOwedEach(o, owed);
      const remaining = (await store('listOwedOperations', () => o.storage.listOwedOperations(limit))).length;
      return { settled, remaining };
    },

    async listPostbackAttempts(clickId) {
      const attempts = await store('listPostbackAttempts', () => o.storage.listPostbackAttempts(clickId));
      return attempts.map(toPostbackAttemptView);
    },

    admin: createAdminApi(o),

    startWorkers: (workerOptions) => startWorkers(o, workerOptions),

    close: () => o.storage.close(),
  };
}

async function decideApproval(o: ResolvedOptions, earningId: string, approve: boolean): Promise<EarningView> {
  parse(IdentifierSchema, earningId, 'earningId');
  const outcome = await guardStorage(o, 'decideApproval', () =>
    o.storage.decideApproval({ earningId, approve, now: o.clock.now(), ledger: o.ledgerMode, recordEvent: o.recordEvents }),
  );
  if (outcome.decision === 'not_found' || !outcome.earning) throw new NotFoundError('Earning not found');
  if (outcome.decision === 'not_held') throw new ConflictError('Earning is not waiting for approval');
  await settleOwed(o, outcome.owed);
  await emitEvent(o, outcome.event);
  return toEarningView(outcome.earning, o.money.scale);
}

/** Retry: each owed operation on its own, so one failing wallet call does not hold up the rest. */
async function settleOwedEach(o: ResolvedOptions, owed: Parameters<typeof settleOwed>[1]): Promise<number> {
  let settled = 0;
  for (const op of owed) settled += await settleOwed(o, [op]);
  return settled;
}

/** A pending click past its expiry reads as expired even before the sweeper has marked it. */
function effectiveStatus(click: ClickRecord, now: Date): ClickStatus {
  return click.status === 'pending' && now.getTime() >= click.expiresAt.getTime() ? 'expired' : click.status;
}

function parse<S extends z.ZodType>(schema: S, value: unknown, path?: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: [path, ...issue.path].filter((p) => p !== undefined && p !== '').join('.'),
    message: issue.message,
  }));
  const first = issues[0];
  throw new ValidationError(first ? `${first.path || 'input'}: ${first.message}` : 'Invalid input', issues);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

