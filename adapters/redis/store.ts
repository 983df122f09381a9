/**
 * The Redis store. Every state change is one Lua script run by SHA (see client.ts), and every
 * script touches one slot. Standalone layout: a postback writes earning, ledger entries, balances
 * and audit row in one script (`inline`). Cluster layout: the click's shard and the user's wallet
 * are different slots, so money goes through the outbox (`supportsInlineLedger: false`).
 * @module
 */
import { ConflictError, type ClickStore, type ConversionDecision, type EarningRecord, type RiskRuleCode, type WalletPort } from 'clickcredit';
import { eventOfApproval, eventOfConversion } from 'clickcredit/store';
import { redisAdmin, redisLeases } from './admin-queries.js';
import { changeLog } from './change-log.js';
import { redisEvents } from './events.js';
import { countConnectionLosses, luaScript, runScript, type RedisArg, type RedisClientLike } from './client.js';
import { SCRIPTS } from './commands.js';
import { conversionCommandArgs } from './conversion-command.js';
import { clickIdOfEarning, clickIdOfOperationKey, keyLayout, networkTransactionSlot, type KeyLayout } from './keys.js';
import { luaJson } from './lua-json.js';
import { finishIndexEntry, listOwed } from './outbox.js';
import { readEarning } from './raw-reads.js';
import { reserveCounters, settleReservations } from './risk-reservations.js';
import { attemptFromJson, attemptToJson, clickFromHash, clickToHash, hashOf, earningFromJson, operationFromJson, operationToJson, type StoredJson } from './records.js';

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /** An ioredis `Redis` or `Cluster` (without `keyPrefix`: use `prefix`). The store never closes it. */
  client: RedisClientLike;
  /** Key prefix; one per deployment (or per test run). No braces. Default `cc`. */
  prefix?: string;
  /** Number of click shards (hash-tag groups). Default 256. Never change it on live data. */
  shards?: number;
  /**
   * `standalone`: one script per postback writes the ledger too (inline). `cluster`: every
   * script stays in one slot and money goes through the outbox; required on a Redis Cluster and
   * allowed on a standalone server (to move to a cluster later without changing layouts).
   * Default: `cluster` for an ioredis `Cluster`, `standalone` otherwise.
   */
  layout?: 'standalone' | 'cluster';
  /** How long a click key outlives its expiry, so late postbacks get 410, not 404. Default 30 days. */
  clickRetentionSeconds?: number;
  /** How long a click's postback audit rows are kept after its last attempt (0: forever). Default 0. */
  auditRetentionSeconds?: number;
}

/** A Redis store (raw reads of its keys, for tests: `createRedisRawReads`). */
export interface RedisStore extends ClickStore {
  /** The key layout in use. */
  readonly layout: 'standalone' | 'cluster';
}

const DAY_SECONDS = 86_400;

function resolveLayout(options: RedisStoreOptions): 'standalone' | 'cluster' {
  const isCluster = options.client.isCluster === true;
  const layout = options.layout ?? (isCluster ? 'cluster' : 'standalone');
  if (layout === 'standalone' && isCluster) {
    throw new RangeError("A Redis Cluster needs layout 'cluster': a postback's click and wallet live in different slots");
  }
  if (options.client.options?.keyPrefix) {
    throw new RangeError("Use the store's `prefix` option, not the client's `keyPrefix` (Lua scripts build wallet keys themselves)");
  }
  return layout;
}

function seconds(value: number | undefined, fallback: number, name: string): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < 0) throw new RangeError(`${name} must be a non-negative integer`);
  return resolved;
}

const parse = (value: unknown): StoredJson => JSON.parse(String(value)) as StoredJson;
const asList = (value: unknown): StoredJson[] => (Array.isArray(value) ? (value as StoredJson[]) : []);
const earningOf = (value: unknown): EarningRecord | null =>
  value !== null && typeof value === 'object' ? earningFromJson(value as StoredJson) : null;

/** Whether a stored click hash holds exactly these HSET pairs. */
function sameHash(stored: Record<string, string>, fields: string[]): boolean {
  if (Object.keys(stored).length * 2 !== fields.length) return false;
  for (let i = 0; i < fields.length; i += 2) if (stored[fields[i]!] !== fields[i + 1]) return false;
  return true;
}

/** Whether the server answered with an error (ioredis `ReplyError`): the script ran and refused. */
function isErrorReply(error: unknown): boolean {
  return (error as Error | null)?.name === 'ReplyError';
}

