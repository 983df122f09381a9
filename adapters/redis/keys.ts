/**
 * Key layout. Click-side data lives under a shard base `<prefix>:{s<n>}` (n from the click id),
 * user-side data under `<prefix>:{u:<userId>}`: the braces are Redis Cluster hash tags, so every
 * script touches one slot. Shards (not one slot per click) let the outbox of owed operations be
 * found by scanning a fixed set of keys.
 * @module
 */

/** FNV-1a, 32 bit: a stable, cheap spread of click ids over shards. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export interface KeyLayout {
  prefix: string;
  shards: number;
  shardOf(clickId: string): number;
  shardBase(shard: number): string;
  clickBase(clickId: string): string;
  userBase(userId: string): string;
  /** The prefix Lua uses to build user bases: `<prefix>:` + `{u:<id>}`. */
  userPrefix: string;
}

export function keyLayout(prefix: string, shards: number): KeyLayout {
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
