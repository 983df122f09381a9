/**
 * The part of an ioredis `Redis` or `Cluster` the store uses, so no ioredis type reaches the
 * store's declarations, and the script runner: EVALSHA, and after NOSCRIPT (a server restart,
 * a failover to a fresh replica, SCRIPT FLUSH) one EVAL that runs the script and caches it again.
 * @module
 */
import { createHash } from 'node:crypto';

/** Arguments of a Redis command as the store sends them. */
export type RedisArg = string | number;

/** The subset of an ioredis `Redis` or `Cluster` the store calls. */
export interface RedisClientLike {
  evalsha(sha: string, numberOfKeys: number, ...args: RedisArg[]): Promise<unknown>;
  eval(script: string, numberOfKeys: number, ...args: RedisArg[]): Promise<unknown>;
  get(key: string): Promise<string | null>;
  lrange(key: string, start: number, stop: number): Promise<string[]>;
  zrange(key: string, start: number, stop: number): Promise<string[]>;
  zrangebyscore(key: string, min: RedisArg, max: RedisArg): Promise<string[]>;
  zrevrangebyscore(key: string, max: RedisArg, min: RedisArg, limit: 'LIMIT', offset: number, count: number): Promise<string[]>;
  smembers(key: string): Promise<string[]>;
  hmget(key: string, ...fields: string[]): Promise<(string | null)[]>;
  hgetall(key: string): Promise<Record<string, string>>;
  hvals(key: string): Promise<string[]>;
  /** ioredis sets this on a `Cluster`. */
  readonly isCluster?: boolean;
  /** ioredis client options; a client-side `keyPrefix` is refused (Lua builds user keys itself). */
  readonly options?: { keyPrefix?: string };
  /** ioredis events: 'close' (a `Redis` lost its connection), 'node error' (a `Cluster` node did). */
  on?(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Counts the connections the client lost. ioredis resends a command whose reply a lost
 * connection swallowed (`autoResendUnfulfilledCommands`), so a script may run twice for one
 * call: a store step that can tell "my own first run" from "someone else's" asks whether a loss
 * happened meanwhile.
 */
export function countConnectionLosses(client: RedisClientLike): { readonly losses: number } {
  const counter = { losses: 0 };
  const lost = () => void (counter.losses += 1);
  client.on?.('close', lost);
  client.on?.('node error', lost);
  client.on?.('-node', lost);
  return counter;
}

/** A Lua script with its SHA1, run by key. */
export interface LuaScript {
  readonly sha: string;
  readonly lua: string;
}

/** Prepares a script: its SHA1 is what EVALSHA names. */
export function luaScript(lua: string): LuaScript {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/** Runs a one-key script by SHA; reloads it (EVAL) only when the server answers NOSCRIPT. */
export async function runScript(client: RedisClientLike, script: LuaScript, key: string, ...args: RedisArg[]): Promise<unknown> {
  try {
    return await client.evalsha(script.sha, 1, key, ...args);
  } catch (error) {
    // NOSCRIPT: the script did not run, so running it now cannot apply anything twice.
    if (!String((error as Error | null)?.message).startsWith('NOSCRIPT')) throw error;
    return client.eval(script.lua, 1, key, ...args);
  }
}
