/**
 * The same-run baselines: the hand-written one-statement floor and the naive transaction on
 * Postgres, the hand-written Lua floor on Redis. They do the same writes as a credited postback
 * (insert earning, move the wallet, convert the click) on their own small tables.
 */
import type pg from 'pg';
import type { Redis } from 'ioredis';

export async function createBaselineTables(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`CREATE SCHEMA "${schema}";
    CREATE TABLE "${schema}".clicks (click_id text PRIMARY KEY, user_id text NOT NULL, status text NOT NULL, earn_up_to bigint NOT NULL, expires_at timestamptz NOT NULL);
    CREATE TABLE "${schema}".earnings (earning_id text PRIMARY KEY, click_id text NOT NULL, conversion_id text NOT NULL, user_id text NOT NULL, amount bigint NOT NULL, UNIQUE (click_id, conversion_id));
    CREATE TABLE "${schema}".wallets (user_id text PRIMARY KEY, balance bigint NOT NULL);`);
}

export async function seedBaselineClicks(pool: pg.Pool, schema: string, ids: string[]): Promise<void> {
  await pool.query(
    `INSERT INTO "${schema}".clicks SELECT id, 'u' || (ord % 100), 'pending', 5000, now() + interval '1 day' FROM unnest($1::text[]) WITH ORDINALITY AS t(id, ord)`,
    [ids],
  );
}

/** The floor: one statement doing every write. */
export function floorPostback(pool: pg.Pool, schema: string) {
  const s = `"${schema}"`;
  const sql = `WITH c AS (UPDATE ${s}.clicks SET status = 'converted' WHERE click_id = $1 AND status = 'pending' RETURNING user_id, earn_up_to),
    e AS (INSERT INTO ${s}.earnings SELECT $2, $1, 'conv', user_id, LEAST($3::bigint, earn_up_to) FROM c RETURNING user_id, amount)
    INSERT INTO ${s}.wallets SELECT user_id, amount FROM e ON CONFLICT (user_id) DO UPDATE SET balance = wallets.balance + EXCLUDED.balance`;
  return (clickId: string, earningId: string) => pool.query(sql, [clickId, earningId, '1000']);
}

/** The naive baseline: the seed's flow, one statement at a time in a transaction. */
export function naivePostback(pool: pg.Pool, schema: string) {
  const s = `"${schema}"`;
  return async (clickId: string, earningId: string) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query(`SELECT user_id, status, earn_up_to, expires_at FROM ${s}.clicks WHERE click_id = $1 FOR UPDATE`, [clickId]);
      const click = rows[0];
      if (!click || click.status !== 'pending') throw new Error('not pending');
      const amount = BigInt(click.earn_up_to) < 1000n ? String(click.earn_up_to) : '1000';
      await client.query(`INSERT INTO ${s}.earnings VALUES ($1, $2, 'conv', $3, $4)`, [earningId, clickId, click.user_id, amount]);
      await client.query(`INSERT INTO ${s}.wallets VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET balance = wallets.balance + EXCLUDED.balance`, [click.user_id, amount]);
      await client.query(`UPDATE ${s}.clicks SET status = 'converted' WHERE click_id = $1`, [clickId]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  };
}

const FLOOR_LUA = `
local click = KEYS[1]
if redis.call('HGET', click, 'status') ~= 'pending' then return 0 end
redis.call('HSET', click, 'status', 'converted')
redis.call('SET', KEYS[2], ARGV[1])
redis.call('INCRBY', KEYS[3], ARGV[2])
return 1`;

/** The Redis floor: one hand-written Lua script doing the three writes. */
export async function redisFloor(client: Redis, prefix: string, ids: string[]) {
  const pipeline = client.pipeline();
  for (const id of ids) pipeline.hset(`${prefix}:floor:{${id}}`, 'status', 'pending', 'user', 'u');
  await pipeline.exec();
  const sha = (await client.script('LOAD', FLOOR_LUA)) as string;
  return (clickId: string, earningId: string) =>
    client.evalsha(sha, 3, `${prefix}:floor:{${clickId}}`, `${prefix}:floor:{${clickId}}:earning`, `${prefix}:floor:{${clickId}}:wallet`, earningId, '1000');
}
