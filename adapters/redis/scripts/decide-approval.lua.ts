/**
 * Lua: approve or reject a held earning. KEYS[1] is the shard base of the earning's click, so a
 * decision never interleaves with a postback of that click. Checks first, writes after (see
 * apply-conversion).
 * @module
 */
import { ledgerPreludeLua } from './prelude-ledger.lua.js';
import { moneyPreludeLua } from './prelude-money.lua.js';
import { clickPreludeLua } from './prelude-click.lua.js';
import { logPreludeLua } from './prelude-log.lua.js';

export const decideApprovalLua = '#!lua\n' + moneyPreludeLua + ledgerPreludeLua + clickPreludeLua + logPreludeLua + String.raw`
local base = KEYS[1]
local c = cjson.decode(ARGV[1])
if c.crossSlot and c.ledger == 'inline' then return redis.error_reply('ERR inline ledger needs the standalone layout') end
local key = base .. ':earning:' .. c.earningId
local raw = redis.call('GET', key)
if not raw then return cjson.encode({ decision = 'not_found', earning = cjson.null, owed = {} }) end
local e = cjson.decode(raw)
if (c.approve and e.approvalStatus == 'manual_approved') or ((not c.approve) and e.cancelReason == 'approval_rejected') then
  return cjson.encode({ decision = 'unchanged', earning = e, owed = {} })
end
if e.status ~= 'completed' or e.approvalStatus ~= 'pending' then
  return cjson.encode({ decision = 'not_held', earning = e, owed = {} })
end
local ops = {}
local prev_status, prev_approval = e.status, e.approvalStatus
e.updatedAt = c.now
if c.approve then
  e.approvalStatus = 'manual_approved'; e.credited = true; e.creditedAt = c.now
  ops = credit_ops(e)
else
  e.approvalStatus = 'rejected'; e.status = 'cancelled'; e.cancelReason = 'approval_rejected'; e.cancelledAt = c.now
end
local states, refused = check_step_money(c, ops, c.now)
if not states then return redis.error_reply(refused) end
local text = cjson.encode(e)

redis.call('SET', key, text)
redis.call('HSET', base .. ':conv:' .. e.clickId, e.conversionId, conv_entry(e))
local owed = write_step_money(base, c, ops, states, c.now)
-- The index move and the event: one change-log record (prelude-log), folded in order.
-- The event (eventOfApproval of the earning after the decision) is built by the fold, recorded
-- once by id, and by the client for its answer.
local event = c.recordEvent and c.eventsBase ~= cjson.null and c.eventsBase ~= nil
local meta = '{"b":' .. cjson.encode(base) .. ',"eid":' .. cjson.encode(e.earningId) .. log_earning_text(e, false, prev_status, prev_approval)
if event then
  meta = meta .. ',"ev":' .. cjson.encode(c.eventOrder) .. ',"ap":' .. tostring(c.approve == true) .. ',"at":' .. string.format('%d', c.now)
end
local fold = redis.call('RPUSH', c.log, meta .. '}\n') >= LOG_FOLD_AT
return cjson.encode({ decision = 'applied', earning = e, owed = owed, event = event, fold = fold })
`;
