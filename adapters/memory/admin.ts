/**
 * The memory store's admin side: the reference answers of every admin query (filter, then
 * order newest first), the balance-checked adjustment and the leases. Each method body runs
 * without an `await`, so like the rest of the memory store each call is one critical section.
 * The memory store is for tests and prototypes: queries scan its maps, which is its "index".
 * @module
 */
import {
  REFUSED_DECISIONS,
  eventOfAdjustment,
  type StoredEvent,

  type AdminListQuery,
  type AdminStore,
  type ClickRecord,
  type EarningRecord,
  type LeaseStore,
  type LedgerEntry,
  type ListPosition,
  type PostbackAttempt,
  type StatsRow,
  type TimeRange,
  type WalletApplyResult,
  type WalletOperation,
} from 'clickcredit';

/** The parts of the memory state the admin side reads. */
export interface MemoryAdminState {
  clicks: Map<string, { click: ClickRecord }>;
  earnings: Map<string, EarningRecord>;
  entriesByKey: Map<string, LedgerEntry>;
  entriesByUser: Map<string, LedgerEntry[]>;
  balances: Map<string, bigint>;
  attempts: PostbackAttempt[];
  leases: Map<string, { owner: string; expiresAt: number }>;
}

type Row = { at: Date; id: string };

function inRange(at: Date, range: TimeRange): boolean {
  const t = at.getTime();
  return (range.from === undefined || t >= range.from.getTime()) && (range.to === undefined || t < range.to.getTime());
}

function pageOf<T>(rows: T[], key: (row: T) => Row, query: AdminListQuery<unknown>, copy: (row: T) => T): T[] {
  const { after, limit } = query;
  return rows
    .filter((row) => after === null || isBefore(key(row), after))
    .sort((a, b) => newestFirst(key(a), key(b)))
    .slice(0, limit)
    .map(copy);
}

function isBefore(row: Row, after: ListPosition): boolean {
  const t = row.at.getTime();
  const c = after.at.getTime();
  return t < c || (t === c && row.id < after.id);
}

