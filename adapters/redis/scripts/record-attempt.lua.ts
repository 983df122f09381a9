/**
 * Lua: append a postback audit row refused before the state machine (bad signature, unknown
 * format...). KEYS[1] is the shard base of its click; ARGV: click id, row JSON, retention in
 * seconds (0: forever). The admin indexes get the row too, with its click's user and network.
 * @module
 */
import { adminIndexPreludeLua } from './prelude-admin-index.lua.js';

export const recordAttemptLua = '#!lua\n' + adminIndexPreludeLua + String.raw`
local key = KEYS[1] .. ':audit:' .. ARGV[1]
redis.call('RPUSH', key, ARGV[2])
local ttl = tonumber(ARGV[3])
if ttl > 0 then redis.call('EXPIRE', key, ttl) end
local raw_click = ARGV[1] ~= '' and redis.call('GET', KEYS[1] .. ':click:' .. ARGV[1]) or nil
local row = cjson.decode(ARGV[2])
ix_attempt(KEYS[1], row, raw_click and cjson.decode(raw_click) or nil)
if ttl > 0 then ix_trim_attempts(KEYS[1], row.receivedAt - ttl * 1000) end
return 1
`;
