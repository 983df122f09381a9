/**
 * Reaching the real servers the integration tests use. A missing server is a skip with a clear
 * line on a developer's machine, and a failure in CI (`CI` set), where it must be there.
 */
import pg from 'pg';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether Postgres answers; throws in CI when it does not. */
export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    return unavailable('postgres', DATABASE_URL, error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** In CI a missing server fails the run; elsewhere it is a skip with one clear line. */
export function unavailable(what: string, url: string, error: unknown): false {
  const reason = error instanceof Error ? error.message : String(error);
  if (process.env.CI) throw new Error(`[${what}] server required in CI but unreachable at ${url}: ${reason}`);
  console.info(`[${what}] server unreachable at ${url} (${reason}): its tests are skipped`);
  return false;
}

/** A schema name unique to this run, so parallel runs never collide. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
