/**
 * The change log (scripts/prelude-log): write scripts append one record per change, and a fold
 * (scripts/fold-log) moves the records, in order, into the admin indexes and the event outbox.
 * Standalone layout: one log, `<prefix>:{log}` (a standalone server lets a script touch it beside
 * the click's keys), folded into the shard indexes and `<prefix>:{events}`. Cluster layout: one
 * log per shard, `<shard>:log`, folded into that shard's indexes and events (`<shard>:ev`), so
 * every script stays in one slot. Admin lists, event reads and the workers fold first.
 * @module
 */
import { luaScript, runScript, type RedisClientLike } from './client.js';
import type { KeyLayout } from './keys.js';
import { foldLogLua } from './scripts/fold-log.lua.js';

const FOLD = luaScript(foldLogLua);

/** Records one fold script takes: bounded, so one fold holds the server a few milliseconds at most. */
const FOLD_BATCH = 64;

/** Where a store's change records go, and folding them. */
export interface ChangeLog {
  /** The log a step of this click's shard appends to. */
  ofShard(shard: number): string;
  /** Folds every record appended so far (every shard's log in the cluster layout). */
  foldAll(): Promise<void>;
  /** Folds every record of this shard appended so far (the one log in the standalone layout). */
  foldShard(shard: number): Promise<void>;
  /** Starts a fold unless one is running (a script found its log long); errors are left to the next fold. */
  foldSoon(): void;
}

/** The change log of a store's layout. */
export function changeLog(client: RedisClientLike, keys: KeyLayout, crossSlot: boolean): ChangeLog {
  const single = `${keys.prefix}:{log}`;
  // Standalone: every record's event goes to the one events base; cluster: the shard's own.
  const eventsBase = crossSlot ? '' : `${keys.prefix}:{events}`;
  const logs = crossSlot ? Array.from({ length: keys.shards }, (_, shard) => `${keys.shardBase(shard)}:log`) : [single];
  // Folds at least every record the log held when it started (read your writes), batch by batch;
  // records appended meanwhile are left to the next fold, so a busy log never keeps it going.
  const foldOne = async (log: string) => {
    let due = Infinity;
    for (let folded = 0; folded < due;) {
      const [count, left] = (await runScript(client, FOLD, log, eventsBase, FOLD_BATCH)) as [number, number];
      if (due === Infinity) due = Number(count) + Number(left);
      folded += Number(count);
      if (Number(count) === 0) break;
    }
  };
  let running: Promise<void> | null = null;
  const log: ChangeLog = {
    ofShard: (shard) => (crossSlot ? logs[shard]! : single),
    async foldAll() {
      await Promise.all(logs.map(foldOne));
    },
    foldShard: (shard) => foldOne(log.ofShard(shard)),
    foldSoon() {
      if (running !== null) return;
      running = log.foldAll().catch(() => undefined).finally(() => void (running = null));
    },
  };
  return log;
}
