/**
 * The Postgres event outbox (migration 004): reads and delivery updates of `events`. Events are
 * written only by the steps themselves (`apply_conversion`, `approval_event`, `adjustment_event`).
 * @module
 */
import type { DeliveryState, EventDelivery, EventFacts, EventStore, EventType, StoredEvent } from 'clickcredit';

type Rows = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

const nullable = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const asDate = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));

/** The facts of an event as the functions of migration 004 write them (money as text). */
export function factsOf(raw: unknown): EventFacts {
  const d = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, unknown>;
  return {
    change: String(d.change),
    earningId: nullable(d.earningId),
    clickId: nullable(d.clickId),
    conversionId: nullable(d.conversionId),
    productId: nullable(d.productId),
    status: nullable(d.status),
    approvalStatus: nullable(d.approvalStatus),
    amountMinor: BigInt(String(d.amount)),
    walletDeltaMinor: BigInt(String(d.walletDelta)),
    referrerId: nullable(d.referrerId),
    commissionDeltaMinor: BigInt(String(d.commissionDelta)),
    ledgerKey: nullable(d.ledgerKey),
    reason: nullable(d.reason),
  };
}

/** The `event` member of a step's JSON answer, or null. */
export function eventOfAnswer(raw: unknown): StoredEvent | null {
  if (raw === null || raw === undefined) return null;
  const e = raw as Record<string, unknown>;
  return { id: String(e.id), type: e.type as EventType, userId: String(e.userId), createdAt: asDate(e.createdAt), data: factsOf(e.data) };
}

function toDelivery(row: Record<string, unknown>): EventDelivery {
  return {
    id: String(row.event_id),
    type: row.type as EventType,
    userId: String(row.user_id),
    createdAt: asDate(row.created_at),
    data: factsOf(row.data),
    state: row.state as DeliveryState,
    attempts: Number(row.attempts),
    nextAttemptAt: asDate(row.next_attempt_at),
    lastError: nullable(row.last_error),
    deliveredAt: row.delivered_at === null || row.delivered_at === undefined ? null : asDate(row.delivered_at),
  };
}

const COLUMNS = 'event_id, type, user_id, created_at, data, state, attempts, next_attempt_at, last_error, delivered_at';

/** The {@link EventStore} on schema `s` (quoted). */
export function postgresEvents(s: string, all: Rows): EventStore {
  return {
    // The partial index events_pending: a range of pending rows in recording order.
    async listPending(limit) {
      return (await all(`SELECT ${COLUMNS} FROM ${s}.events WHERE state = 'pending' ORDER BY seq LIMIT $1`, [limit])).map(toDelivery);
    },
    async updateDelivery(id, u) {
      const rows = await all(
        `UPDATE ${s}.events SET state = $2, attempts = $3, next_attempt_at = $4, last_error = $5, delivered_at = $6
         WHERE event_id = $1 AND state = 'pending' RETURNING 1`,
        [id, u.state, u.attempts, u.nextAttemptAt.toISOString(), u.lastError, u.deliveredAt?.toISOString() ?? null],
      );
      return rows.length > 0;
    },
    async listDeliveries({ state, limit, after }) {
      const params: unknown[] = [limit];
      const where: string[] = [];
      if (state !== undefined) where.push(`state = $${params.push(state)}`);
      if (after !== null) {
        const at = params.push(after.at.toISOString());
        const id = params.push(after.id);
        where.push(`(created_at, event_id) < ($${at}, $${id})`);
      }
      const sql = `SELECT ${COLUMNS} FROM ${s}.events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, event_id DESC LIMIT $1`;
      return (await all(sql, params)).map(toDelivery);
    },
    async getDelivery(id) {
      const row = (await all(`SELECT ${COLUMNS} FROM ${s}.events WHERE event_id = $1`, [id]))[0];
      return row ? toDelivery(row) : null;
    },
    async retryDelivery(id, now) {
      const rows = await all(
        `WITH retried AS (UPDATE ${s}.events SET state = 'pending', attempts = 0, next_attempt_at = $2
           WHERE event_id = $1 AND state = 'dead' RETURNING ${COLUMNS})
         SELECT ${COLUMNS} FROM retried UNION ALL
         SELECT ${COLUMNS} FROM ${s}.events WHERE event_id = $1 AND NOT EXISTS (SELECT 1 FROM retried)`,
        [id, now.toISOString()],
      );
      return rows[0] ? toDelivery(rows[0]) : null;
    },
    async eventsOfUser(userId) {
      return (await all(`SELECT ${COLUMNS} FROM ${s}.events WHERE user_id = $1 ORDER BY seq`, [userId])).map(toDelivery);
    },
  };
}
