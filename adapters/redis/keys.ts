/**
 * Key layout. Click-side data lives under a shard base `<prefix>:{s<n>}` (n from the click id),
 * user-side data under `<prefix>:{u:<userId>}`. The braces are Redis Cluster hash tags, so each
 * script touches one slot. Shards rather than one slot per click make the outbox of owed
 * operations findable: it is a fixed set of keys, one per shard, in the slot of its clicks.
 * @module
 */
import { userKeyedClickId, type ClickRecord } from 'clickcredit';

/** FNV-1a, 32 bit: a stable, cheap spread of click ids over shards. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Where a store's keys live: shard bases for clicks, user bases for wallets. */
export interface KeyLayout {
  /** Key prefix of every key of the store. */
  prefix: string;
  /** Number of click shards. */
  shards: number;
  /** Shard number of a click id (stable for a given `shards`). */
  shardOf(clickId: string): number;
  /** Base of a shard's keys: `<prefix>:{s<n>}`. */
  shardBase(shard: number): string;
  /** Base of a click's keys (its shard's base). */
  clickBase(clickId: string): string;
  /** Base of a user's wallet and earnings index: `<prefix>:{u:<userId>}`. */
  userBase(userId: string): string;
  /** The prefix Lua builds user bases from: `<prefix>:` + `{u:<id>}`. */
  userPrefix: string;
}

/** Builds the key layout; refuses a prefix that would change the hash tags, and odd shard counts. */
export function keyLayout(prefix: string, shards: number): KeyLayout {
  if (prefix.length === 0 || /[{}\s]/.test(prefix)) {
    throw new RangeError('Redis key prefix must be non-empty, without braces or whitespace (braces would change the hash tags)');
  }
  if (!Number.isInteger(shards) || shards < 1 || shards > 16384) {
    throw new RangeError('Redis shards must be an integer from 1 to 16384');
  }
  const layout: KeyLayout = {
    prefix,
    shards,
    shardOf: (clickId) => fnv1a(clickId) % shards,
    shardBase: (shard) => `${prefix}:{s${shard}}`,
    clickBase: (clickId) => layout.shardBase(layout.shardOf(clickId)),
    userBase: (userId) => `${prefix}:{u:${userId}}`,
    userPrefix: `${prefix}:`,
  };
  return layout;
}

/** Redis earning ids carry their click id (`<clickId>.<uuid>`), so the shard is known from the id. */
export function earningIdFor(clickId: string, uuid: string): string {
  return `${clickId}.${uuid}`;
}

/** The click id inside a Redis earning id, or null for a foreign id. */
export function clickIdOfEarning(earningId: string): string | null {
  const at = earningId.indexOf('.');
  return at > 0 ? earningId.slice(0, at) : null;
}

/** The click id inside an owed operation key (`earning:<earningId>:<kind>`), or null. */
export function clickIdOfOperationKey(key: string): string | null {
  const earningId = /^earning:(.+):[a-z_]+$/.exec(key)?.[1];
  return earningId === undefined ? null : clickIdOfEarning(earningId);
}

/** Where a user-keyed click's (network, transaction id) is held unique: a field of `<base>:ntx`. */
export interface NetworkTransactionSlot {
  /** The shard base of the `:ntx` hash. */
  base: string;
  /** `<network>\0<transaction id>`. */
  field: string;
  /**
   * False in the cluster layout when the click's id is in another shard than its pair's: a
   * script there reaches its click's slot only, so the claim cannot be checked and is refused.
   */
  reachable: boolean;
}

/**
 * The `:ntx` slot of a click's (network, transaction id), or null for an ordinary click. It is
 * the shard of `userKeyedClickId(network, transactionId)`, the id the core gives every virtual
 * click: all claims of one pair meet in one hash, whatever id a click carries.
 */
export function networkTransactionSlot(layout: KeyLayout, click: ClickRecord, crossSlot: boolean): NetworkTransactionSlot | null {
  if (click.network === null || click.networkTransactionId === null) return null;
  const base = layout.clickBase(userKeyedClickId(click.network, click.networkTransactionId));
  return {
    base,
    field: `${click.network}\u0000${click.networkTransactionId}`,
    reachable: !crossSlot || base === layout.clickBase(click.clickId),
  };
}
