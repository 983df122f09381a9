/**
 * The admin API (`tracker.admin`): what support and operations need across users. Every method
 * validates its input with the admin schemas (bad input is a 400, never a store call), then reads
 * through the store's {@link AdminStore}, or decides through the same atomic steps the rest of
 * the tracker uses.
 * @module
 */
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { formatAmount, parseAmount } from '../money.js';
import type { ResolvedOptions } from '../options.js';
import { settleOwed } from '../owed.js';
import { emitEvent } from '../events/emit.js';
import { adjustmentEventId } from '../events/events-of.js';
import { listWebhookDeliveries, retryWebhookDelivery } from '../events/admin.js';
import type { WebhookDeliveriesPage, WebhookDeliveriesQuery, WebhookDeliveryView } from '../events/schemas.js';
import type { EarningRecord, PostbackAttempt, WalletOperation } from '../records.js';
import { IdentifierSchema } from '../schemas.js';
import { guardStorage } from '../storage-guard.js';
import { toEarningView, toPostbackAttemptView } from '../views.js';
import { decodeListCursor, decodeStatementCursor, encodeListCursor, encodeStatementCursor } from './cursor.js';
import {
  ADMIN_DEFAULT_LIMIT,
  AdjustmentInputSchema,
  AdminClicksQuerySchema,
  AdminEarningsQuerySchema,
  AdminLedgerQuerySchema,
  AdminPostbacksQuerySchema,
  AdminStatsQuerySchema,
  type AdjustmentInput,
  type AdjustmentResult,
  type AdminAttemptView,
  type AdminAttemptsPage,
  type AdminClicksPage,
  type AdminClicksQuery,
  type AdminEarningsPage,
  type AdminEarningsQuery,
  type AdminLedgerQuery,
  type AdminPostbacksQuery,
  type AdminStatsQuery,
  type ApprovalResult,
  type EarningDetail,
  type LedgerStatement,
  type StatsView,
} from './schemas.js';
import { parseInput } from './parse.js';
import type { ListPosition } from './types.js';
import { toAdminClickView, toStatsRowView } from './views.js';

/** The operator's side of the tracker. Guard it: only an authorised admin may reach it. */
export interface AdminApi {
  /** Postback attempts across clicks and networks, refused ones included (also those without a click id). */
  listPostbacks(query?: AdminPostbacksQuery): Promise<AdminAttemptsPage>;
  /** Earnings across users; `{ approvalStatus: 'pending', status: 'completed' }` is the hold queue. */
  listEarnings(query?: AdminEarningsQuery): Promise<AdminEarningsPage>;
  /** One earning with its click and every postback attempt that touched it. */
  getEarningDetail(earningId: string): Promise<EarningDetail>;
  /** Approves a held earning (credits it once). Again: `unchanged`; after a reject: 409. */
  approve(earningId: string): Promise<ApprovalResult>;
  /** Rejects a held earning (nothing credited). Again: `unchanged`; after an approve: 409. */
  reject(earningId: string): Promise<ApprovalResult>;
  /** A user's ledger entries newest first with the balance after each, and the wallet. */
  ledgerStatement(userId: string, query?: AdminLedgerQuery): Promise<LedgerStatement>;
  /**
   * A manual credit or debit (`manual_credit`/`manual_debit` entry), exactly once per `key`.
   * A debit the balance does not cover is 409 `CONFLICT` unless `allowOverdraft`.
   */
  adjust(input: AdjustmentInput): Promise<AdjustmentResult>;
  /** Clicks across users. */
  listClicks(query?: AdminClicksQuery): Promise<AdminClicksPage>;
  /** Clicks, conversions, credited and reversed amounts, holds and refusals per bucket, network and product. */
  stats(query: AdminStatsQuery): Promise<StatsView>;
  /** Outgoing webhook deliveries (one per event), newest first, optionally in one state. */
  listWebhookDeliveries(query?: WebhookDeliveriesQuery): Promise<WebhookDeliveriesPage>;
  /** Puts a dead delivery back in the queue (attempts 0, due now); 409 for one that is not dead. */
  retryWebhookDelivery(id: string): Promise<WebhookDeliveryView>;
}