/** Creates a Redis store on a standalone server or a Redis Cluster. */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  const { client } = options;
  const layout = resolveLayout(options);
  const crossSlot = layout === 'cluster';
  const keys = keyLayout(options.prefix ?? 'cc', options.shards ?? 256);
  const retentionMs = seconds(options.clickRetentionSeconds, 30 * DAY_SECONDS, 'clickRetentionSeconds') * 1000;
  const auditTtl = seconds(options.auditRetentionSeconds, 0, 'auditRetentionSeconds');
  const run = (script: keyof typeof SCRIPTS, key: string, ...args: RedisArg[]) => runScript(client, SCRIPTS[script], key, ...args);
  const wallet = ledgerWallet(client, keys);
  const connection = countConnectionLosses(client);
  // The event outbox. Standalone: one slot, `{events}`, which every script may touch. Cluster
  // layout: each script writes its event in its own slot (`<shard>:ev`, `{u:<id>}:ev`).
  const eventBases = eventBasesOf(client, keys, crossSlot);
  // Admin indexes and events: one change-log record per change, folded before they are read.
  const log = changeLog(client, keys, crossSlot);
  const logOf = (clickId: string) => log.ofShard(keys.shardOf(clickId));

  const store: RedisStore = {
    name: crossSlot ? 'redis-cluster' : 'redis',
    supportsInlineLedger: !crossSlot,
    layout,
    wallet,
    admin: redisAdmin(client, keys, log, eventBases),
    leases: redisLeases(client, keys),
    events: redisEvents(client, eventBases.all, log),

    // SET NX in the click's shard: of two inserts of one id, exactly one creates the key.
    async insertClick(click) {
      const expiresAt = click.expiresAt.getTime();
      // A tracker clock behind the wall clock must not give the key an expiry already past.
      const keyExpiry = expiresAt + retentionMs > Date.now() ? expiresAt + retentionMs : Date.now() + (expiresAt - click.clickedAt.getTime()) + retentionMs;
      const fields = clickToHash(click);
      const lossesBefore = connection.losses;
      const ntx = networkTransactionSlot(keys, click, crossSlot);
      if (ntx && !ntx.reachable) {
        throw new ConflictError('Redis cluster layout: a network click must carry the id userKeyedClickId(network, transactionId)');
      }
      const inserted = await run('insertClick', keys.clickBase(click.clickId), click.clickId, keyExpiry, expiresAt,
        click.createdAt.getTime() - retentionMs, ntx?.base ?? '', ntx?.field ?? '', logOf(click.clickId), ...fields);
      if (Number(inserted) === 2) throw new ConflictError('Network transaction id already exists');
      // Clicks far outnumber conversions: their records must keep the log short too.
      if (Number(inserted) === 3) log.foldSoon();
      // ioredis sends a command again when a dropped connection lost its reply: the second insert
      // then finds this very click, which is this call's success, not somebody else's id.
      const replayed = connection.losses !== lossesBefore
        && sameHash(await client.hgetall(`${keys.clickBase(click.clickId)}:click:${click.clickId}`), fields);
      if (Number(inserted) !== 1 && Number(inserted) !== 3 && !replayed) throw new ConflictError('Click id already exists');
    },

    // One script: concurrent visits each count once (Redis runs scripts one at a time).
    async recordVisit(clickId, at) {
      const flat = await run('recordVisit', keys.clickBase(clickId), clickId, at.getTime());
      return flat === null ? null : clickFromHash(clickId, hashOf(flat));
    },

    async getClick(clickId) {
      return clickFromHash(clickId, await client.hgetall(`${keys.clickBase(clickId)}:click:${clickId}`));
    },

    // One script in the click's shard. Redis runs scripts one at a time, so of any number of
    // concurrent postbacks of a click exactly one creates its earning; the others see it.
    async applyConversion(c) {
      // Cluster layout with daily caps: reserve on the day counters first (other slots).
      const reservations = crossSlot ? await reserveCounters(client, keys, c) : null;
      const args = conversionCommandArgs(c, { keys, crossSlot, auditTtl, eventsBase: eventBases.ofClick(c.clickId), eventOrder: eventBases.order(c.now), log: logOf(c.clickId) }, reservations);
      // The reply: the outcome's JSON, then the earning's stored text ('' when none is shown).
      const [head, earningText] = (await run('applyConversion', keys.clickBase(c.clickId), ...args).catch(async (error: unknown) => {
        // An error reply is a refusal before any write: the reservations go back. Anything else
        // (a lost connection, a timeout) may have run: they stay (over-counting, never under).
        if (reservations && isErrorReply(error)) await settleReservations(client, reservations, null).catch(() => undefined);
        throw error;
      })) as [unknown, unknown];
      const result = parse(head);
      if (result.fold === true) log.foldSoon();
      const earning = earningText === '' ? null : earningOf(parse(earningText));
      if (reservations) await settleReservations(client, reservations, result.counted === true && earning ? earning.amountMinor : null);
      if (crossSlot && earning !== null && result.created === true) await indexNow(client, keys, earning);
      const rule = (result.rule ?? null) as RiskRuleCode | null;
      const decision = result.decision as ConversionDecision;
      // The script recorded the step's event (it is written to the outbox by the fold): the same
      // event, built here from the decision and the earning after the step.
      const event = result.event === true ? eventOfConversion({ decision, earning }, c.attemptId, c.now) : null;
      return { decision, earning, owed: asList(result.owed).map(operationFromJson), rule, event };
    },

    // Append-only: concurrent attempts are all kept, in the order Redis ran them.
    async recordPostbackAttempt(attempt) {
      const clickId = attempt.clickId ?? '';
      const long = await run('recordAttempt', keys.clickBase(clickId), clickId, luaJson(attemptToJson(attempt)), auditTtl, logOf(clickId));
      if (Number(long) === 1) log.foldSoon();
    },

    async listPostbackAttempts(clickId) {
      // Audit rows reach the list through the change log.
      await log.foldShard(keys.shardOf(clickId));
      const rows = await client.lrange(`${keys.clickBase(clickId)}:audit:${clickId}`, 0, -1);
      return rows.map((raw) => attemptFromJson(parse(raw)));
    },

    getEarning: (earningId) => readEarning(client, keys, earningId),

    // Standalone layout: a new earning reaches its user's index through the change log.
    async listEarnings(query) {
      if (!crossSlot) await log.foldAll();
      return listEarnings(client, keys, query);
    },

    // In the click's shard, like the postbacks of that click: a decision never interleaves with a
    // reversal, and of concurrent decisions exactly one applies.
    async decideApproval(c) {
      const clickId = clickIdOfEarning(c.earningId);
      if (clickId === null) return { decision: 'not_found', earning: null, owed: [] };
      const result = parse(await run('decideApproval', keys.clickBase(clickId), luaJson({
        earningId: c.earningId, approve: c.approve, now: c.now.getTime(), ledger: c.ledger, userPrefix: keys.userPrefix, crossSlot,
        eventsBase: eventBases.ofClick(clickId), eventOrder: eventBases.order(c.now), recordEvent: c.recordEvent !== false, log: logOf(clickId),
      })));
      if (result.fold === true) log.foldSoon();
      const earning = earningOf(result.earning);
      // The script recorded the decision's event (written to the outbox by the fold): built here too.
      const event = result.event === true && earning !== null ? eventOfApproval(earning, c.approve, c.now) : null;
      return { decision: result.decision, earning, owed: asList(result.owed).map(operationFromJson), event };
    },

    // Key TTLs end clicks; this only marks pending clicks past expiry as expired, shard by shard,
    // each shard in one script (a postback of the same click sees either state, both `expired`).
    // A worker job: it folds the change log too, so the log stays short.
    async expireClicks(now, limit) {
      let expired = 0;
      for (let shard = 0; shard < keys.shards && expired < limit; shard += 1) {
        expired += Number(await run('expireClicks', keys.shardBase(shard), now.getTime(), limit - expired, log.ofShard(shard)));
      }
      await log.foldAll();
      return expired;
    },

    // A worker job too: folds the change log on the way.
    async listOwedOperations(limit) {
      await log.foldAll();
      return listOwed(client, keys, limit);
    },

    // Settling is idempotent: the first settle wins, later ones change nothing.
    async settleOwedOperation(key, at) {
      const clickId = clickIdOfOperationKey(key);
      if (clickId !== null) await run('settleOwed', keys.clickBase(clickId), key, at.getTime());
    },

    async close() {},

  };
  return store;
}

