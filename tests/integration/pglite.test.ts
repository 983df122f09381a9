import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore, migrate } from 'clickcredit/postgres';
import { runConformanceSuite } from 'clickcredit/testing';

runConformanceSuite({
  name: 'postgres on PGlite',
  test: { describe, it, expect, beforeAll, afterAll },
  createHarness: async () => {
    const db = new PGlite();
    await migrate(db);
    const store = createPostgresStore({ client: db });
    return { storage: store, raw: store.raw, cleanup: () => db.close() };
  },
});
