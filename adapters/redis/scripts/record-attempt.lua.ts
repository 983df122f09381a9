/**
 * Lua: append a postback audit row refused before the state machine (bad signature, unknown
 * format...) to the change log (prelude-log); the fold moves it to the click's audit list and
 * the admin indexes, with its click's user, product and network. KEYS[1] is the shard base of
 * its click; ARGV: click id (unused: the row names it), row JSON, retention in seconds (0:
 * forever), the change log. Returns 1 when the change log is long enough to fold now, else 0.
 * @module
 */
import { logPreludeLua } from './prelude-log.lua.js';

export const recordAttemptLua = '#!lua\n' + logPreludeLua + String.raw`
local ttl = tonumber(ARGV[3])
local meta = { b = KEYS[1] }
if ttl > 0 then meta.t = ttl end
if log_append(ARGV[4], meta, ARGV[2]) then return 1 end
return 0
`;
