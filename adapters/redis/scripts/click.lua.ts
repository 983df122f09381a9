/**
 * Lua steps on a click (KEYS[1] is its shard base, one slot).
 * @module
 */

/** Inserts a click unless its id exists; the key lives until expiry plus retention. */
export const insertClickLua = String.raw`
local base = KEYS[1]
local ok = redis.call('SET', base .. ':click:' .. ARGV[1], ARGV[2], 'NX', 'PXAT', ARGV[3])
if not ok then return 0 end
redis.call('ZADD', base .. ':pending', ARGV[4], ARGV[1])
return 1
`;

/** Counts a visit; returns the click or nil. */
export const recordVisitLua = String.raw`
local key = KEYS[1] .. ':click:' .. ARGV[1]
local raw = redis.call('GET', key)
if not raw then return nil end
local click = cjson.decode(raw)
local at = tonumber(ARGV[2])
click.visitCount = click.visitCount + 1
if click.firstVisitAt == cjson.null then click.firstVisitAt = at end
click.lastVisitAt = at
click.updatedAt = at
raw = cjson.encode(click)
redis.call('SET', key, raw, 'KEEPTTL')
return raw
`;

/** Marks at most ARGV[2] pending clicks of this shard with expiry <= ARGV[1] as expired. */
export const expireClicksLua = String.raw`
local base = KEYS[1]
local now = tonumber(ARGV[1])
local ids = redis.call('ZRANGEBYSCORE', base .. ':pending', '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
local count = 0
for _, id in ipairs(ids) do
  redis.call('ZREM', base .. ':pending', id)
  local key = base .. ':click:' .. id
  local raw = redis.call('GET', key)
  if raw then
    local click = cjson.decode(raw)
    if click.status == 'pending' then
      click.status = 'expired'; click.updatedAt = now
      redis.call('SET', key, cjson.encode(click), 'KEEPTTL')
      count = count + 1
    end
  end
end
return count
`;

/** Marks an owed operation settled (idempotent). */
export const settleLua = String.raw`
local base = KEYS[1]
local raw = redis.call('HGET', base .. ':ops', ARGV[1])
if not raw then return 0 end
local op = cjson.decode(raw)
if op.settledAt ~= nil and op.settledAt ~= cjson.null then return 0 end
op.settledAt = tonumber(ARGV[2])
redis.call('HSET', base .. ':ops', ARGV[1], cjson.encode(op))
redis.call('ZREM', base .. ':owed', ARGV[1])
return 1
`;
