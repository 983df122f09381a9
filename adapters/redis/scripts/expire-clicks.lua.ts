/**
 * Lua: mark at most ARGV[2] pending clicks of one shard whose expiry is <= ARGV[1] (epoch ms)
 * as expired. KEYS[1] is the shard base; its `:pending` sorted set holds the pending clicks by
 * expiry. Members whose key already ended (retention passed) are only dropped from the index.
 * ARGV[3] is the change log (prelude-log) that gets each status move. Returns how many clicks
 * it marked.
 * @module
 */
import { logPreludeLua } from './prelude-log.lua.js';

export const expireClicksLua = '#!lua\n' + logPreludeLua + String.raw`
local base = KEYS[1]
local now = tonumber(ARGV[1])
local ids = redis.call('ZRANGEBYSCORE', base .. ':pending', '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
local count = 0
for _, id in ipairs(ids) do
  redis.call('ZREM', base .. ':pending', id)
  local key = base .. ':click:' .. id
  if redis.call('HGET', key, 'st') == 'pending' then
    redis.call('HSET', key, 'st', 'expired', 'ua', ARGV[1])
    log_append(ARGV[3], { b = base, id = id, cs = 'expired', cp = 'pending' })
    count = count + 1
  end
end
return count
`;
