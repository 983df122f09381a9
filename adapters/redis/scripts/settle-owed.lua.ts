/**
 * Lua: mark an owed operation of a shard settled (idempotent). KEYS[1] is the shard base;
 * ARGV: operation key, settle time (epoch ms). The operation stays in `:ops` (its history) and
 * leaves the `:owed` index. Returns 1 when it settled it now, 0 otherwise.
 * @module
 */
export const settleOwedLua = String.raw`#!lua
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
