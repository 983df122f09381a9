/**
 * The Redis store's admin side. Lists read the shard indexes the write scripts keep (see
 * prelude-admin-index): the most selective index of the filter is walked newest first in each
 * shard by one read-only script (remaining filters applied there), and the shards' answers are
 * merged; a filter on a click id reads that click's shard only. Statistics read the time indexes
 * inside the window, so their cost follows the window's rows and the shard count, not history.
 * Ledger statements, adjustments and leases are single-slot scripts.
 * @module
 */
import {
  ConflictError,
  REFUSED_DECISIONS,
  type AdminListQuery,
  type AdminStore,
  type ClickRecord,
  type EarningRecord,
  type LeaseStore,
  type PostbackAttempt,
  type PostbackDecisionCode,
  type StatsRow,
  type TimeRange,
} from 'clickcredit';
import { luaScript, runScript, type RedisClientLike } from './client.js';
import type { ChangeLog } from './change-log.js';
import type { KeyLayout } from './keys.js';
import { luaJson } from './lua-json.js';
import { attemptFromJson, clickFromHash, earningFromJson, hashOf, ledgerEntryFromJson, operationToJson, type StoredJson } from './records.js';
import { adminReadLua } from './scripts/admin-read.lua.js';
import { adjustWalletLua, leaseLua, ledgerPageLua } from './scripts/admin-wallet.lua.js';
import { eventOfReply } from './events.js';

const READ = luaScript(adminReadLua);
const LEDGER_PAGE = luaScript(ledgerPageLua);
const ADJUST = luaScript(adjustWalletLua);
const LEASE = luaScript(leaseLua);

type Kind = 'attempt' | 'earning' | 'click';

/** ZREVRANGEBYSCORE bounds of a page: below the cursor (its score inclusive, ties cut by id) and inside [from, to). */
function bounds(query: AdminListQuery<TimeRange>): { max: string; min: string; afterAt?: number; afterId?: string } {
  const { from, to } = query.filter;
  const after = query.after;
  const min = from ? String(from.getTime()) : '-inf';
  if (after && (!to || after.at.getTime() < to.getTime())) return { max: String(after.at.getTime()), min, afterAt: after.at.getTime(), afterId: after.id };
  return { max: to ? `(${to.getTime()}` : '+inf', min };
}

/** The first filter with a value names the index to walk; the others are checked per record. */
function plan(indexes: Array<[field: string, code: string]>, filter: Record<string, unknown>, base: string): { index: string; rest: Record<string, unknown> } {
  const rest: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(filter)) if (value !== undefined && field !== 'from' && field !== 'to') rest[field] = value;
  for (const [field, code] of indexes) {
    const value = rest[field];
    if (typeof value === 'string') {
      delete rest[field];
      return { index: `${base}:${code}:${value}`, rest };
    }
  }
  return { index: base, rest };
}

/** Newest first, ties by id descending: the order of every admin list. */
function newestFirst<T>(position: (row: T) => { at: number; id: string }) {
  return (a: T, b: T) => {
    const pa = position(a);
    const pb = position(b);
    if (pa.at !== pb.at) return pb.at - pa.at;
    return pa.id < pb.id ? 1 : pa.id > pb.id ? -1 : 0;
  };
}

const STATS_DECISIONS: readonly PostbackDecisionCode[] = ['held', ...REFUSED_DECISIONS];

