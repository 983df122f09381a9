/**
 * The outbox across slots. Each shard keeps its owed operations in `<shard>:ops` (hash key ->
 * operation, settled ones included) and the unsettled keys in `<shard>:owed` (sorted by time).
 * Listing reads every shard's index with plain reads, no script spans two slots. Internal `index`
 * entries (an earning still to be added to its user's earnings index, cluster layout) are
 * finished on the way and never returned.
 * @module
 */
import type { WalletOperation } from 'clickcredit';
import { runScript, type RedisClientLike } from './client.js';
import { SCRIPTS } from './commands.js';
import type { KeyLayout } from './keys.js';
import { operationFromJson, type StoredJson } from './records.js';

/** Adds an earning to its user's index, then settles the internal entry (both idempotent). */
export async function finishIndexEntry(client: RedisClientLike, keys: KeyLayout, shard: number, entry: StoredJson): Promise<void> {
  await runScript(client, SCRIPTS.indexEarning, keys.userBase(String(entry.userId)), String(entry.earningId), Number(entry.createdAt));
  await runScript(client, SCRIPTS.settleOwed, keys.shardBase(shard), String(entry.key), Date.now());
}

async function owedOfShard(client: RedisClientLike, keys: KeyLayout, shard: number, limit: number): Promise<WalletOperation[]> {
  const base = keys.shardBase(shard);
  const opKeys = await client.zrange(`${base}:owed`, 0, limit - 1);
  if (opKeys.length === 0) return [];
  const owed: WalletOperation[] = [];
  for (const raw of await client.hmget(`${base}:ops`, ...opKeys)) {
    if (raw === null) continue;
    const entry = JSON.parse(raw) as StoredJson;
    if (entry.kind === 'index') await finishIndexEntry(client, keys, shard, entry);
    else owed.push(operationFromJson(entry));
  }
  return owed;
}

/**
 * Up to `limit` unsettled operations, oldest first over all shards: each shard gives its oldest
 * `limit`, so the merged head is the global oldest.
 */
export async function listOwed(client: RedisClientLike, keys: KeyLayout, limit: number): Promise<WalletOperation[]> {
  if (limit <= 0) return [];
  const shards = Array.from({ length: keys.shards }, (_, shard) => shard);
  const perShard = await Promise.all(shards.map((shard) => owedOfShard(client, keys, shard, limit)));
  return perShard
    .flat()
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, limit);
}
