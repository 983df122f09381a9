/**
 * The Postgres store's admin side: list queries on the indexes of migration 003 (each filter has
 * an index ending in the list order, so a page is an index range of `limit` rows), statistics on
 * the time indexes, the balance-checked adjustment (`adjust_wallet`) and the worker leases.
 * @module
 */
import {
  ConflictError,
  REFUSED_DECISIONS,
  type AdminListQuery,
  type AdminStore,
  type LeaseStore,
  type ListPosition,
  type PostbackDecisionCode,
  type StatsRow,
  type TimeRange,
} from 'clickcredit';
import { CLICK_COLUMNS, OPERATION_COLUMNS, toAttempt, toClick, toEarning, toLedgerEntry } from './rows.js';
import { eventOfAnswer } from './events.js';

type Rows = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

/** A keyset page: `WHERE <filters> AND (time, id) < (after) ORDER BY time DESC, id DESC LIMIT n`. */
export function pageSql(
  from: string,
  columns: string,
  timeColumn: string,
  idColumn: string,
  equal: Array<[column: string, value: string | undefined]>,
  query: AdminListQuery<TimeRange>,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const where: string[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  for (const [column, value] of equal) if (value !== undefined) where.push(`${column} = ${param(value)}`);
  const { from: start, to } = query.filter;
  if (start) where.push(`${timeColumn} >= ${param(start.toISOString())}`);
  if (to) where.push(`${timeColumn} < ${param(to.toISOString())}`);
  const after: ListPosition | null = query.after;
  if (after) where.push(`(${timeColumn}, ${idColumn}) < (${param(after.at.toISOString())}::timestamptz, ${param(after.id)}::text)`);
  const sql = `SELECT ${columns} FROM ${from}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
    ORDER BY ${timeColumn} DESC, ${idColumn} DESC LIMIT ${param(query.limit)}`;
  return { sql, params };
}

const STATS_DECISIONS: readonly PostbackDecisionCode[] = ['held', ...REFUSED_DECISIONS];

/** The admin queries on schema `s` (quoted). */
export function postgresAdmin(s: string, all: Rows): AdminStore {
  return {
    async listAttempts(query) {
      const f = query.filter;
      const { sql, params } = pageSql(`${s}.postback_attempts`, '*', 'received_at', 'attempt_id', [
        ['decision', f.decision], ['user_id', f.userId], ['network', f.network], ['click_id', f.clickId],
        ['conversion_id', f.conversionId], ['source_ip', f.sourceIp],
      ], query);
      return (await all(sql, params)).map(toAttempt);
    },

    async listEarnings(query) {
      const f = query.filter;
      const { sql, params } = pageSql(`${s}.earnings e`, `${s}.earning_json(e) AS earning`, 'created_at', 'earning_id', [
        ['approval_status', f.approvalStatus], ['status', f.status], ['user_id', f.userId], ['network', f.network], ['product_id', f.productId],
      ], query);
      return (await all(sql, params)).map((row) => toEarning(row.earning));
    },

    async attemptsOfEarning(earning) {
      const rows = await all(
        `SELECT * FROM ${s}.postback_attempts WHERE earning_id = $1 OR (click_id = $2 AND conversion_id = $3) ORDER BY seq`,
        [earning.earningId, earning.clickId, earning.conversionId],
      );
      return rows.map(toAttempt);
    },

    async listClicks(query) {
      const f = query.filter;
      const { sql, params } = pageSql(`${s}.clicks`, CLICK_COLUMNS, 'created_at', 'click_id', [
        ['user_id', f.userId], ['product_id', f.productId], ['status', f.status],
      ], query);
      return (await all(sql, params)).map(toClick);
    },

    // One statement, so the balance and the entries come from one snapshot.
    async ledgerPage({ userId, limit, after }) {
      const rows = await all(
        `SELECT w.balance::text AS wallet_balance, e.* FROM (SELECT 1) one
           LEFT JOIN ${s}.wallets w ON w.user_id = $1
           LEFT JOIN LATERAL (
             SELECT entry_id::text AS entry_id, idempotency_key, ${OPERATION_COLUMNS} FROM ${s}.ledger_entries
             WHERE user_id = $1 AND ($2::bigint IS NULL OR entry_id < $2::bigint) ORDER BY entry_id DESC LIMIT $3) e ON true`,
        [userId, after, limit],
      );
      const balance = rows[0]?.wallet_balance;
      return {
        balanceMinor: balance === null || balance === undefined ? 0n : BigInt(String(balance)),
        entries: rows.filter((row) => row.entry_id !== null && row.entry_id !== undefined).map((row) => ({ ...toLedgerEntry(row), position: String(row.entry_id) })),
      };
    },

    async adjustWallet({ op, allowOverdraft, eventId }) {
      // adjustment_event records the wallet.adjusted event in the same statement (migration 004).
      const rows = await all(
        `SELECT ${s}.adjustment_event(${s}.adjust_wallet($1, $2, $3, $4, $5, $6::timestamptz, $7), $8, $1, $2, $4, $5, $6::timestamptz) AS r`,
        [op.key, op.userId, op.kind, op.amountMinor.toString(), op.reason, op.createdAt.toISOString(), allowOverdraft, eventId ?? null],
      );
      const raw = rows[0]?.r;
      const r = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { decision: string; balance?: string; event?: unknown };
      if (r.decision === 'conflict') throw new ConflictError('Idempotency key already used for a different wallet operation');
      return { decision: r.decision as 'applied' | 'duplicate' | 'insufficient', balanceMinor: BigInt(r.balance ?? '0'), event: eventOfAnswer(r.event) };

    },

    // Each part is a range of a time index inside [from, to): the cost follows the window's rows.
    async stats(query) {
      const step = query.bucket === 'hour' ? 3_600_000 : 86_400_000;
      const bucket = (column: string) => `floor(extract(epoch from ${column}) * 1000 / $3)::bigint`;
      const scope = '($4::text IS NULL OR network = $4) AND ($5::text IS NULL OR product_id = $5)';
      const rows = await all(
        `SELECT 'clicks' AS part, ${bucket('created_at')} AS b, network, product_id, NULL AS decision, count(*)::text AS n
           FROM ${s}.clicks WHERE created_at >= $1 AND created_at < $2 AND ${scope} GROUP BY 2, 3, 4
         UNION ALL
         SELECT 'conversions', ${bucket('created_at')}, network, product_id, NULL, count(*)::text
           FROM ${s}.earnings WHERE created_at >= $1 AND created_at < $2 AND ${scope} GROUP BY 2, 3, 4
         UNION ALL
         SELECT 'credited', ${bucket('credited_at')}, network, product_id, NULL, sum(amount)::text
           FROM ${s}.earnings WHERE credited_at >= $1 AND credited_at < $2 AND credited_at IS NOT NULL AND ${scope} GROUP BY 2, 3, 4
         UNION ALL
         SELECT 'reversed', ${bucket('cancelled_at')}, network, product_id, NULL, sum(amount)::text
           FROM ${s}.earnings WHERE cancelled_at >= $1 AND cancelled_at < $2 AND cancelled_at IS NOT NULL AND credited AND ${scope} GROUP BY 2, 3, 4
         UNION ALL
         SELECT 'attempts', ${bucket('received_at')}, network, product_id, decision, count(*)::text
           FROM ${s}.postback_attempts WHERE received_at >= $1 AND received_at < $2 AND decision = ANY($6::text[]) AND ${scope} GROUP BY 2, 3, 4, 5`,
        [query.from.toISOString(), query.to.toISOString(), step, query.network ?? null, query.productId ?? null, STATS_DECISIONS],
      );
      const out = new Map<string, StatsRow>();
      for (const row of rows) {
        const bucketStart = new Date(Number(row.b) * step);
        const network = row.network === null ? null : String(row.network);
        const productId = row.product_id === null ? null : String(row.product_id);
        const key = `${bucketStart.getTime()}\u0000${network ?? ''}\u0000${productId ?? ''}`;
        let stats = out.get(key);
        if (!stats) {
          stats = { bucketStart, network, productId, clicks: 0, conversions: 0, creditedMinor: 0n, reversedMinor: 0n, held: 0, refused: {} };
          out.set(key, stats);
        }
        const n = String(row.n);
        if (row.part === 'clicks') stats.clicks += Number(n);
        else if (row.part === 'conversions') stats.conversions += Number(n);
        else if (row.part === 'credited') stats.creditedMinor += BigInt(n);
        else if (row.part === 'reversed') stats.reversedMinor += BigInt(n);
        else if (row.decision === 'held') stats.held += Number(n);
        else {
          const decision = String(row.decision) as PostbackDecisionCode;
          stats.refused[decision] = (stats.refused[decision] ?? 0) + Number(n);
        }
      }
      return [...out.values()];
    },
  };
}

/** Leases as rows: taking one is one upsert, which row-locks it, so of concurrent takers one wins. */
export function postgresLeases(s: string, all: Rows): LeaseStore {
  return {
    async acquire(name, owner, ttlMs, now) {
      const rows = await all(
        `INSERT INTO ${s}.worker_leases AS l (name, owner, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
         WHERE l.owner = EXCLUDED.owner OR l.expires_at <= $4 RETURNING 1 AS taken`,
        [name, owner, new Date(now.getTime() + ttlMs).toISOString(), now.toISOString()],
      );
      return rows.length === 1;
    },
    async release(name, owner) {
      await all(`DELETE FROM ${s}.worker_leases WHERE name = $1 AND owner = $2`, [name, owner]);
    },
  };
}
