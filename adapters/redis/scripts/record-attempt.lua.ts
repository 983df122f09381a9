/**
 * Lua: append a postback audit row refused before the state machine (bad signature, unknown
 * format...) to the change log (prelude-log); the fold moves it to the click's audit list and
 * the admin indexes, with its click's user, product and network. KEYS[1] is the shard base of
 * its click; ARGV: click id, row JSON, retention in seconds (0: forever), the change log.
 * @module
 */
import { logPreludeLua } from './prelude-log.lua.js';

export const recordAttemptLua = '#!lua\n' + logPreludeLua + String.raw`
local ttl = tonumber(ARGV[3])
local found = ARGV[1] ~= '' and redis.call('HMGET', KEYS[1] .. ':click:' .. ARGV[1], 'u', 'p', 'n') or {}
local meta = { b = KEYS[1], ak = KEYS[1] .. ':audit:' .. ARGV[1] }
if ttl > 0 then meta.ttl = ttl end
if found[1] then meta.a = { u = found[1], p = found[2], n = found[3] or nil } end
log_append(ARGV[4], meta, ARGV[2])
return 1
`;
