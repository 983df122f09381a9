import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresRawReads, createPostgresStore, migrate } from 'clickcredit/postgres';
import { runConformanceSuite } from 'clickcredit/testing';
import { DATABASE_URL, postgresAvailable, uniqueSchema } from '../support/services.js';
import { postgresSpecifics } from './postgres-specifics.js';

// Unreachable server: one skip line here, a failure in CI (postgresAvailable throws there).
const available = await postgresAvailable();
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
// Every run works in schemas of its own, dropped at the end, so parallel runs never collide.
const schemas: string[] = [];
const newSchema = (prefix: string) => {
  const schema = uniqueSchema(prefix);
  schemas.push(schema);
  return schema;
};

afterAll(async () => {
  for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await pool.end();
});

(available ? describe : describe.skip)('postgres server', () => {
  runConformanceSuite({
    name: 'postgres on a pg Pool',
    test: { describe, it, expect, beforeAll, afterAll },
    createHarness: async () => {
      const schema = newSchema('cc_test');
      await migrate(pool, { schema });
      const store = createPostgresStore({ client: pool, schema });
      return { storage: store, raw: createPostgresRawReads({ client: pool, schema }), cleanup: () => store.close() };
    },
  });

  describe('postgres on a pg Pool: adapter specifics', () => {
    postgresSpecifics(() => ({ client: pool, newSchema: () => newSchema('cc_specific') }));
  });
});
