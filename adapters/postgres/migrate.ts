/**
 * Versioned migrations, applied in order, each once, under an advisory lock so two processes
 * starting together do not race.
 * @module
 */
import { inTransaction, type SqlClient } from './client.js';
import { migration001 } from './migrations/001-init.js';
import { migration001Functions } from './migrations/001-functions.js';
import { migration002 } from './migrations/002-conversion-model.js';
import { migration003 } from './migrations/003-admin.js';
import { migration004 } from './migrations/004-events.js';
import { migration005 } from './migrations/005-hot-path.js';
import { quoteSchema } from './schema-name.js';

/** Ordered migrations: version and SQL for a quoted schema name. Never edit one that shipped. */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: (schema: string) => string }> = [
  { version: 1, name: 'init', sql: (s) => migration001(s) + migration001Functions(s) },
  { version: 2, name: 'conversion-model', sql: migration002 },
  { version: 3, name: 'admin', sql: migration003 },
  { version: 4, name: 'events', sql: migration004 },
  { version: 5, name: 'hot-path', sql: migration005 },
];

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /** Schema holding clickcredit's tables; created if missing. Default `public`. */
  schema?: string;
}

/**
 * Creates or upgrades clickcredit's tables and functions in `schema`. Idempotent; safe to call
 * from several processes at once (they queue on an advisory lock). Returns the versions applied.
 */
export async function migrate(client: SqlClient, options: MigrateOptions = {}): Promise<number[]> {
  const schema = options.schema ?? 'public';
  const s = quoteSchema(schema);
  return inTransaction(client, async (tx) => {
    await tx.run('SELECT pg_advisory_xact_lock(hashtext($1))', [`clickcredit:${schema}`]);
    await tx.run(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await tx.run(
      `CREATE TABLE IF NOT EXISTS ${s}.clickcredit_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = await tx.run(`SELECT version FROM ${s}.clickcredit_migrations`, []);
    const applied = new Set(done.rows.map((row) => Number(row.version)));
    const now: number[] = [];
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      await tx.run(migration.sql(s));
      await tx.run(`INSERT INTO ${s}.clickcredit_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      now.push(migration.version);
    }
    return now;
  });
}
