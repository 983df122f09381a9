/**
 * Lua: approve or reject a held earning, in its click's shard (so it never interleaves with a
 * postback of the same click).
 * @module
 */
import { moneyLua } from './money.lua.js';
import { postEntryLua } from './post-entry.lua.js';

export const decideApprovalLua = moneyLua + postEntryLua + String.raw`
local base = KEYS[1]
local c = cjson.decode(ARGV[1])
local key = base .. ':earning:' .. c.earningId
local raw = redis.call('GET', key)
if not raw then return cjson.encode({ decision = 'not_found', owed = {} }) end
local e = cjson.decode(raw)
if (c.approve and e.approvalStatus == 'manual_approved') or ((not c.approve) and e.cancelReason == 'approval_rejected') then
  return cjson.encode({ decision = 'unchanged', earning = e, owed = {} })
end
if e.status ~= 'completed' or e.approvalStatus ~= 'pending' then
  return cjson.encode({ decision = 'not_held', earning = e, owed = {} })
end
local ops = {}
e.updatedAt = c.now
if c.approve then
  e.approvalStatus = 'manual_approved'; e.credited = true; e.creditedAt = c.now
  ops = credit_ops(e)
else
  e.approvalStatus = 'rejected'; e.status = 'cancelled'; e.cancelReason = 'approval_rejected'; e.cancelledAt = c.now
end
redis.call('SET', key, cjson.encode(e))
local owed = {}
for _, op in ipairs(ops) do
  op.createdAt = c.now
  if c.ledger == 'inline' then
    post_entry(c.userPrefix .. '{u:' .. op.userId .. '}', op, c.now)
  elseif redis.call('HSETNX', base .. ':ops', op.key, cjson.encode(op)) == 1 then
    redis.call('ZADD', base .. ':owed', c.now, op.key)
    redis.call('SADD', base .. ':opsof:' .. op.earningId, op.key)
    table.insert(owed, op)
  end
end
return cjson.encode({ decision = 'applied', earning = e, owed = owed })
`;
