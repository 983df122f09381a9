/**
 * Test hook: raw reads of a Postgres schema's tables for the conformance suite (`RawReads` of
 * `clickcredit/testing`), straight from the rows rather than through the store's answers. Not part
 * of the storage port nor of the store object.
 * @module
 */
import type { RawReads } from 'clickcredit/testing';
import type { SqlClient } from './client.js';
import { CLICK_COLUMNS, OPERATION_COLUMNS, toClick, toEarning, toLedgerEntry, toOperation } from './rows.js';
import { quoteSchema } from './schema-name.js';

/** Raw reads of the tables in `schema` (default `public`) through `client` (a `pg` Pool or PGlite). */
export function createPostgresRawReads(options: { client: SqlClient; schema?: string }): RawReads {
  const { client } = options;
  const s = quoteSchema(options.schema ?? 'public');
  const all = async (sql: string, params: unknown[]) => (await client.query(sql, params)).rows as Record<string, unknown>[];
  return {
    async ledgerEntries(userId) {
      const rows = await all(
        `SELECT entry_id::text AS entry_id, idempotency_key, ${OPERATION_COLUMNS} FROM ${s}.ledger_entries WHERE user_id = $1 ORDER BY entry_id`,
        [userId],
      );
      return rows.map(toLedgerEntry);
    },
    async cachedBalance(userId) {
      const [row] = await all(`SELECT balance::text AS balance FROM ${s}.wallets WHERE user_id = $1`, [userId]);
      return row ? BigInt(String(row.balance)) : 0n;
    },
    async earningsOfClick(clickId) {
      const rows = await all(`SELECT ${s}.earning_json(e) AS earning FROM ${s}.earnings e WHERE click_id = $1`, [clickId]);
      return rows.map((row) => toEarning(row.earning));
    },
    async clickOf(clickId) {
      const [row] = await all(`SELECT ${CLICK_COLUMNS} FROM ${s}.clicks WHERE click_id = $1`, [clickId]);
      return row ? toClick(row) : null;
    },
    async outboxOfEarning(earningId) {
      const rows = await all(`SELECT op_key, settled_at, ${OPERATION_COLUMNS} FROM ${s}.wallet_outbox WHERE earning_id = $1`, [earningId]);
      return rows.map((row) => ({ ...toOperation(row), settledAt: row.settled_at ? new Date(String(row.settled_at instanceof Date ? row.settled_at.toISOString() : row.settled_at)) : null }));
    },
  };
}
