/**
 * The one thing the adapter needs from a driver: run a parameterised statement. A `pg` Pool, a
 * `pg` Client and a PGlite instance all fit, without importing either driver's types.
 * @module
 */
import type { Logger } from 'clickcredit';

/** Result rows of a statement. */
export interface SqlResult<Row = Record<string, unknown>> {
  rows: Row[];
}

/** A `pg` Pool or Client, or a PGlite instance. */
export interface SqlClient {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<SqlResult<Row>>;
}

/** A PGlite-like client: runs several statements at once with `exec`, and transactions. */
interface MultiStatementClient extends SqlClient {
  exec(text: string): Promise<unknown>;
  transaction<T>(body: (tx: SqlClient & { exec(text: string): Promise<unknown> }) => Promise<T>): Promise<T>;
}

/** A `pg` Pool: hands out a dedicated connection for a transaction. */
interface PoolLike extends SqlClient {
  connect(): Promise<SqlClient & { release(): void }>;
  totalCount: number;
}

function isPglite(client: SqlClient): client is MultiStatementClient {
  return typeof (client as Partial<MultiStatementClient>).exec === 'function'
    && typeof (client as Partial<MultiStatementClient>).transaction === 'function';
}

function isPool(client: SqlClient): client is PoolLike {
  return typeof (client as Partial<PoolLike>).connect === 'function' && typeof (client as Partial<PoolLike>).totalCount === 'number';
}

/** Where connection errors are reported: the `error` method of a clickcredit {@link Logger}. */
export type ConnectionErrorLogger = Pick<Logger, 'error'>;

/** An event emitter as `pg` Pools and Clients are (PGlite is not one). */
interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
  listenerCount(event: 'error'): number;
}

function emitsErrors(client: unknown): client is ErrorEmitter {
  const candidate = client as Partial<ErrorEmitter>;
  return typeof candidate.on === 'function' && typeof candidate.removeListener === 'function' && typeof candidate.listenerCount === 'function';
}

/**
 * A `pg` Pool emits 'error' when one of its idle connections dies (`pg_terminate_backend()`, a
 * failover, a PgBouncer restart, the server stopping), and a Client when its own does. An 'error'
 * event nobody listens to ends the Node process, so when the host attached no listener, this one
 * logs the error instead: the Pool has already dropped the dead connection and opens a new one on
 * the next query. Returns whether a listener was attached.
 */
export function listenForConnectionErrors(client: SqlClient, logger: ConnectionErrorLogger): boolean {
  if (isPglite(client) || !emitsErrors(client) || client.listenerCount('error') > 0) return false;
  client.on('error', (error) => {
    const what = isPool(client) ? 'an idle connection of the pool was lost (the pool opens a new one)' : 'the connection was lost (a lone Client does not reconnect: pass a Pool)';
    logger.error(`postgres: ${what}`, { error: describeError(error) });
  });
  return true;
}

function describeError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

/**
 * Runs `body` in one transaction on one connection. A Pool is never asked for `BEGIN` directly:
 * each `pool.query` may land on another connection.
 */
export async function inTransaction<T>(client: SqlClient, body: (tx: { run(sql: string, params?: unknown[]): Promise<SqlResult> }) => Promise<T>): Promise<T> {
  if (isPglite(client)) {
    return client.transaction((tx) => body({ run: (sql, params) => (params ? tx.query(sql, params) : tx.exec(sql).then(() => ({ rows: [] }))) }));
  }
  const connection = isPool(client) ? await client.connect() : client;
  // A checked-out pool connection has no pool listener: its 'error' event (the server going
  // away between two statements) would end the process. Hold one while we have it, and give
  // the broken connection back as broken so the pool discards it.
  let lost: Error | undefined;
  const onError = (error: Error) => void (lost = error);
  const watched = isPool(client) && emitsErrors(connection);
  if (watched) connection.on('error', onError);
  try {
    await connection.query('BEGIN');
    try {
      const result = await body({ run: (sql, params) => connection.query(sql, params) });
      await connection.query('COMMIT');
      return result;
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    if (isPool(client)) {
      if (watched) connection.removeListener('error', onError);
      (connection as unknown as { release(error?: Error): void }).release(lost);
    }
  }
}
