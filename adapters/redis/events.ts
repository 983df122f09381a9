/**
 * The Redis event outbox: events are written by the conversion, approval and adjustment scripts
 * themselves (prelude-events), in a slot the script already touches, and read and updated here.
 * @module
 */
import type { DeliveryState, EventDelivery, EventFacts, EventStore, EventType, StoredEvent } from 'clickcredit';
import type { ChangeLog } from './change-log.js';
import { luaScript, runScript, type RedisClientLike } from './client.js';
import { eventDeliveryLua, eventPageLua } from './scripts/prelude-events.lua.js';

const DELIVERY = luaScript(eventDeliveryLua);
const PAGE = luaScript(eventPageLua);

type Json = Record<string, unknown>;
const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

function factsOf(d: Json): EventFacts {
  return {
    change: String(d.change),
    earningId: text(d.earningId),
    clickId: text(d.clickId),
    conversionId: text(d.conversionId),
    productId: text(d.productId),
    status: text(d.status),
    approvalStatus: text(d.approvalStatus),
    amountMinor: BigInt(String(d.amount)),
    walletDeltaMinor: BigInt(String(d.walletDelta)),
    referrerId: text(d.referrerId),
    commissionDeltaMinor: BigInt(String(d.commissionDelta)),
    ledgerKey: text(d.ledgerKey),
    reason: text(d.reason),
  };
}

/** An event as the scripts store it (times in epoch ms). */
export function deliveryOf(raw: unknown): EventDelivery {
  const e = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Json;
  return {
    id: String(e.id),
    type: e.type as EventType,
    userId: String(e.userId),
    createdAt: new Date(Number(e.createdAt)),
    data: factsOf(e.data as Json),
    state: e.state as DeliveryState,
    attempts: Number(e.attempts),
    nextAttemptAt: new Date(Number(e.nextAttemptAt)),
    lastError: text(e.lastError),
    deliveredAt: e.deliveredAt === null || e.deliveredAt === undefined ? null : new Date(Number(e.deliveredAt)),
  };
}

/** The order key of a stored event (events.ts hybrid clock), read beside the delivery. */
function orderOf(raw: string): number {
  const e = JSON.parse(raw) as Json;
  return Number(e.order ?? Number(e.createdAt) * 1000);
}

/** The `event` member of a script's answer, or null. */
export function eventOfReply(raw: unknown): StoredEvent | null {
  if (raw === null || raw === undefined || typeof raw !== 'object') return null;
  const { state: _s, attempts: _a, nextAttemptAt: _n, lastError: _l, deliveredAt: _d, ...event } = deliveryOf(raw);
  return event;
}

const orders = new WeakMap<EventDelivery, number>();
const present = (rows: Array<string | null>): EventDelivery[] =>
  rows.filter((r): r is string => r !== null).map((raw) => {
    const delivery = deliveryOf(raw);
    orders.set(delivery, orderOf(raw));
    return delivery;
  });
const byOrder = (a: EventDelivery, b: EventDelivery) => (orders.get(a) ?? 0) - (orders.get(b) ?? 0);

const newestFirst = (a: EventDelivery, b: EventDelivery) =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * The {@link EventStore} over the events bases `bases()` lists: one (`<prefix>:{events}`) in the
 * standalone layout; in the cluster layout one per click shard (`<shard>:ev`) and one per user
 * who had an adjustment (`<prefix>:{u:<id>}:ev`, listed in the registry `<prefix>:{evusers}`),
 * since each script writes its event in its own slot. Lists merge the bases; within a base the
 * order is the recording order, across bases the order key (a hybrid clock of the step's time).
 * Every read folds the change log first (change-log.ts), so it sees every event recorded so far.
 */
export function redisEvents(client: RedisClientLike, listBases: () => Promise<string[]>, log: ChangeLog): EventStore {
  const bases = async () => {
    await log.foldAll();
    return listBases();
  };
  // Where an event was last seen: the worker reads pending events before it updates them.
  const baseOf = new Map<string, string>();
  const remember = (base: string, events: EventDelivery[]) => {
    if (baseOf.size > 50_000) baseOf.clear();
    for (const e of events) baseOf.set(e.id, base);
    return events;
  };
  const read = async (base: string, ids: string[]) => remember(base, ids.length === 0 ? [] : present(await client.hmget(`${base}:events`, ...ids)));
  // An id read before (listPending, listDeliveries) is where it was: no fold needed to find it.
  const locate = async (id: string): Promise<string | null> => {
    const known = baseOf.get(id);
    if (known !== undefined) return known;
    const all = await bases();
    const found = await Promise.all(all.map(async (base) => ((await client.hmget(`${base}:events`, id))[0] ?? null) !== null));
    const at = found.indexOf(true);
    return at < 0 ? null : all[at]!;
  };
  const everywhere = async (each: (base: string) => Promise<EventDelivery[]>) => (await Promise.all((await bases()).map(each))).flat();
  return {
    async listPending(limit) {
      const all = await everywhere(async (base) => read(base, await client.zrange(`${base}:pending`, 0, limit - 1)));
      // A stable sort: inside one base the recording order stays as read.
      return all.sort(byOrder).slice(0, limit);
    },
    async updateDelivery(id, u) {
      const base = await locate(id);
      if (base === null) return false;
      const reply = await runScript(client, DELIVERY, base, id, 'update', u.state, u.attempts, u.nextAttemptAt.getTime(), u.lastError ?? '',
        u.deliveredAt === null ? '' : u.deliveredAt.getTime());
      return typeof reply === 'string';
    },
    async listDeliveries({ state, limit, after }) {
      const all = await everywhere(async (base) => {
        const index = state === undefined ? `${base}:time` : `${base}:state:${state}`;
        const rows = (await runScript(client, PAGE, index, `${base}:events`, after ? after.at.getTime() : '', after?.id ?? '', limit)) as Array<string | null>;
        return remember(base, present(rows));
      });
      return all.sort(newestFirst).slice(0, limit);
    },
    async getDelivery(id) {
      const base = await locate(id);
      if (base === null) return null;
      const [raw] = await client.hmget(`${base}:events`, id);
      return raw === null || raw === undefined ? null : deliveryOf(raw);
    },
    async retryDelivery(id, now) {
      const base = await locate(id);
      if (base === null) return null;
      const reply = await runScript(client, DELIVERY, base, id, 'retry', now.getTime());
      return typeof reply === 'string' ? deliveryOf(reply) : null;
    },
    async eventsOfUser(userId) {
      const all = await everywhere(async (base) => read(base, await client.zrange(`${base}:user:${userId}`, 0, -1)));
      return all.sort(byOrder);
    },
  };
}
