/**
 * PGlite closed under load (the host shutting its database down while requests are in flight,
 * or a bug closing it early): every request from then on must be a prompt 503, never a crash or
 * an unhandled rejection; what was acknowledged is on disk, and once the host opens the database
 * again the advertiser's retries complete every conversion exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresRawReads, createPostgresStore, migrate, type PostgresStore } from 'clickcredit/postgres';
import { describeFigures, runOutage, serveTracker } from './outage-load.js';

const dataDir = mkdtempSync(join(tmpdir(), 'clickcredit-outage-pglite-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('PGlite closed under load', () => {
  it('503 at once while closed, no crash; reopened, the retries complete every conversion exactly once', async () => {
    let db = new PGlite(dataDir);
    await migrate(db);
    let storage: PostgresStore = createPostgresStore({ client: db });
    let served = await serveTracker(storage);
    const closers: Array<() => Promise<void>> = [];
    try {
      const figures = await runOutage({
        baseUrl: () => served.baseUrl,
        raw: () => createPostgresRawReads({ client: db }),
        outage: {
          name: 'pglite close',
          downMs: 1500,
          down: () => db.close(),
          // The host opens the database again and serves a new tracker on it.
          up: async () => {
            closers.push(served.close);
            db = new PGlite(dataDir);
            await db.waitReady;
            storage = createPostgresStore({ client: db });
            served = await serveTracker(storage);
          },
        },
      });
      console.info(describeFigures('PGlite closed under load, reopened', figures));
      expect(figures.otherFailures).toEqual([]);
      expect(figures.unavailable).toBeGreaterThan(0);
      expect(figures.firstUnavailableMs!).toBeLessThan(1500);
      expect(figures.maxOutageLatencyMs).toBeLessThan(4000);
      expect(figures.lost).toBe(0);
      expect(figures.doubled).toBe(0);
    } finally {
      await served.close();
      for (const close of closers) await close();
      await db.close().catch(() => undefined);
    }
  });
});
