/**
 * The Postgres store. Every state change is one statement (a plain statement or one of the
 * functions the migration created), so each is one round trip and one transaction; concurrent
 * calls on one click queue on its row lock.
 * @module
 */
import {
  ConflictError,
  type ClickStore,
  type ConversionDecision,
  type RiskRuleCode,
  type WalletOperation,
  type WalletPort,
} from 'clickcredit';
import { postgresAdmin, postgresLeases } from './admin-queries.js';
import { eventOfAnswer, postgresEvents } from './events.js';
import { listenForConnectionErrors, type ConnectionErrorLogger, type SqlClient } from './client.js';
import {
  CLICK_COLUMNS, CLICK_INSERT_COLUMNS, OPERATION_COLUMNS, clickJson, clickValues, riskJson, toAttempt, toClick, toEarning,
  toOperation,
} from './rows.js';
import { quoteSchema } from './schema-name.js';
import { auditJson, auditText, refusedText } from './text-values.js';

/** Options of {@link createPostgresStore}. */
export interface PostgresStoreOptions {
  /** A `pg` Pool (or Client) or a PGlite instance. The store never closes it: you own it. */
  client: SqlClient;
  /** Schema that {@link migrate} prepared. Default `public`. */
  schema?: string;
  /**
   * Where lost connections are reported when the host attached no 'error' listener to its Pool
   * or Client (an unheard 'error' event would end the process). Default: `console.error`.
   */
  logger?: ConnectionErrorLogger;
}

/** A Postgres store (raw reads of its tables, for tests: {@link createPostgresRawReads}). */
export type PostgresStore = ClickStore;

const UNIQUE_VIOLATION = '23505';

const consoleErrors: ConnectionErrorLogger = {
  error: (message, context) => console.error(`[clickcredit] ${message}`, context ?? ''),
};