/**
 * Cluster layout: adds a new earning to its user's index right away. A failure here is not lost:
 * the conversion script recorded an internal outbox entry that `retryPendingCredits()` finishes.
 */
async function indexNow(client: RedisClientLike, keys: KeyLayout, earning: EarningRecord): Promise<void> {
  const entry = { key: `index:${earning.earningId}`, userId: earning.userId, earningId: earning.earningId, createdAt: earning.createdAt.getTime() };
  await finishIndexEntry(client, keys, keys.shardOf(earning.clickId), entry).catch(() => undefined);
}

/** The store's own ledger wallet: one script in the user's slot per operation. */
function ledgerWallet(client: RedisClientLike, keys: KeyLayout): WalletPort {
  return {
    // Idempotent by key: of concurrent callers with one key, exactly one appends the entry and
    // moves the balance; the others get `duplicate`. A key reused for another user or amount is a
    // ConflictError, and nothing is written.
    async apply(op) {
      let reply: unknown;
      try {
        reply = await runScript(client, SCRIPTS.walletApply, keys.userBase(op.userId), luaJson(operationToJson(op)), keys.userPrefix);
      } catch (error) {
        if (String((error as Error | null)?.message).startsWith('CONFLICT')) {
          throw new ConflictError('Idempotency key already used for a different wallet operation');
        }
        throw error;
      }
      const result = parse(reply);
      return { duplicate: result.duplicate === true, balanceMinor: BigInt(String(result.balance)) };
    },
    async getBalance(userId) {
      return BigInt((await client.hmget(`${keys.userBase(userId)}:wallet`, 'balance'))[0] ?? '0');
    },
  };
}

