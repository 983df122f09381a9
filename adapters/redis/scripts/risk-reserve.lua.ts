/**
 * Lua, cluster layout: reserve one conversion on a risk day counter before the conversion script
 * (the counter is in the user's or the IP's slot, the click in its shard's: no script reaches
 * both). KEYS[1] is the counter (`<prefix>:{u:<userId>}:risk:<day>` or `{ip:<ip>}`); ARGV: the
 * reservation id (the attempt id), the amount reserved (an upper bound of the earning's),
 * the cap's count and amount (`''` when that part is off), the counter's PEXPIREAT.
 *
 * The check is the cap rule of `assessRisk` over the counter, which holds every auto-credited
 * conversion of the day plus every reservation still in flight: of concurrent conversions of one
 * user or IP no more than the cap reserve, so no more than the cap can be credited. Returns 1
 * (reserved, recorded as field `r:<id>`) or 0 (the cap would be exceeded: nothing written). The
 * same id again (a command re-sent after a lost connection) finds its reservation: 1.
 * @module
 */
import { moneyPreludeLua } from './prelude-money.lua.js';

export const riskReserveLua = '#!lua\n' + moneyPreludeLua + String.raw`
local key = KEYS[1]
local field = 'r:' .. ARGV[1]
if redis.call('HEXISTS', key, field) == 1 then return 1 end
local found = redis.call('HMGET', key, 'count', 'amount')
local count, amount = tonumber(found[1] or '0'), found[2] or '0'
if ARGV[3] ~= '' and count + 1 > tonumber(ARGV[3]) then return 0 end
local total = amount_add(amount, ARGV[2])
if ARGV[4] ~= '' and amount_cmp(total, ARGV[4]) > 0 then return 0 end
redis.call('HSET', key, 'count', count + 1, 'amount', total, field, ARGV[2])
redis.call('PEXPIREAT', key, ARGV[5])
return 1
`;
