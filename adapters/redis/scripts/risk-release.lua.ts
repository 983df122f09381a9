/**
 * Lua, cluster layout: settle a reservation (risk-reserve) after the conversion script. KEYS[1]
 * is the counter; ARGV: the reservation id, and the amount the step counted (`''`: it counted
 * nothing, so the whole reservation goes back). A counted step keeps its one conversion and gives
 * back what it reserved above the amount it earned. Idempotent: the reservation field is removed
 * in the same script, so a second call (a re-sent command) finds nothing and changes nothing.
 * Returns 1 when settled now, 0 when there was nothing to settle.
 * @module
 */
import { moneyPreludeLua } from './prelude-money.lua.js';

export const riskReleaseLua = '#!lua\n' + moneyPreludeLua + String.raw`
local key = KEYS[1]
local field = 'r:' .. ARGV[1]
local reserved = redis.call('HGET', key, field)
if not reserved then return 0 end
local found = redis.call('HMGET', key, 'count', 'amount')
local count, amount = tonumber(found[1] or '0'), found[2] or '0'
if ARGV[2] == '' then
  count = count - 1
  amount = amount_sub(amount, reserved)
elseif amount_cmp(ARGV[2], reserved) < 0 then
  amount = amount_sub(amount, amount_sub(reserved, ARGV[2]))
end
redis.call('HSET', key, 'count', count, 'amount', amount)
redis.call('HDEL', key, field)
return 1
`;
