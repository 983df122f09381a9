/**
 * The same-run baselines. On Postgres they run on tables of exactly clickcredit's shape
 * (`CREATE TABLE ... (LIKE <clickcredit table> INCLUDING ALL)` plus the earning's foreign key),
 * seeded with copies of one click clickcredit itself created, so the rows written are the same
 * rows clickcredit writes; only how they are written differs:
 *
 * - floor: one hand-written statement (data-modifying CTEs): convert the click, insert the
 *   earning, move the wallet (and the referrer's, for a referred click).
 * - naive: the seed's flow the obvious way, one statement at a time in one transaction on one
 *   checked-out client: find the click, check it, insert the earning, update the wallet(s),
 *   update the click.
 * - all-writes floor and all-writes naive (diagnostics): everything a clickcredit credit writes
 *   (the three writes plus ledger entries and the audit row) in one statement, or one statement
 *   at a time in a transaction, to split the gaps into "more writes" and "how they are written".
 * - minimal floor (diagnostic): the three writes on five-column tables, as small as they get.
 *
 * On Redis the floor is one hand-written Lua script (EVALSHA) doing the same writes.
 */
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { REFERRAL_PPM, REFERRER } from './stores.js';

const q = (schema: string) => `"${schema}"`;

/** Creates `schema` with clickcredit-shaped clicks/earnings/wallets (and ledger/audit) tables. */
export async function createShapedTables(pool: pg.Pool, schema: string, like: string): Promise<void> {
  const s = q(schema);
  const l = q(like);
  await pool.query(`CREATE SCHEMA ${s};
    CREATE TABLE ${s}.clicks (LIKE ${l}.clicks INCLUDING ALL);
    CREATE TABLE ${s}.earnings (LIKE ${l}.earnings INCLUDING ALL, FOREIGN KEY (click_id) REFERENCES ${s}.clicks (click_id));
    CREATE TABLE ${s}.wallets (LIKE ${l}.wallets INCLUDING ALL);
    CREATE TABLE ${s}.ledger_entries (LIKE ${l}.ledger_entries INCLUDING ALL);
    CREATE TABLE ${s}.postback_attempts (LIKE ${l}.postback_attempts INCLUDING ALL);`);
}

/**
 * Inserts `count` pending clicks into `schema`, each a copy of clickcredit's click `templateId`
 * from `from` with a fresh uuid, one of 100 users, and every fifth one referred.
 */
export async function seedShapedClicks(pool: pg.Pool, schema: string, from: string, templateId: string, count: number): Promise<string[]> {
  const { rows } = await pool.query(
    `INSERT INTO ${q(schema)}.clicks
     SELECT gen_random_uuid()::text, 'bench-user-' || (g % 100), product_id, offer_id, task_url, redirect_url, postback_url,
       ip_address, user_agent, referrer, clicked_at, expires_at, 'pending', NULL, false, NULL, 0, NULL, NULL, created_at,
       updated_at, earn_up_to, CASE WHEN g % 10 IN (3, 7) THEN $3 END, CASE WHEN g % 10 IN (3, 7) THEN $4::integer ELSE 0 END,
       hold_above, hold_within_seconds
     FROM ${q(from)}.clicks, generate_series(1, $2::integer) AS g WHERE click_id = $1 RETURNING click_id`,
    [templateId, count, REFERRER, REFERRAL_PPM],
  );
  await pool.query(`ANALYZE ${q(schema)}.clicks`);
  return rows.map((r) => r.click_id as string);
}

const EARNING_COLUMNS = `earning_id, user_id, product_id, offer_id, click_id, conversion_id, transaction_id, amount, status,
  approval_status, type, credited, credited_at, cancelled_at, cancel_reason, reversed_before_credit, referrer_id, commission,
  last_postback_status, postback_received, postback_received_at, postback_data, earned_at, created_at, updated_at`;
// The earning clickcredit writes for a credited postback, from the click row `c` ($2 amount, $3 id, $4 now, $5 raw data).
const EARNING_FROM_CLICK = `$3, c.user_id, c.product_id, c.offer_id, c.click_id, 'c', NULL, LEAST($2::bigint, c.earn_up_to), 'completed',
  'auto_approved', 'postback', true, $4::timestamptz, NULL, NULL, false, c.referrer_id,
  CASE WHEN c.referrer_id IS NULL THEN 0 ELSE LEAST($2::bigint, c.earn_up_to) * c.commission_ppm / 1000000 END,
  'completed', true, $4::timestamptz, $5::jsonb, $4::timestamptz, $4::timestamptz, $4::timestamptz`;