function newestFirst(a: Row, b: Row): number {
  const dt = b.at.getTime() - a.at.getTime();
  if (dt !== 0) return dt;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * The admin queries. `postEntry` is the memory wallet's own append (idempotent by key), so an
 * adjustment goes through the same code as every other ledger entry.
 */
export function memoryAdmin(
  state: MemoryAdminState,
  postEntry: (op: WalletOperation) => WalletApplyResult,
  recordEvent: (event: StoredEvent) => void,
): AdminStore {
  const clickOf = (clickId: string | null) => (clickId === null ? undefined : state.clicks.get(clickId)?.click);
  return {
    async listAttempts(query) {
      const f = query.filter;
      const rows = state.attempts.filter((a) => {
        if (f.decision !== undefined && a.decision !== f.decision) return false;
        if (f.clickId !== undefined && a.clickId !== f.clickId) return false;
        if (f.conversionId !== undefined && a.conversionId !== f.conversionId) return false;
        if (f.sourceIp !== undefined && a.sourceIp !== f.sourceIp) return false;
        if (!inRange(a.receivedAt, f)) return false;
        if (f.userId !== undefined || f.network !== undefined) {
          const click = clickOf(a.clickId);
          if (!click) return false;
          if (f.userId !== undefined && click.userId !== f.userId) return false;
          if (f.network !== undefined && click.network !== f.network) return false;
        }
        return true;
      });
      return pageOf(rows, (a) => ({ at: a.receivedAt, id: a.attemptId }), query, (a) => ({ ...a, rule: a.rule ?? null }));
    },

    async listEarnings(query) {
      const f = query.filter;
      const rows = [...state.earnings.values()].filter((e) =>
        (f.approvalStatus === undefined || e.approvalStatus === f.approvalStatus) &&
        (f.status === undefined || e.status === f.status) &&
        (f.userId === undefined || e.userId === f.userId) &&
        (f.productId === undefined || e.productId === f.productId) &&
        (f.network === undefined || clickOf(e.clickId)?.network === f.network) &&
        inRange(e.createdAt, f));
      return pageOf(rows, (e) => ({ at: e.createdAt, id: e.earningId }), query, (e) => ({ ...e }));
    },

    async attemptsOfEarning(earning) {
      return state.attempts
        .filter((a) => a.earningId === earning.earningId || (a.clickId === earning.clickId && a.conversionId === earning.conversionId))
        .map((a) => ({ ...a, rule: a.rule ?? null }));
    },

    async listClicks(query) {
      const f = query.filter;
      const rows = [...state.clicks.values()].map((slot) => slot.click).filter((c) =>
        (f.userId === undefined || c.userId === f.userId) &&
        (f.productId === undefined || c.productId === f.productId) &&
        (f.status === undefined || c.status === f.status) &&
        inRange(c.createdAt, f));
      return pageOf(rows, (c) => ({ at: c.createdAt, id: c.clickId }), query, (c) => ({ ...c }));
    },

    async ledgerPage({ userId, limit, after }) {
      const all = state.entriesByUser.get(userId) ?? [];
      // Positions are indexes into the user's append-only list: newest first is the list backwards.
      const start = after === null ? all.length - 1 : Number(after) - 1;
      const entries: Array<LedgerEntry & { position: string }> = [];
      for (let i = start; i >= 0 && entries.length < limit; i -= 1) entries.push({ ...all[i]!, position: String(i) });
      return { entries, balanceMinor: state.balances.get(userId) ?? 0n };
    },

    async adjustWallet({ op, allowOverdraft, eventId }) {
      const balance = state.balances.get(op.userId) ?? 0n;
      if (state.entriesByKey.has(op.key)) {
        const result = postEntry(op); // the duplicate path: checks user and amount, moves nothing
        return { decision: 'duplicate', balanceMinor: result.balanceMinor ?? balance };
      }
      if (op.amountMinor < 0n && !allowOverdraft && balance + op.amountMinor < 0n) return { decision: 'insufficient', balanceMinor: balance };
      const result = postEntry(op);
      const event = eventId === undefined ? null : eventOfAdjustment(op, eventId);
      if (event) recordEvent(event);
      return { decision: 'applied', balanceMinor: result.balanceMinor ?? balance + op.amountMinor, event };
    },

    async stats(query) {
      const step = query.bucket === 'hour' ? 3_600_000 : 86_400_000;
      const range = { from: query.from, to: query.to };
      const rows = new Map<string, StatsRow>();
      const rowOf = (at: Date, network: string | null, productId: string | null): StatsRow | null => {
        if (query.network !== undefined && network !== query.network) return null;
        if (query.productId !== undefined && productId !== query.productId) return null;
        const bucketStart = new Date(Math.floor(at.getTime() / step) * step);
        const key = `${bucketStart.getTime()}\u0000${network ?? ''}\u0000${productId ?? ''}`;
        let row = rows.get(key);
        if (!row) {
          row = { bucketStart, network, productId, clicks: 0, conversions: 0, creditedMinor: 0n, reversedMinor: 0n, held: 0, refused: {} };
          rows.set(key, row);
        }
        return row;
      };
      for (const { click: c } of state.clicks.values()) {
        if (inRange(c.createdAt, range)) { const row = rowOf(c.createdAt, c.network, c.productId); if (row) row.clicks += 1; }
      }
      for (const e of state.earnings.values()) {
        const network = clickOf(e.clickId)?.network ?? null;
        if (inRange(e.createdAt, range)) { const row = rowOf(e.createdAt, network, e.productId); if (row) row.conversions += 1; }
        if (e.credited && e.creditedAt && inRange(e.creditedAt, range)) { const row = rowOf(e.creditedAt, network, e.productId); if (row) row.creditedMinor += e.amountMinor; }
        if (e.credited && e.status === 'cancelled' && e.cancelledAt && inRange(e.cancelledAt, range)) {
          const row = rowOf(e.cancelledAt, network, e.productId);
          if (row) row.reversedMinor += e.amountMinor;
        }
      }
      for (const a of state.attempts) {
        if (!inRange(a.receivedAt, range)) continue;
        const held = a.decision === 'held';
        if (!held && !REFUSED_DECISIONS.includes(a.decision)) continue;
        const click = clickOf(a.clickId);
        const row = rowOf(a.receivedAt, click?.network ?? null, click?.productId ?? null);
        if (!row) continue;
        if (held) row.held += 1;
        else row.refused[a.decision] = (row.refused[a.decision] ?? 0) + 1;
      }
      return [...rows.values()];
    },
  };
}

/** Leases in a map: each call is one critical section, so of concurrent acquires one wins. */
export function memoryLeases(state: Pick<MemoryAdminState, 'leases'>): LeaseStore {
  return {
    async acquire(name, owner, ttlMs, now) {
      const current = state.leases.get(name);
      if (current && current.owner !== owner && current.expiresAt > now.getTime()) return false;
      state.leases.set(name, { owner, expiresAt: now.getTime() + ttlMs });
      return true;
    },
    async release(name, owner) {
      if (state.leases.get(name)?.owner === owner) state.leases.delete(name);
    },
  };
}