/** Creates a store on a migrated schema (run {@link migrate} first). */
export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  const { client } = options;
  listenForConnectionErrors(client, options.logger ?? consoleErrors);
  const s = quoteSchema(options.schema ?? 'public');
  const run = async (sql: string, params: unknown[]) => {
    try {
      return (await client.query(sql, params)).rows as Record<string, unknown>[];
    } catch (error) {
      throw refusedText(error);
    }
  };
  const one = async (sql: string, params: unknown[]) => (await run(sql, params))[0];
  const all = run;
  const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;
  const placeholders = Array.from({ length: 29 }, (_, i) => `$${i + 1}`).join(', ');

  const wallet: WalletPort = {
    // One statement; concurrent callers with the same key: exactly one inserts, the rest are duplicates.
    async apply(op) {
      const row = await one(`SELECT ${s}.apply_wallet_op($1, $2, $3, $4, $5, $6, $7, $8) AS r`, operationParams(op));
      const r = json(row?.r);
      if (r.conflict) throw new ConflictError('Idempotency key already used for a different wallet operation');
      return { duplicate: Boolean(r.duplicate), balanceMinor: BigInt(String(r.balance)) };
    },
    async getBalance(userId) {
      const row = await one(`SELECT balance::text AS balance FROM ${s}.wallets WHERE user_id = $1`, [userId]);
      return row ? BigInt(String(row.balance)) : 0n;
    },
  };

  return {
    name: 'postgres',
    supportsInlineLedger: true,
    wallet,
    admin: postgresAdmin(s, all),
    leases: postgresLeases(s, all),
    events: postgresEvents(s, all),

    async insertClick(click) {
      try {
        await run(`INSERT INTO ${s}.clicks (${CLICK_INSERT_COLUMNS}) VALUES (${placeholders})`, clickValues(click));
      } catch (error) {
        if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw new ConflictError('Click id already exists');
        throw error;
      }
    },

    // One UPDATE: concurrent visits each count (row lock), none is lost.
    async recordVisit(clickId, at) {
      const row = await one(
        `UPDATE ${s}.clicks SET visit_count = visit_count + 1, first_visit_at = coalesce(first_visit_at, $2),
           last_visit_at = $2, updated_at = $2 WHERE click_id = $1 RETURNING ${CLICK_COLUMNS}`,
        [clickId, at.toISOString()],
      );
      return row ? toClick(row) : null;
    },

    async getClick(clickId) {
      const row = await one(`SELECT ${CLICK_COLUMNS} FROM ${s}.clicks WHERE click_id = $1`, [clickId]);
      return row ? toClick(row) : null;
    },

    // One statement (apply_conversion): the click row lock makes exactly one of concurrent
    // postbacks of a click create its earning; the others then see it and answer duplicate/conflict.
    async applyConversion(c) {
      const row = await one(
        // The step records its event itself (migration 005), hence in the same transaction.
        `SELECT ${s}.apply_conversion($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) AS r`,
        [
          c.attemptId, c.clickId, c.conversionId, c.action, c.postbackStatus, c.amountMinor?.toString() ?? null,
          auditText(c.rawAmount), c.transactionId, c.offerId, c.now.toISOString(), c.newEarningId, c.ledger,
          auditText(c.sourceIp), auditJson(c.rawData),
          c.clickIfAbsent ? JSON.stringify(clickJson(c.clickIfAbsent)) : null,
          c.risk ? JSON.stringify(riskJson(c.risk)) : null,
          c.conversionIp ?? null,
          c.recordEvent !== false,
        ],
      );
      const r = json(row?.r);
      return {
        decision: r.decision as ConversionDecision,
        rule: (r.rule ?? null) as RiskRuleCode | null,
        earning: r.earning ? toEarning(r.earning) : null,
        owed: (r.owed as Record<string, unknown>[]).map(toOperation),
        event: eventOfAnswer(r.event),
      };
    },

    // A refused attempt's fields are unchecked input: stored with NULs replaced, never refused.
    async recordPostbackAttempt(a) {
      await run(
        `INSERT INTO ${s}.postback_attempts (attempt_id, click_id, conversion_id, postback_status, amount, source_ip,
           raw_data, decision, earning_id, message, received_at, rule) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [a.attemptId, auditText(a.clickId), auditText(a.conversionId), auditText(a.postbackStatus), auditText(a.amount),
          auditText(a.sourceIp), auditJson(a.rawData), a.decision, a.earningId, auditText(a.message), a.receivedAt.toISOString(),
          a.rule ?? null],
      );
    },

    async listPostbackAttempts(clickId) {
      return (await all(`SELECT * FROM ${s}.postback_attempts WHERE click_id = $1 ORDER BY seq`, [clickId])).map(toAttempt);
    },

    async getEarning(earningId) {
      const row = await one(`SELECT ${s}.earning_json(e) AS earning FROM ${s}.earnings e WHERE earning_id = $1`, [earningId]);
      return row ? toEarning(row.earning) : null;
    },

    async listEarnings({ userId, limit, after }) {
      const rows = after
        ? await all(
            `SELECT ${s}.earning_json(e) AS earning FROM ${s}.earnings e WHERE user_id = $1 AND (created_at, earning_id) < ($2, $3)
             ORDER BY created_at DESC, earning_id DESC LIMIT $4`,
            [userId, after.createdAt.toISOString(), after.earningId, limit],
          )
        : await all(
            `SELECT ${s}.earning_json(e) AS earning FROM ${s}.earnings e WHERE user_id = $1 ORDER BY created_at DESC, earning_id DESC LIMIT $2`,
            [userId, limit],
          );
      return rows.map((row) => toEarning(row.earning));
    },

    // One statement (decide_approval), under the click's row lock like applyConversion.
    async decideApproval(c) {
      const row = await one(`SELECT ${s}.approval_event(${s}.decide_approval($1, $2, $3, $4), $2, $3::timestamptz, $5) AS r`,
        [c.earningId, c.approve, c.now.toISOString(), c.ledger, c.recordEvent !== false]);
      const r = json(row?.r);
      return {
        decision: r.decision as 'applied' | 'unchanged' | 'not_found' | 'not_held',
        earning: r.earning ? toEarning(r.earning) : null,
        owed: (r.owed as Record<string, unknown>[]).map(toOperation),
        event: eventOfAnswer(r.event),
      };
    },

    // SKIP LOCKED: a click a postback holds right now is left for the next batch, not waited on.
    async expireClicks(now, limit) {
      const rows = await all(
        `WITH picked AS MATERIALIZED (
           SELECT click_id FROM ${s}.clicks WHERE status = 'pending' AND expires_at <= $1
           ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         UPDATE ${s}.clicks c SET status = 'expired', updated_at = $1 FROM picked
         WHERE c.click_id = picked.click_id AND c.status = 'pending' RETURNING 1`,
        [now.toISOString(), limit],
      );
      return rows.length;
    },

    async listOwedOperations(limit) {
      const rows = await all(
        `SELECT op_key, ${OPERATION_COLUMNS} FROM ${s}.wallet_outbox WHERE settled_at IS NULL ORDER BY created_at, op_key LIMIT $1`,
        [limit],
      );
      return rows.map(toOperation);
    },

    async settleOwedOperation(key, at) {
      await run(`UPDATE ${s}.wallet_outbox SET settled_at = $2 WHERE op_key = $1 AND settled_at IS NULL`, [key, at.toISOString()]);
    },

    async close() {},
  };
}

function operationParams(op: WalletOperation): unknown[] {
  return [op.key, op.userId, op.kind, op.amountMinor.toString(), op.earningId, op.reversesKey, op.reason, op.createdAt.toISOString()];
}
