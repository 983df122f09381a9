/**
 * The Redis event outbox (standalone layout): events live in the slot `<prefix>:{events}`,
 * written by the conversion, approval and adjustment scripts themselves (prelude-events), read
 * and updated here. The cluster layout has no outbox: its scripts each stay in one slot, and a
 * user's changes span many slots.
 * @module
 */
import type { DeliveryState, EventDelivery, EventFacts, EventStore, EventType, StoredEvent } from 'clickcredit';
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

/** The `event` member of a script's answer, or null. */
export function eventOfReply(raw: unknown): StoredEvent | null {
  if (raw === null || raw === undefined || typeof raw !== 'object') return null;
  const { state: _s, attempts: _a, nextAttemptAt: _n, lastError: _l, deliveredAt: _d, ...event } = deliveryOf(raw);
  return event;
}

const present = (rows: Array<string | null>): EventDelivery[] => rows.filter((r): r is string => r !== null).map(deliveryOf);

/** The {@link EventStore} on the events base `ev` (`<prefix>:{events}`). */
export function redisEvents(client: RedisClientLike, ev: string): EventStore {
  const hmget = async (ids: string[]) => (ids.length === 0 ? [] : present(await client.hmget(`${ev}:events`, ...ids)));
  return {
    async listPending(limit) {
      return hmget(await client.zrange(`${ev}:pending`, 0, limit - 1));
    },
    async updateDelivery(id, u) {
      const reply = await runScript(client, DELIVERY, ev, id, 'update', u.state, u.attempts, u.nextAttemptAt.getTime(), u.lastError ?? '',
        u.deliveredAt === null ? '' : u.deliveredAt.getTime());
      return typeof reply === 'string';
    },
    async listDeliveries({ state, limit, after }) {
      const index = state === undefined ? `${ev}:time` : `${ev}:state:${state}`;
      const rows = (await runScript(client, PAGE, index, `${ev}:events`, after ? after.at.getTime() : '', after?.id ?? '', limit)) as Array<string | null>;
      return present(rows);
    },
    async getDelivery(id) {
      const [raw] = await client.hmget(`${ev}:events`, id);
      return raw === null || raw === undefined ? null : deliveryOf(raw);
    },
    async retryDelivery(id, now) {
      const reply = await runScript(client, DELIVERY, ev, id, 'retry', now.getTime());
      return typeof reply === 'string' ? deliveryOf(reply) : null;
    },
    async eventsOfUser(userId) {
      return hmget(await client.zrange(`${ev}:user:${userId}`, 0, -1));
    },
  };
}