const CONVERT_CLICK = (s: string) => `UPDATE ${s}.clicks SET conversion_id = 'c', status = 'converted', postback_received = true,
  postback_received_at = $4, updated_at = $4 WHERE click_id = $1 AND status = 'pending' AND expires_at > $4 RETURNING *`;
const MOVE_WALLETS = (s: string, from: string) => `INSERT INTO ${s}.wallets AS w (user_id, balance, updated_at)
  SELECT user_id, amount, $4 FROM ${from} UNION ALL SELECT referrer_id, commission, $4 FROM ${from} WHERE referrer_id IS NOT NULL AND commission > 0
  ON CONFLICT (user_id) DO UPDATE SET balance = w.balance + EXCLUDED.balance, updated_at = EXCLUDED.updated_at`;

/** Raw postback data as the core stores it. */
export const RAW_DATA = JSON.stringify({ amount: '10.00', status: 'completed', conversionId: 'c' });
type PostbackFn = (clickId: string, earningId: string) => Promise<unknown>;

/** The floor: one statement converting the click, inserting the earning, moving the wallet(s). */
export function floorPostback(pool: pg.Pool, schema: string): PostbackFn {
  const s = q(schema);
  const sql = `WITH c AS (${CONVERT_CLICK(s)}),
    e AS (INSERT INTO ${s}.earnings (${EARNING_COLUMNS}) SELECT ${EARNING_FROM_CLICK} FROM c RETURNING user_id, amount, referrer_id, commission)
    ${MOVE_WALLETS(s, 'e')}`;
  return (clickId, earningId) => pool.query(sql, [clickId, '1000', earningId, new Date().toISOString(), RAW_DATA]);
}

/** Diagnostic: one statement writing everything a clickcredit credit writes (ledger entries, audit row too). */
export function allWritesPostback(pool: pg.Pool, schema: string): PostbackFn {
  const s = q(schema);
  const sql = `WITH c AS (${CONVERT_CLICK(s)}),
    e AS (INSERT INTO ${s}.earnings (${EARNING_COLUMNS}) SELECT ${EARNING_FROM_CLICK} FROM c RETURNING *),
    ops AS (SELECT 'earning:' || earning_id || ':credit' AS k, user_id AS u, 'credit' AS kind, amount AS a, earning_id FROM e
      UNION ALL SELECT 'earning:' || earning_id || ':referral_credit', referrer_id, 'referral_credit', commission, earning_id
      FROM e WHERE referrer_id IS NOT NULL AND commission > 0),
    l AS (INSERT INTO ${s}.ledger_entries (idempotency_key, user_id, kind, amount, earning_id, reason, created_at)
      SELECT k, u, kind, a, earning_id, kind, $4 FROM ops),
    w AS (INSERT INTO ${s}.wallets AS w (user_id, balance, updated_at) SELECT u, a, $4 FROM ops
      ON CONFLICT (user_id) DO UPDATE SET balance = w.balance + EXCLUDED.balance, updated_at = EXCLUDED.updated_at),
    a AS (INSERT INTO ${s}.postback_attempts (attempt_id, click_id, conversion_id, postback_status, amount, raw_data, decision, earning_id, received_at)
      VALUES (gen_random_uuid()::text, $1, 'c', 'completed', '10.00', $5::jsonb, 'credited', $3, $4))
    SELECT to_jsonb(e) AS earning FROM e`;
  return (clickId, earningId) => pool.query(sql, [clickId, '1000', earningId, new Date().toISOString(), RAW_DATA]);
}

/**
 * The naive baseline: the seed's flow, one statement at a time in one transaction. With
 * `allWrites` (diagnostic) it also writes what clickcredit writes beyond the seed: a ledger
 * entry per wallet move and the audit row, each one more statement.
 */