/** The admin queries of a Redis store. */
export function redisAdmin(client: RedisClientLike, keys: KeyLayout, log: ChangeLog,
  events: { forAdjustment(userId: string): Promise<string>; order(at: Date): string } | null = null): AdminStore {
  const allShards = () => Array.from({ length: keys.shards }, (_, shard) => keys.shardBase(shard));

  async function scan(kind: Kind, shards: string[], index: string, rest: Record<string, unknown>, query: AdminListQuery<TimeRange>): Promise<StoredJson[]> {
    // The indexes hold every change once the log is folded: read your writes.
    await log.foldAll();
    const request = luaJson({ op: 'scan', kind, index, filter: rest, need: query.limit, ...bounds(query) });
    const replies = await Promise.all(shards.map((base) => runScript(client, READ, base, request)));
    return replies.flatMap((reply) => (Array.isArray(reply) ? reply : []).map((text) => JSON.parse(String(text)) as StoredJson));
  }

  async function list<T>(kind: Kind, query: AdminListQuery<TimeRange>, indexes: Array<[string, string]>, base: string,
    read: (j: StoredJson) => T, position: (row: T) => { at: number; id: string }, shard?: string): Promise<T[]> {
    const { index, rest } = plan(indexes, query.filter as Record<string, unknown>, base);
    const rows = (await scan(kind, shard === undefined ? allShards() : [shard], index, rest, query)).map(read);
    return rows.sort(newestFirst(position)).slice(0, query.limit);
  }

  return {
    async listAttempts(query) {
      const f = query.filter;
      // An attempt lives in the shard of the click id it named (malformed or absent ones included).
      const shard = f.clickId === undefined ? undefined : keys.clickBase(f.clickId);
      return list<PostbackAttempt>('attempt', query,
        [['clickId', 'c'], ['conversionId', 'cv'], ['userId', 'u'], ['sourceIp', 'ip'], ['network', 'n'], ['decision', 'd']], ':ix:a',
        (j) => ({ ...attemptFromJson(j), rule: j.rule ?? null }), (a) => ({ at: a.receivedAt.getTime(), id: a.attemptId }), shard);
    },

    listEarnings(query) {
      return list<EarningRecord>('earning', query,
        [['userId', 'u'], ['productId', 'p'], ['network', 'n'], ['approvalStatus', 'as'], ['status', 'st']], ':ix:e',
        earningFromJson, (e) => ({ at: e.createdAt.getTime(), id: e.earningId }));
    },

    async attemptsOfEarning(earning) {
      await log.foldShard(keys.shardOf(earning.clickId));
      const rows = await client.lrange(`${keys.clickBase(earning.clickId)}:audit:${earning.clickId}`, 0, -1);
      return rows
        .map((raw) => attemptFromJson(JSON.parse(raw) as StoredJson))
        .filter((a) => a.earningId === earning.earningId || a.conversionId === earning.conversionId);
    },

    listClicks(query) {
      return list<ClickRecord>('click', query, [['userId', 'u'], ['productId', 'p'], ['status', 'st']], ':ix:c',
        (j) => clickFromHash(String((j as unknown as [string, string[]])[0]), hashOf((j as unknown as [string, string[]])[1]))!,
        (c) => ({ at: c.createdAt.getTime(), id: c.clickId }));
    },

    async ledgerPage({ userId, limit, after }) {
      const reply = JSON.parse(String(await runScript(client, LEDGER_PAGE, keys.userBase(userId), after ?? '', limit))) as {
        balance: string;
        entries: Array<[string, string]> | Record<string, never>;
      };
      const entries = Array.isArray(reply.entries) ? reply.entries : [];
      return {
        balanceMinor: BigInt(reply.balance),
        entries: entries.map(([position, text]) => ({ ...ledgerEntryFromJson(JSON.parse(text) as StoredJson), position })),
      };
    },

    async adjustWallet({ op, allowOverdraft, eventId }) {
      let reply: unknown;
      const eventsBase = events === null || eventId === undefined ? null : await events.forAdjustment(op.userId);
      // The adjustment records its event directly: the events logged before it are recorded first.
      if (eventsBase !== null) await log.foldAll();
      try {
        reply = await runScript(client, ADJUST, keys.userBase(op.userId), luaJson(operationToJson(op)), keys.userPrefix, allowOverdraft ? '1' : '0',
          eventsBase ?? '', eventsBase === null ? '' : (eventId ?? ''), events === null ? '0' : events.order(op.createdAt));
      } catch (error) {
        if (String((error as Error | null)?.message).startsWith('CONFLICT')) throw new ConflictError('Idempotency key already used for a different wallet operation');
        throw error;
      }
      const r = JSON.parse(String(reply)) as { decision: 'applied' | 'duplicate' | 'insufficient'; balance: string; event?: unknown };
      return { decision: r.decision, balanceMinor: BigInt(r.balance), event: eventOfReply(r.event) };
    },

    async stats(query) {
      const step = query.bucket === 'hour' ? 3_600_000 : 86_400_000;
      await log.foldAll();
      const request = luaJson({ op: 'stats', from: query.from.getTime(), to: query.to.getTime(), decisions: STATS_DECISIONS });
      const replies = await Promise.all(allShards().map((base) => runScript(client, READ, base, request)));
      const out = new Map<string, StatsRow>();
      for (const reply of replies) {
        const rows = JSON.parse(String(reply)) as Array<[string, number, string | null, string | null, string | null, string]> | Record<string, never>;
        for (const [part, at, network, productId, decision, amount] of Array.isArray(rows) ? rows : []) {
          if (query.network !== undefined && network !== query.network) continue;
          if (query.productId !== undefined && productId !== query.productId) continue;
          const bucketStart = new Date(Math.floor(at / step) * step);
          const key = `${bucketStart.getTime()}\u0000${network ?? ''}\u0000${productId ?? ''}`;
          let row = out.get(key);
          if (!row) {
            row = { bucketStart, network, productId, clicks: 0, conversions: 0, creditedMinor: 0n, reversedMinor: 0n, held: 0, refused: {} };
            out.set(key, row);
          }
          if (part === 'clicks') row.clicks += 1;
          else if (part === 'conversions') row.conversions += 1;
          else if (part === 'credited') row.creditedMinor += BigInt(amount);
          else if (part === 'reversed') row.reversedMinor += BigInt(amount);
          else if (decision === 'held') row.held += 1;
          else if (decision !== null) {
            const code = decision as PostbackDecisionCode;
            row.refused[code] = (row.refused[code] ?? 0) + 1;
          }
        }
      }
      return [...out.values()];
    },
  };
}

/** Leases: one key per lease (`<prefix>:lease:<name>`), taken and released by one script. */
export function redisLeases(client: RedisClientLike, keys: KeyLayout): LeaseStore {
  const key = (name: string) => `${keys.prefix}:lease:${name}`;
  return {
    async acquire(name, owner, ttlMs, now) {
      return Number(await runScript(client, LEASE, key(name), 'acquire', owner, now.getTime() + ttlMs, now.getTime())) === 1;
    },
    async release(name, owner) {
      await runScript(client, LEASE, key(name), 'release', owner, 0, 0);
    },
  };
}
