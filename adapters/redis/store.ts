/**
 * The Redis store. Every state change is one Lua script run by SHA (ioredis loads it once and
 * re-sends it after NOSCRIPT, i.e. after a restart or SCRIPT FLUSH); scripts touch one slot.
 * Standalone: a postback writes earning and ledger in one script (inline). Cluster: the click's
 * shard and the user's wallet are different slots, so money goes through the outbox.
 * @module
 */
import {
  ConflictError,
  type ClickStore,
  type ConversionDecision,
  type EarningRecord,
  type RawReads,
  type WalletOperation,
  type WalletPort,
} from 'clickcredit';
import { clickIdOfEarning, earningIdFor, keyLayout } from './keys.js';
import {
  attemptFromJson, attemptToJson, clickFromJson, clickToJson, earningFromJson, ledgerEntryFromJson, operationFromJson, operationToJson,
} from './records.js';
import { applyConversionLua } from './scripts/apply-conversion.lua.js';
import { expireClicksLua, insertClickLua, recordVisitLua, settleLua } from './scripts/click.lua.js';
import { decideApprovalLua } from './scripts/decide-approval.lua.js';
import { indexEarningLua, walletApplyLua } from './scripts/wallet.lua.js';

/** The subset of an ioredis `Redis` or `Cluster` the store uses (no ioredis types leak out). */
export interface RedisClientLike {
  defineCommand(name: string, definition: { numberOfKeys: number; lua: string }): void;
  get(key: string): Promise<string | null>;
  lrange(key: string, start: number, stop: number): Promise<string[]>;
  rpush(key: string, ...values: string[]): Promise<number>;
  expire(key: string, seconds: number): Promise<number>;
  zrevrangebyscore(...args: any[]): Promise<string[]>;
  zrangebyscore(...args: any[]): Promise<string[]>;
  zrange(key: string, start: number, stop: number): Promise<string[]>;
  smembers(key: string): Promise<string[]>;
  hmget(key: string, ...fields: string[]): Promise<(string | null)[]>;
  hgetall(key: string): Promise<Record<string, string>>;
  isCluster?: boolean;
}

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /** An ioredis `Redis` or `Cluster`. The store never closes it: you own it. */
  client: RedisClientLike;
  /** Key prefix; one prefix per deployment (or per test run). Default `cc`. */
  prefix?: string;
  /** Number of click shards (hash-tag groups). Default 256. Never change it on live data. */
  shards?: number;
  /** How long a click key outlives its expiry, so late postbacks get 410, not 404. Default 30 days. */
  clickRetentionSeconds?: number;
  /** How long postback audit rows are kept (0: forever). Default 0. */
  auditRetentionSeconds?: number;
  /** Force the cluster (outbox) layout on a standalone server. Default: on for a Cluster client. */
  crossSlot?: boolean;
}

/** A Redis store: the {@link ClickStore} plus raw reads for tests. */
export interface RedisStore extends ClickStore {
  readonly raw: RawReads;
}

const COMMANDS = {
  ccApplyConversion: applyConversionLua,
  ccInsertClick: insertClickLua,
  ccRecordVisit: recordVisitLua,
  ccExpireClicks: expireClicksLua,
  ccSettle: settleLua,
  ccWalletApply: walletApplyLua,
  ccIndexEarning: indexEarningLua,
  ccDecideApproval: decideApprovalLua,
} as const;

