/**
 * Lua: append a postback audit row refused before the state machine (bad signature, unknown
 * format...). KEYS[1] is the shard base of its click; ARGV: click id, row JSON, retention in
 * seconds (0: forever).
 * @module
 */
export const recordAttemptLua = String.raw`#!lua
local key = KEYS[1] .. ':audit:' .. ARGV[1]
redis.call('RPUSH', key, ARGV[2])
local ttl = tonumber(ARGV[3])
if ttl > 0 then redis.call('EXPIRE', key, ttl) end
return 1
`;
