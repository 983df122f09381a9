/**
 * Lua: insert a click unless its id exists. KEYS[1] is the click's shard base; ARGV: click id,
 * PXAT of the key (expiry plus retention), expiry (score in the pending index), the expiry before
 * which a pending entry's click key is surely gone (its retention has passed): those entries are
 * trimmed here, so the index stays bounded without a sweeper; then, for a user-keyed click, the
 * base of the `:ntx` hash that holds its (network, transaction id) and the field
 * (`<network>\0<transaction id>`), both empty otherwise; the change log (prelude-log) that gets
 * the click's admin index entries; then the click's hash as field, value pairs (records.ts
 * clickToHash). Returns 1 when inserted (3 when inserted and the change log is long enough to
 * fold now), 0 when the id exists, 2 when another click holds the (network, transaction id).
 * Checks before writes.
 * @module
 */
import { logPreludeLua } from './prelude-log.lua.js';

export const insertClickLua = '#!lua\n' + logPreludeLua + String.raw`
local base = KEYS[1]
local key = base .. ':click:' .. ARGV[1]
local ntx_key = (ARGV[5] ~= nil and ARGV[5] ~= '') and (ARGV[5] .. ':ntx') or nil
if ntx_key then
  local holder = redis.call('HGET', ntx_key, ARGV[6])
  if holder and holder ~= ARGV[1] then return 2 end
end
if redis.call('EXISTS', key) == 1 then return 0 end
redis.call('HSET', key, unpack(ARGV, 8))
redis.call('PEXPIREAT', key, ARGV[2])
if ntx_key then redis.call('HSET', ntx_key, ARGV[6], ARGV[1]) end
redis.call('ZADD', base .. ':pending', ARGV[3], ARGV[1])
redis.call('ZREMRANGEBYSCORE', base .. ':pending', '-inf', '(' .. ARGV[4])
if log_append(ARGV[7], { b = base, id = ARGV[1], cs = 'pending', cp = false, cn = true }) then return 3 end
return 1
`;
