import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore, migrate } from 'clickcredit/postgres';
import { runConformanceSuite } from 'clickcredit/testing';
import { DATABASE_URL, postgresAvailable, uniqueSchema } from '../support/services.js';

const available = await postgresAvailable();
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
const schemas: string[] = [];

afterAll(async () => {
  for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await pool.end();
});

(available ? describe : describe.skip)('postgres server', () => {
  runConformanceSuite({
    name: 'postgres on a pg Pool',
    test: { describe, it, expect, beforeAll, afterAll },
    createHarness: async () => {
      const schema = uniqueSchema('cc_test');
      schemas.push(schema);
      await migrate(pool, { schema });
      const store = createPostgresStore({ client: pool, schema });
      return { storage: store, raw: store.raw, cleanup: () => store.close() };
    },
  });

  describe('migrations', () => {
    it('are idempotent and safe when several processes run them at once', async () => {
      const schema = uniqueSchema('cc_migrate');
      schemas.push(schema);
      const results = await Promise.all(Array.from({ length: 4 }, () => migrate(pool, { schema })));
      expect(results.flat()).toEqual([1]);
      expect(await migrate(pool, { schema })).toEqual([]);
      const { rows } = await pool.query(`SELECT version FROM "${schema}".clickcredit_migrations`);
      expect(rows).toEqual([{ version: 1 }]);
    });

    it('keeps the ledger append-only and one earning per conversion at the database', async () => {
      const schema = uniqueSchema('cc_guard');
      schemas.push(schema);
      await migrate(pool, { schema });
      const store = createPostgresStore({ client: pool, schema });
      await store.wallet.apply({ key: 'k1', userId: 'u', kind: 'manual_credit', amountMinor: 100n, earningId: null, reversesKey: null, reason: null, createdAt: new Date() });
      await expect(pool.query(`UPDATE "${schema}".ledger_entries SET amount = 1`)).rejects.toThrow(/append-only/);
      await expect(pool.query(`DELETE FROM "${schema}".ledger_entries`)).rejects.toThrow(/append-only/);
      const { rows } = await pool.query(`SELECT conname FROM pg_constraint WHERE conname = 'earnings_one_per_conversion' AND connamespace = $1::regnamespace`, [schema]);
      expect(rows).toHaveLength(1);
    });

    it('refuses an unsafe schema name', async () => {
      await expect(migrate(pool, { schema: 'x"; DROP TABLE y; --' })).rejects.toThrow(/invalid schema name/);
    });
  });
});
