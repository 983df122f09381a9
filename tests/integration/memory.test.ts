import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from 'clickcredit/memory';
import { runConformanceSuite } from 'clickcredit/testing';

runConformanceSuite({
  name: 'memory',
  test: { describe, it, expect, beforeAll, afterAll },
  createHarness: async () => {
    const store = createMemoryStore();
    return { storage: store, raw: store.raw, cleanup: () => store.close() };
  },
});
