/**
 * Lua: count a visit of a click (first/last visit, count) in place; the key keeps its TTL.
 * KEYS[1] is the click's shard base; ARGV: click id, visit time (epoch ms). Returns the click's
 * hash (HGETALL), or nil for an unknown click.
 * @module
 */
export const recordVisitLua = String.raw`#!lua
local key = KEYS[1] .. ':click:' .. ARGV[1]
if redis.call('EXISTS', key) == 0 then return nil end
redis.call('HINCRBY', key, 'vc', 1)
redis.call('HSETNX', key, 'fv', ARGV[2])
redis.call('HSET', key, 'lv', ARGV[2], 'ua', ARGV[2])
return redis.call('HGETALL', key)
`;
