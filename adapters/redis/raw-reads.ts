/**
 * Raw reads of the stored data for the conformance suite (and for debugging): straight from the
 * keys, not through the store's own answers.
 * @module
 */
import type { EarningRecord } from 'clickcredit';
import type { RawReads } from 'clickcredit/testing';
import type { RedisClientLike } from './client.js';
import { clickIdOfEarning, keyLayout, type KeyLayout } from './keys.js';
import { clickFromHash, earningFromJson, ledgerEntryFromJson, operationFromJson, type StoredJson } from './records.js';

/** Reads one earning by its Redis id (`<clickId>.<uuid>`). */
export async function readEarning(client: RedisClientLike, keys: KeyLayout, earningId: string): Promise<EarningRecord | null> {
  const clickId = clickIdOfEarning(earningId);
  if (clickId === null) return null;
  const raw = await client.get(`${keys.clickBase(clickId)}:earning:${earningId}`);
  return raw === null ? null : earningFromJson(JSON.parse(raw) as StoredJson);
}

/**
 * Test hook: raw reads of a Redis store's keys for the conformance suite, straight from the keys
 * rather than through the store's answers. `prefix` and `shards` as given to `createRedisStore`.
 * Not part of the storage port nor of the store object.
 */
export function createRedisRawReads(options: { client: RedisClientLike; prefix?: string; shards?: number }): RawReads {
  const { client } = options;
  const keys = keyLayout(options.prefix ?? 'cc', options.shards ?? 256);
  return {
    async ledgerEntries(userId) {
      const rows = await client.lrange(`${keys.userBase(userId)}:ledger`, 0, -1);
      return rows.map((raw) => ledgerEntryFromJson(JSON.parse(raw) as StoredJson));
    },
    async cachedBalance(userId) {
      return BigInt((await client.hmget(`${keys.userBase(userId)}:wallet`, 'balance'))[0] ?? '0');
    },
    async earningsOfClick(clickId) {
      // Conversion map values: the earning id, a tab and the earning's state (prelude-click).
      const earningIds = (await client.hvals(`${keys.clickBase(clickId)}:conv:${clickId}`)).map((v) => v.split('\t')[0]!);
      const earnings = await Promise.all(earningIds.map((id) => readEarning(client, keys, id)));
      return earnings.filter((e): e is EarningRecord => e !== null);
    },
    async clickOf(clickId) {
      return clickFromHash(clickId, await client.hgetall(`${keys.clickBase(clickId)}:click:${clickId}`));
    },
    async outboxOfEarning(earningId) {
      const clickId = clickIdOfEarning(earningId);
      if (clickId === null) return [];
      const base = keys.clickBase(clickId);
      const opKeys = await client.smembers(`${base}:opsof:${earningId}`);
      if (opKeys.length === 0) return [];
      const rows = (await client.hmget(`${base}:ops`, ...opKeys)).filter((raw): raw is string => raw !== null);
      return rows.map((raw) => {
        const op = JSON.parse(raw) as StoredJson;
        return { ...operationFromJson(op), settledAt: op.settledAt ? new Date(Number(op.settledAt)) : null };
      });
    },
  };
}
