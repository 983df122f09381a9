import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryRawReads, createMemoryStore } from 'clickcredit/memory';
import { runConformanceSuite } from 'clickcredit/testing';

runConformanceSuite({
  name: 'memory',
  test: { describe, it, expect, beforeAll, afterAll },
  createHarness: async () => {
    const store = createMemoryStore();
    return { storage: store, raw: createMemoryRawReads(store), cleanup: () => store.close() };
  },
});