/** Builds the admin API on the tracker's resolved options. */
export function createAdminApi(o: ResolvedOptions): AdminApi {
  const scale = o.money.scale;
  const store = <T>(operation: string, call: () => Promise<T>) => guardStorage(o, `admin.${operation}`, call);
  const ownWallet = () => o.wallet === o.storage.wallet;

  async function page<R, V>(
    operation: string,
    limit: number | undefined,
    cursor: string | undefined,
    read: (limit: number, after: ListPosition | null) => Promise<R[]>,
    position: (row: R) => ListPosition,
    view: (row: R) => V,
  ): Promise<{ items: V[]; nextCursor: string | null }> {
    const size = limit ?? ADMIN_DEFAULT_LIMIT;
    const after = cursor === undefined ? null : decodeListCursor(cursor);
    const rows = await store(operation, () => read(size + 1, after));
    const items = rows.slice(0, size);
    const last = items.at(-1);
    return { items: items.map(view), nextCursor: rows.length > size && last ? encodeListCursor(position(last)) : null };
  }

  async function decide(earningId: string, approve: boolean): Promise<ApprovalResult> {
    parseInput(IdentifierSchema, earningId, 'earningId');
    const outcome = await store('decideApproval', () =>
      o.storage.decideApproval({ earningId, approve, now: o.clock.now(), ledger: o.ledgerMode, recordEvent: o.recordEvents }),
    );
    if (outcome.decision === 'not_found' || !outcome.earning) throw new NotFoundError('Earning not found');
    if (outcome.decision === 'not_held') {
      throw new ConflictError(approve ? 'Earning is not waiting for approval (already rejected or never held)' : 'Earning is not waiting for approval (already approved or never held)');
    }
    await settleOwed(o, outcome.owed);
    await emitEvent(o, outcome.event);
    return { earning: toEarningView(outcome.earning, scale), outcome: outcome.decision };
  }

  return {
    listWebhookDeliveries: (query) => listWebhookDeliveries(o, query),
    retryWebhookDelivery: (id) => retryWebhookDelivery(o, id),

    async listPostbacks(query = {}) {

      const { cursor, limit, ...filter } = parseInput(AdminPostbacksQuerySchema, query);
      return page('listAttempts', limit, cursor, (n, after) => o.storage.admin.listAttempts({ filter, limit: n, after }),
        (a) => ({ at: a.receivedAt, id: a.attemptId }), attemptView);
    },

    async listEarnings(query = {}) {
      const { cursor, limit, ...filter } = parseInput(AdminEarningsQuerySchema, query);
      return page('listEarnings', limit, cursor, (n, after) => o.storage.admin.listEarnings({ filter, limit: n, after }),
        (e) => ({ at: e.createdAt, id: e.earningId }), (e) => toEarningView(e, scale));
    },

    async getEarningDetail(earningId) {
      parseInput(IdentifierSchema, earningId, 'earningId');
      const earning: EarningRecord | null = await store('getEarning', () => o.storage.getEarning(earningId));
      if (!earning) throw new NotFoundError('Earning not found');
      const [click, attempts] = await Promise.all([
        store('getClick', () => o.storage.getClick(earning.clickId)),
        store('attemptsOfEarning', () => o.storage.admin.attemptsOfEarning(earning)),
      ]);
      return { earning: toEarningView(earning, scale), click: click ? toAdminClickView(click, scale) : null, attempts: attempts.map(attemptView) };
    },

    approve: (earningId) => decide(earningId, true),
    reject: (earningId) => decide(earningId, false),

    async ledgerStatement(userId, query = {}) {
      parseInput(IdentifierSchema, userId, 'userId');
      const { cursor, limit = ADMIN_DEFAULT_LIMIT } = parseInput(AdminLedgerQuerySchema, query);
      if (!ownWallet()) throw new ConflictError('The ledger statement reads the store ledger wallet; this tracker credits a host wallet');
      const from = cursor === undefined ? null : decodeStatementCursor(cursor);
      const read = await store('ledgerPage', () => o.storage.admin.ledgerPage({ userId, limit: limit + 1, after: from?.position ?? null }));
      const entries = read.entries.slice(0, limit);
      // Running balance: the newest entry of the first page ends at the cached balance read in the
      // same snapshot; each older one ends where the next newer one started. Later pages start
      // from the balance the cursor carries, so no page sums older history.
      let balance = from?.balanceBeforeMinor ?? read.balanceMinor;
      const items = entries.map((entry) => {
        const item = {
          entryId: entry.entryId,
          key: entry.key,
          kind: entry.kind,
          amount: formatAmount(entry.amountMinor, scale),
          balanceAfter: formatAmount(balance, scale),
          earningId: entry.earningId,
          reversesKey: entry.reversesKey,
          reason: entry.reason,
          createdAt: entry.createdAt.toISOString(),
        };
        balance -= entry.amountMinor;
        return item;
      });
      const last = entries.at(-1);
      return {
        wallet: { userId, balance: formatAmount(read.balanceMinor, scale), currency: o.currency },
        items,
        nextCursor: read.entries.length > limit && last ? encodeStatementCursor({ position: last.position, balanceBeforeMinor: balance }) : null,
      };
    },

    async adjust(input) {
      const data = parseInput(AdjustmentInputSchema, input);
      const amountMinor = parseAmount(data.amount, o.money);
      if (amountMinor === 0n) throw new ValidationError('amount must be positive', [{ path: 'amount', message: 'must be positive' }]);
      const debit = data.direction === 'debit';
      const op: WalletOperation = {
        key: `adjustment:${data.key}`,
        userId: data.userId,
        kind: debit ? 'manual_debit' : 'manual_credit',
        amountMinor: debit ? -amountMinor : amountMinor,
        earningId: null,
        reversesKey: null,
        reason: data.reason,
        createdAt: o.clock.now(),
      };
      const allowOverdraft = data.allowOverdraft === true;
      let duplicate: boolean;
      let balanceMinor: bigint;
      if (ownWallet()) {
        const outcome = await store('adjustWallet', () =>
          o.storage.admin.adjustWallet({ op, allowOverdraft, ...(o.recordEvents ? { eventId: adjustmentEventId(op.key) } : {}) }));
        await emitEvent(o, outcome.event);

        if (outcome.decision === 'insufficient') {
          throw new ConflictError('Insufficient balance for this debit', { balance: formatAmount(outcome.balanceMinor, scale) });
        }
        duplicate = outcome.decision === 'duplicate';
        balanceMinor = outcome.balanceMinor;
      } else {
        // A host wallet applies by key but cannot check the balance in the same step here.
        if (debit && !allowOverdraft) {
          throw new ConflictError('This tracker credits a host wallet, which cannot check the balance atomically: pass allowOverdraft to debit it');
        }
        const result = await store('wallet.apply', () => o.wallet.apply(op));
        duplicate = result.duplicate;
        balanceMinor = result.balanceMinor ?? (await store('wallet.getBalance', () => o.wallet.getBalance(data.userId)));
      }
      o.logger.info('admin adjustment', { userId: data.userId, key: data.key, direction: data.direction, amount: formatAmount(amountMinor, scale), duplicate });
      return { userId: data.userId, key: data.key, direction: data.direction, amount: formatAmount(amountMinor, scale), balance: formatAmount(balanceMinor, scale), duplicate };
    },

    async listClicks(query = {}) {
      const { cursor, limit, ...filter } = parseInput(AdminClicksQuerySchema, query);
      return page('listClicks', limit, cursor, (n, after) => o.storage.admin.listClicks({ filter, limit: n, after }),
        (c) => ({ at: c.createdAt, id: c.clickId }), (c) => toAdminClickView(c, scale));
    },

    async stats(query) {
      const { from, to, bucket = 'day', network, productId } = parseInput(AdminStatsQuerySchema, query);
      const rows = await store('stats', () => o.storage.admin.stats({ from, to, bucket, ...(network === undefined ? {} : { network }), ...(productId === undefined ? {} : { productId }) }));
      const sorted = [...rows].sort((a, b) => a.bucketStart.getTime() - b.bucketStart.getTime()
        || String(a.network ?? '').localeCompare(String(b.network ?? '')) || String(a.productId ?? '').localeCompare(String(b.productId ?? '')));
      return { from: from.toISOString(), to: to.toISOString(), bucket, rows: sorted.map((row) => toStatsRowView(row, scale)) };
    },
  };
}

function attemptView(attempt: PostbackAttempt): AdminAttemptView {
  return { ...toPostbackAttemptView(attempt), rule: attempt.rule ?? null };
}