export function naivePostback(pool: pg.Pool, schema: string, allWrites = false): PostbackFn {
  const s = q(schema);
  const ledger = `INSERT INTO ${s}.ledger_entries (idempotency_key, user_id, kind, amount, earning_id, reason, created_at) VALUES ($1, $2, $3, $4, $5, $3, $6)`;
  const wallet = `INSERT INTO ${s}.wallets AS w (user_id, balance, updated_at) VALUES ($1, $2, $3)
    ON CONFLICT (user_id) DO UPDATE SET balance = w.balance + EXCLUDED.balance, updated_at = EXCLUDED.updated_at`;
  return async (clickId, earningId) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const now = new Date().toISOString();
      const { rows } = await client.query(`SELECT * FROM ${s}.clicks WHERE click_id = $1 FOR UPDATE`, [clickId]);
      const click = rows[0];
      if (!click || click.status !== 'pending' || new Date(click.expires_at) <= new Date(now)) throw new Error('click not pending');
      const amount = BigInt(click.earn_up_to) < 1000n ? BigInt(click.earn_up_to) : 1000n;
      const commission = click.referrer_id ? (amount * BigInt(click.commission_ppm)) / 1_000_000n : 0n;
      await client.query(
        `INSERT INTO ${s}.earnings (${EARNING_COLUMNS}) VALUES ($1, $2, $3, $4, $5, 'c', NULL, $6, 'completed', 'auto_approved',
          'postback', true, $7, NULL, NULL, false, $8, $9, 'completed', true, $7, $10, $7, $7, $7)`,
        [earningId, click.user_id, click.product_id, click.offer_id, clickId, amount.toString(), now, click.referrer_id, commission.toString(), RAW_DATA],
      );
      await client.query(wallet, [click.user_id, amount.toString(), now]);
      if (allWrites) await client.query(ledger, [`earning:${earningId}:credit`, click.user_id, 'credit', amount.toString(), earningId, now]);
      if (commission > 0n) {
        await client.query(wallet, [click.referrer_id, commission.toString(), now]);
        if (allWrites) {
          await client.query(ledger, [`earning:${earningId}:referral_credit`, click.referrer_id, 'referral_credit', commission.toString(), earningId, now]);
        }
      }
      if (allWrites) {
        await client.query(
          `INSERT INTO ${s}.postback_attempts (attempt_id, click_id, conversion_id, postback_status, amount, raw_data, decision, earning_id, received_at)
           VALUES (gen_random_uuid()::text, $1, 'c', 'completed', '10.00', $2, 'credited', $3, $4)`,
          [clickId, RAW_DATA, earningId, now],
        );
      }
      await client.query(
        `UPDATE ${s}.clicks SET conversion_id = 'c', status = 'converted', postback_received = true, postback_received_at = $2, updated_at = $2 WHERE click_id = $1`,
        [clickId, now],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  };
}

/** Diagnostic: the three writes on five-column tables (the smallest rows and fewest indexes possible). */
export async function minimalFloor(pool: pg.Pool, schema: string, count: number): Promise<{ ids: string[]; run: PostbackFn }> {
  const s = q(schema);
  await pool.query(`CREATE SCHEMA ${s};
    CREATE TABLE ${s}.clicks (click_id text PRIMARY KEY, user_id text NOT NULL, status text NOT NULL, earn_up_to bigint NOT NULL, expires_at timestamptz NOT NULL);
    CREATE TABLE ${s}.earnings (earning_id text PRIMARY KEY, click_id text NOT NULL, conversion_id text NOT NULL, user_id text NOT NULL, amount bigint NOT NULL, UNIQUE (click_id, conversion_id));
    CREATE TABLE ${s}.wallets (user_id text PRIMARY KEY, balance bigint NOT NULL);`);
  const { rows } = await pool.query(
    `INSERT INTO ${s}.clicks SELECT gen_random_uuid()::text, 'u' || (g % 100), 'pending', 5000, now() + interval '1 day'
     FROM generate_series(1, $1::integer) AS g RETURNING click_id`,
    [count],
  );
  await pool.query(`ANALYZE ${s}.clicks`);
  const sql = `WITH c AS (UPDATE ${s}.clicks SET status = 'converted' WHERE click_id = $1 AND status = 'pending' RETURNING user_id, earn_up_to),
    e AS (INSERT INTO ${s}.earnings SELECT $2, $1, 'c', user_id, LEAST($3::bigint, earn_up_to) FROM c RETURNING user_id, amount)
    INSERT INTO ${s}.wallets SELECT user_id, amount FROM e ON CONFLICT (user_id) DO UPDATE SET balance = wallets.balance + EXCLUDED.balance`;
  return { ids: rows.map((r) => r.click_id as string), run: (clickId, earningId) => pool.query(sql, [clickId, earningId, '1000']) };
}