/**
 * A user's earnings, newest first: the index is a sorted set by createdAt (ms), and Redis orders
 * equal scores by member, which is the earning id, so the order is (createdAt desc, earningId desc).
 */
async function listEarnings(
  client: RedisClientLike,
  keys: KeyLayout,
  { userId, limit, after }: Parameters<ClickStore['listEarnings']>[0],
): Promise<EarningRecord[]> {
  const index = `${keys.userBase(userId)}:earnings`;
  let ids: string[];
  if (after === null) {
    ids = await client.zrevrangebyscore(index, '+inf', '-inf', 'LIMIT', 0, limit);
  } else {
    const at = after.createdAt.getTime();
    const tied = (await client.zrangebyscore(index, at, at)).filter((id) => id < after.earningId).sort().reverse();
    const older = tied.length >= limit ? [] : await client.zrevrangebyscore(index, `(${at}`, '-inf', 'LIMIT', 0, limit - tied.length);
    ids = [...tied, ...older].slice(0, limit);
  }
  const earnings = await Promise.all(ids.map((id) => readEarning(client, keys, id)));
  return earnings.filter((e): e is EarningRecord => e !== null);
}

const REGISTER = luaScript("#!lua\nredis.call('SADD', KEYS[1], ARGV[1])\nreturn 1");

/** Where the store's events live, per layout (see events.ts). */
export interface EventBases {
  /** The events base a step of this click writes in (its own slot in the cluster layout). */
  ofClick(clickId: string): string;
  /** The events base of an adjustment of this user; registers it first in the cluster layout. */
  forAdjustment(userId: string): Promise<string>;
  /** Every events base to read. */
  all(): Promise<string[]>;
  /**
   * The order key of an event recorded now: a hybrid clock (microseconds of the step's time,
   * raised past the last key this process gave), so the steps one process runs one after the
   * other keep their order across slots even within one millisecond.
   */
  order(at: Date): string;
}

function eventBasesOf(client: RedisClientLike, keys: KeyLayout, crossSlot: boolean): EventBases {
  let last = 0;
  const order = (at: Date) => String((last = Math.max(last + 1, at.getTime() * 1000)));
  if (!crossSlot) {
    const single = `${keys.prefix}:{events}`;
    return { ofClick: () => single, forAdjustment: async () => single, all: async () => [single], order };
  }
  const registry = `${keys.prefix}:{evusers}`;
  const shards = Array.from({ length: keys.shards }, (_, shard) => `${keys.shardBase(shard)}:ev`);
  return {
    ofClick: (clickId) => `${keys.clickBase(clickId)}:ev`,
    // Registered before the script runs: an event recorded there is always found (a registration
    // whose adjustment then records nothing only costs one empty read per batch).
    async forAdjustment(userId) {
      const base = `${keys.userBase(userId)}:ev`;
      await runScript(client, REGISTER, registry, base);
      return base;
    },
    all: async () => [...shards, ...(await client.smembers(registry))],
    order,
  };
}
