/**
 * The one thing the adapter needs from a driver: run a parameterised statement. A `pg` Pool, a
 * `pg` Client and a PGlite instance all fit, without importing either driver's types.
 * @module
 */

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

/**
 * Runs `body` in one transaction on one connection. A Pool is never asked for `BEGIN` directly:
 * each `pool.query` may land on another connection.
 */
export async function inTransaction<T>(client: SqlClient, body: (tx: { run(sql: string, params?: unknown[]): Promise<SqlResult> }) => Promise<T>): Promise<T> {
  if (isPglite(client)) {
    return client.transaction((tx) => body({ run: (sql, params) => (params ? tx.query(sql, params) : tx.exec(sql).then(() => ({ rows: [] }))) }));
  }
  const connection = isPool(client) ? await client.connect() : client;
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
    if (isPool(client)) (connection as unknown as { release(): void }).release();
  }
}