/** The hand-written single-row INSERT of a click row of clickcredit's shape (26 columns), the createClick floor. */
export function bareClickInsert(pool: pg.Pool, schema: string, clickId: () => string): (i: number) => Promise<unknown> {
  const sql = `INSERT INTO ${q(schema)}.clicks (click_id, user_id, product_id, offer_id, task_url, redirect_url, postback_url, ip_address,
    user_agent, referrer, clicked_at, expires_at, status, conversion_id, postback_received, postback_received_at, visit_count,
    first_visit_at, last_visit_at, created_at, updated_at, earn_up_to, referrer_id, commission_ppm, hold_above, hold_within_seconds)
    VALUES (${Array.from({ length: 26 }, (_, i) => `$${i + 1}`).join(', ')})`;
  return (i) => {
    const id = clickId();
    const now = new Date();
    const postbackUrl = `http://localhost:3000/api/v1/earn/postback?click_id=${id}`;
    const referred = i % 10 === 3 || i % 10 === 7;
    return pool.query(sql, [
      id, `bench-user-${i % 100}`, 'bench', null, 'https://advertiser.example/offer',
      `https://advertiser.example/offer?click_id=${id}&postback_url=${encodeURIComponent(postbackUrl)}`, postbackUrl, null, null, null,
      now.toISOString(), new Date(now.getTime() + 86_400_000).toISOString(), 'pending', null, false, null, 0, null, null,
      now.toISOString(), now.toISOString(), '5000', referred ? REFERRER : null, referred ? REFERRAL_PPM : 0, null, null,
    ]);
  };
}

/** Diagnostic: a single-row INSERT into a five-column click table. */
export async function minimalClickInsert(pool: pg.Pool, schema: string, clickId: () => string): Promise<(i: number) => Promise<unknown>> {
  await pool.query(`CREATE SCHEMA "${schema}";
    CREATE TABLE "${schema}".clicks (click_id text PRIMARY KEY, user_id text NOT NULL, status text NOT NULL, earn_up_to bigint NOT NULL, expires_at timestamptz NOT NULL)`);
  const sql = `INSERT INTO "${schema}".clicks VALUES ($1, $2, 'pending', 5000, now() + interval '1 day')`;
  return (i) => pool.query(sql, [clickId(), `bench-user-${i % 100}`]);
}

// The Redis floor: convert the click (its status field), store the earning (the same JSON text
// clickcredit stores), move the user's balance and, for a referred click, the referrer's.
const FLOOR_LUA = `
if redis.call('HGET', KEYS[1], 'status') ~= 'pending' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'converted')
redis.call('SET', KEYS[2], ARGV[1])
redis.call('INCRBY', KEYS[3], ARGV[2])
if #KEYS > 3 then redis.call('INCRBY', KEYS[4], ARGV[3]) end
return 1`;

/** The Redis floor: one hand-written Lua script per postback (EVALSHA), on clicks it seeds with a pipeline. */
export async function redisFloor(client: Redis, prefix: string, ids: string[], earningJson: string) {
  const pipeline = client.pipeline();
  ids.forEach((id, i) => pipeline.hset(`${prefix}:floor:click:${id}`, 'status', 'pending', 'user', `bench-user-${i % 100}`));
  await pipeline.exec();
  const sha = (await client.script('LOAD', FLOOR_LUA)) as string;
  return (i: number, earningId: string) => {
    const id = ids[i]!;
    const keys = [`${prefix}:floor:click:${id}`, `${prefix}:floor:earning:${earningId}`, `${prefix}:floor:balance:bench-user-${i % 100}`];
    const referred = i % 10 === 3 || i % 10 === 7;
    if (referred) keys.push(`${prefix}:floor:balance:${REFERRER}`);
    return client.evalsha(sha, keys.length, ...keys, earningJson, '1000', '100');
  };
}

/** Server-side microseconds per call of EVALSHA so far (INFO commandstats), to split Redis time from client time. */
export async function evalshaStats(client: Redis): Promise<{ calls: number; usec: number }> {
  const line = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(await client.info('commandstats'));
  return { calls: Number(line?.[1] ?? 0), usec: Number(line?.[2] ?? 0) };
}
