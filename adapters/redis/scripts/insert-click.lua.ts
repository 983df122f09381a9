/**
 * Lua: insert a click unless its id exists. KEYS[1] is the click's shard base; ARGV: click id,
 * click JSON, PXAT of the key (expiry plus retention), expiry (score in the pending index), the
 * expiry before which a pending entry's click key is surely gone (its retention has passed):
 * those entries are trimmed here, so the index stays bounded without a sweeper; then, for a
 * user-keyed click, the base of the `:ntx` hash that holds its (network, transaction id) and the
 * field (`<network>\0<transaction id>`), both empty otherwise; last the change log (prelude-log)
 * that gets the click's admin index entries. Returns 1 when inserted, 0 when the id exists, 2
 * when another click holds the (network, transaction id). Checks before writes.
 * @module
 */
import { logPreludeLua } from './prelude-log.lua.js';

export const insertClickLua = '#!lua\n' + logPreludeLua + String.raw`
local base = KEYS[1]
local key = base .. ':click:' .. ARGV[1]
local ntx_key = (ARGV[6] ~= nil and ARGV[6] ~= '') and (ARGV[6] .. ':ntx') or nil
if ntx_key then
  local holder = redis.call('HGET', ntx_key, ARGV[7])
  if holder and holder ~= ARGV[1] then return 2 end
end
if redis.call('SET', key, ARGV[2], 'NX', 'PXAT', ARGV[3]) then
  if ntx_key then redis.call('HSET', ntx_key, ARGV[7], ARGV[1]) end
  redis.call('ZADD', base .. ':pending', ARGV[4], ARGV[1])
  redis.call('ZREMRANGEBYSCORE', base .. ':pending', '-inf', '(' .. ARGV[5])
  log_append(ARGV[8], { b = base, c = log_click(cjson.decode(ARGV[2]), true) })
  return 1
end
return 0
`;
