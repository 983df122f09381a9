/**
 * `clickcredit/postgres`: Postgres storage and ledger wallet, on a `pg` Pool or on embedded
 * PGlite through the same code. Run {@link migrate} once, then {@link createPostgresStore}.
 * @module
 */
export { createPostgresStore, type PostgresStore, type PostgresStoreOptions } from './store.js';
export { createPostgresRawReads } from './raw-reads.js';
export { migrate, MIGRATIONS, type MigrateOptions } from './migrate.js';
export type { ConnectionErrorLogger, SqlClient, SqlResult } from './client.js';