/** Creates a Redis store on a standalone server or a Redis Cluster. */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  const { client } = options;
  const keys = keyLayout(options.prefix ?? 'cc', options.shards ?? 256);
  const crossSlot = options.crossSlot ?? client.isCluster === true;
  const retentionMs = (options.clickRetentionSeconds ?? 30 * 86_400) * 1000;
  const auditTtl = options.auditRetentionSeconds ?? 0;
  for (const [name, lua] of Object.entries(COMMANDS)) client.defineCommand(name, { numberOfKeys: 1, lua });
  // Commands added by defineCommand above: EVALSHA, with EVAL (and so a reload) after NOSCRIPT.
  const scripted = client as unknown as Record<string, (...args: (string | number)[]) => Promise<any>>;
  const run = (name: keyof typeof COMMANDS, key: string, ...args: (string | number)[]): Promise<any> => scripted[name]!(key, ...args);
  const parse = (text: string) => JSON.parse(text) as Record<string, any>;
  const list = (value: unknown): Record<string, any>[] => (Array.isArray(value) ? value : []);

  const wallet: WalletPort = {
    // One script in the user's slot: exactly one of concurrent callers with a key appends the entry.
    async apply(op) {
      try {
        const result = parse(await run('ccWalletApply', keys.userBase(op.userId), JSON.stringify(operationToJson(op)), op.createdAt.getTime()));
        return { duplicate: Boolean(result.duplicate), balanceMinor: BigInt(String(result.balance)) };
      } catch (error) {
        if (/CONFLICT/.test(String((error as Error).message))) throw new ConflictError('Idempotency key already used for a different wallet operation');
        throw error;
      }
    },
    async getBalance(userId) {
      return BigInt((await client.get(`${keys.userBase(userId)}:balance`)) ?? '0');
    },
  };

  const getEarning = async (earningId: string): Promise<EarningRecord | null> => {
    const clickId = clickIdOfEarning(earningId);
    if (clickId === null) return null;
    const raw = await client.get(`${keys.clickBase(clickId)}:earning:${earningId}`);
    return raw ? earningFromJson(parse(raw)) : null;
  };

  /** Cluster path: earnings reach the user's index through an internal outbox entry. */
  const indexEarning = async (shard: number, op: Record<string, any>) => {
    await run('ccIndexEarning', keys.userBase(op.userId), op.earningId, op.createdAt);
    await run('ccSettle', keys.shardBase(shard), op.key, Date.now());
  };

  const store: RedisStore = {
    name: crossSlot ? 'redis-cluster' : 'redis',
    supportsInlineLedger: !crossSlot,
    wallet,

    async insertClick(click) {
      const inserted = await run('ccInsertClick', keys.clickBase(click.clickId), click.clickId, JSON.stringify(clickToJson(click)),
        click.expiresAt.getTime() + retentionMs, click.expiresAt.getTime());
      if (Number(inserted) !== 1) throw new ConflictError('Click id already exists');
    },

    async recordVisit(clickId, at) {
      const raw = await run('ccRecordVisit', keys.clickBase(clickId), clickId, at.getTime());
      return raw ? clickFromJson(parse(raw)) : null;
    },

    async getClick(clickId) {
      const raw = await client.get(`${keys.clickBase(clickId)}:click:${clickId}`);
      return raw ? clickFromJson(parse(raw)) : null;
    },

    // One script in the click's shard: Redis runs it alone, so exactly one of concurrent
    // postbacks of a click creates its earning; the others see it.
    async applyConversion(c) {
      const command = {
        attemptId: c.attemptId, clickId: c.clickId, conversionId: c.conversionId, action: c.action, status: c.postbackStatus,
        amount: c.amountMinor === null ? null : c.amountMinor.toString(), rawAmount: c.rawAmount, transactionId: c.transactionId,
        offerId: c.offerId, now: c.now.getTime(), newEarningId: earningIdFor(c.clickId, c.newEarningId), ledger: c.ledger,
        sourceIp: c.sourceIp, rawData: c.rawData, crossSlot, userPrefix: keys.userPrefix, auditTtl,
      };
      const result = parse(await run('ccApplyConversion', keys.clickBase(c.clickId), JSON.stringify(command)));
      const earning = result.earning && typeof result.earning === 'object' ? earningFromJson(result.earning) : null;
      if (crossSlot && earning && (result.decision as string) !== 'duplicate') {
        const indexOp = { key: `index:${earning.earningId}`, userId: earning.userId, earningId: earning.earningId, createdAt: earning.createdAt.getTime() };
        await indexEarning(keys.shardOf(c.clickId), indexOp).catch(() => undefined); // retried from the outbox
      }
      return { decision: result.decision as ConversionDecision, earning, owed: list(result.owed).map(operationFromJson) };
    },

    async recordPostbackAttempt(attempt) {
      const key = `${keys.clickBase(attempt.clickId ?? '')}:audit:${attempt.clickId ?? ''}`;
      await client.rpush(key, JSON.stringify(attemptToJson(attempt)));
      if (auditTtl > 0) await client.expire(key, auditTtl);
    },

    async listPostbackAttempts(clickId) {
      return (await client.lrange(`${keys.clickBase(clickId)}:audit:${clickId}`, 0, -1)).map((raw) => attemptFromJson(parse(raw)));
    },

    getEarning,

    async listEarnings({ userId, limit, after }) {
      const index = `${keys.userBase(userId)}:earnings`;
      let ids: string[];
      if (after === null) {
        ids = await client.zrevrangebyscore(index, '+inf', '-inf', 'LIMIT', 0, limit);
      } else {
        const at = after.createdAt.getTime();
        // Same-millisecond earnings are ordered by id (descending), as ZREVRANGE orders ties.
        const tied = (await client.zrangebyscore(index, at, at)).filter((id) => id < after.earningId).sort().reverse();
        const older = await client.zrevrangebyscore(index, `(${at}`, '-inf', 'LIMIT', 0, limit);
        ids = [...tied, ...older].slice(0, limit);
      }
      const earnings = await Promise.all(ids.map(getEarning));
      return earnings.filter((e): e is EarningRecord => e !== null);
    },

    // In the click's shard, like postbacks of that click: approvals and reversals never interleave.
    async decideApproval(c) {
      const clickId = clickIdOfEarning(c.earningId);
      if (clickId === null) return { decision: 'not_found', earning: null, owed: [] };
      const result = parse(await run('ccDecideApproval', keys.clickBase(clickId), JSON.stringify({
        earningId: c.earningId, approve: c.approve, now: c.now.getTime(), ledger: c.ledger, userPrefix: keys.userPrefix,
      })));
      return {
        decision: result.decision,
        earning: result.earning && typeof result.earning === 'object' ? earningFromJson(result.earning) : null,
        owed: list(result.owed).map(operationFromJson),
      };
    },

    // Key TTLs already end clicks; this marks pending ones as expired, shard by shard.
    async expireClicks(now, limit) {
      let expired = 0;
      for (let shard = 0; shard < keys.shards && expired < limit; shard += 1) {
        expired += Number(await run('ccExpireClicks', keys.shardBase(shard), now.getTime(), limit - expired));
      }
      return expired;
    },

    async listOwedOperations(limit) {
      const owed: WalletOperation[] = [];
      for (let shard = 0; shard < keys.shards && owed.length < limit; shard += 1) {
        const base = keys.shardBase(shard);
        const opKeys = await client.zrange(`${base}:owed`, 0, limit - 1);
        if (opKeys.length === 0) continue;
        for (const raw of await client.hmget(`${base}:ops`, ...opKeys)) {
          if (!raw) continue;
          const op = parse(raw);
          if (op.kind === 'index') await indexEarning(shard, op);
          else if (owed.length < limit) owed.push(operationFromJson(op));
        }
      }
      return owed.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    },

    async settleOwedOperation(key, at) {
      const earningId = /^earning:(.+):[a-z_]+$/.exec(key)?.[1];
      const clickId = earningId ? clickIdOfEarning(earningId) : null;
      if (clickId) await run('ccSettle', keys.clickBase(clickId), key, at.getTime());
    },

    async close() {},

    raw: {
      async ledgerEntries(userId) {
        return (await client.lrange(`${keys.userBase(userId)}:ledger`, 0, -1)).map((raw) => ledgerEntryFromJson(parse(raw)));
      },
      async cachedBalance(userId) {
        return wallet.getBalance(userId);
      },
      async earningsOfClick(clickId) {
        const base = keys.clickBase(clickId);
        const earningIds = Object.values(await client.hgetall(`${base}:conv:${clickId}`));
        const earnings = await Promise.all(earningIds.map(getEarning));
        return earnings.filter((e): e is EarningRecord => e !== null);
      },
      async outboxOfEarning(earningId) {
        const clickId = clickIdOfEarning(earningId);
        if (!clickId) return [];
        const base = keys.clickBase(clickId);
        const opKeys = await client.smembers(`${base}:opsof:${earningId}`);
        if (opKeys.length === 0) return [];
        return (await client.hmget(`${base}:ops`, ...opKeys)).filter((raw): raw is string => raw !== null).map((raw) => {
          const op = parse(raw);
          return { ...operationFromJson(op), settledAt: op.settledAt ? new Date(Number(op.settledAt)) : null };
        });
      },
    },
  };
  return store;
}
