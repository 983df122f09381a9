import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresRawReads, createPostgresStore, migrate } from 'clickcredit/postgres';
import { runConformanceSuite } from 'clickcredit/testing';
import { postgresSpecifics } from './postgres-specifics.js';

runConformanceSuite({
  name: 'postgres on PGlite',
  test: { describe, it, expect, beforeAll, afterAll },
  createHarness: async () => {
    const db = new PGlite();
    await migrate(db);
    const store = createPostgresStore({ client: db });
    return { storage: store, raw: createPostgresRawReads({ client: db }), cleanup: () => db.close() };
  },
});

describe('postgres on PGlite: adapter specifics', () => {
  // One in-memory database; each test takes its own schema in it.
  const db = new PGlite();
  let schemas = 0;
  afterAll(() => db.close());
  postgresSpecifics(() => ({ client: db, newSchema: () => `cc_specific_${(schemas += 1)}` }));
});
