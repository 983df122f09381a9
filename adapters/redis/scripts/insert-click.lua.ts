/**
 * Lua: insert a click unless its id exists. KEYS[1] is the click's shard base; ARGV: click id,
 * click JSON, PXAT of the key (expiry plus retention), expiry (score in the pending index), and
 * the expiry before which a pending entry's click key is surely gone (its retention has passed):
 * those entries are trimmed here, so the index stays bounded without a sweeper. Returns 1 when
 * inserted, 0 when the id exists.
 * @module
 */
export const insertClickLua = String.raw`#!lua
local base = KEYS[1]
local key = base .. ':click:' .. ARGV[1]
if redis.call('SET', key, ARGV[2], 'NX', 'PXAT', ARGV[3]) then
  redis.call('ZADD', base .. ':pending', ARGV[4], ARGV[1])
  redis.call('ZREMRANGEBYSCORE', base .. ':pending', '-inf', '(' .. ARGV[5])
  return 1
end
return 0
`;
