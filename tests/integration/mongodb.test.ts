import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMongoStore, ensureIndexes } from 'clickcredit/mongodb';
import { runConformanceSuite } from 'clickcredit/testing';
import { uniqueSchema } from '../support/services.js';

const url = process.env.MONGODB_URL;
if (!url) console.info('[mongodb] MONGODB_URL not set: MongoDB conformance suite skipped (set it to a MongoDB 6.0+ server to run it)');

(url ? describe : describe.skip)('mongodb server', () => {
  const client = new MongoClient(url ?? 'mongodb://unused');
  const databases: string[] = [];
  afterAll(async () => {
    for (const name of databases) await client.db(name).dropDatabase().catch(() => undefined);
    await client.close();
  });

  for (const transactions of ['auto', 'never'] as const) {
    runConformanceSuite({
      name: `mongodb (transactions: ${transactions})`,
      test: { describe, it, expect, beforeAll, afterAll },
      createHarness: async () => {
        const name = uniqueSchema('cc');
        databases.push(name);
        const db = client.db(name);
        await ensureIndexes(db);
        const store = await createMongoStore({ db, client, transactions });
        return { storage: store, raw: store.raw, cleanup: () => store.close() };
      },
    });
  }
});
