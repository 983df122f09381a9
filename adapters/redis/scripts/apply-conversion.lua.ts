/**
 * Lua, one atomic step per postback: the state machine documented on `ClickStore`
 * (src/ports.ts), branch for branch with src/conversion.ts.
 *
 * KEYS[1] is the click's shard base (`<prefix>:{s<n>}`); ARGV[1] the command as JSON (the raw
 * postback data inside it as JSON text, so Lua never re-encodes the advertiser's input). In the
 * cluster layout (`crossSlot`) every key it touches is in that one slot and money is recorded as
 * owed operations of the shard; on a standalone server in `inline` mode it also writes the
 * user's ledger, balance and earnings index (keys outside KEYS, which a standalone server allows).
 *
 * The script decides everything first and writes after: Redis keeps the writes of a script that
 * fails half way, so nothing that can be refused may come after the first write.
 * @module
 */
import { ledgerPreludeLua } from './prelude-ledger.lua.js';
import { moneyPreludeLua } from './prelude-money.lua.js';

export const applyConversionLua = '#!lua\n' + moneyPreludeLua + ledgerPreludeLua + String.raw`
local base = KEYS[1]
local c = cjson.decode(ARGV[1])
local now = c.now
local click_key = base .. ':click:' .. c.clickId
local conv_key = base .. ':conv:' .. c.clickId
local raw_click = redis.call('GET', click_key)
local click = raw_click and cjson.decode(raw_click) or nil
if c.crossSlot and c.ledger == 'inline' then return redis.error_reply('ERR inline ledger needs the standalone layout') end

local decision
local earning = nil
local show_earning = true      -- whether the outcome and the audit row carry the earning
local earning_changed = false
local earning_created = false
local click_changed = false
local click_left_pending = false
local ops = {}

local function capped(amount)
  if amount == cjson.null or amount == nil or amount_cmp(amount, click.earnUpTo) > 0 then return click.earnUpTo end
  return amount
end
local function commission_for(amount, referrer)
  if referrer == cjson.null or referrer == nil then return '0' end
  return commission_of(amount, click.commissionPpm)
end
local function is_held(amount)
  if click.holdAbove ~= cjson.null and click.holdAbove ~= nil and amount_cmp(amount, click.holdAbove) > 0 then return true end
  if click.holdWithinSeconds ~= cjson.null and click.holdWithinSeconds ~= nil
    and now - click.clickedAt < click.holdWithinSeconds * 1000 then return true end
  return false
end
local function add_ops(list) for _, op in ipairs(list) do ops[#ops + 1] = op end end
-- A credit-class postback on a new or pending earning: hold it, or pay it now.
local function credit(e)
  e.status = 'completed'
  if is_held(e.amount) then
    e.approvalStatus = 'pending'
    return 'held'
  end
  e.approvalStatus = 'auto_approved'; e.credited = true; e.creditedAt = now
  add_ops(credit_ops(e))
  return 'credited'
end
local function cancel(e, reason)
  e.status = 'cancelled'; e.cancelReason = reason; e.cancelledAt = now; e.updatedAt = now
end

if not click then
  decision = 'unknown_click'; show_earning = false
else
  local earning_id = redis.call('HGET', conv_key, c.conversionId)
  if earning_id then
    local raw_earning = redis.call('GET', base .. ':earning:' .. earning_id)
    if raw_earning then earning = cjson.decode(raw_earning) end
  end
  if not earning then
    show_earning = false
    if (click.conversionId ~= cjson.null and click.conversionId ~= c.conversionId) or click.status == 'rejected' then
      decision = 'conflict'
    elseif click.status == 'expired' or (click.status == 'pending' and now >= click.expiresAt) then
      decision = 'expired'
      if click.status == 'pending' then
        click.status = 'expired'; click.updatedAt = now
        click_changed = true; click_left_pending = true
      end
    else
      show_earning = true; earning_changed = true; earning_created = true
      local amount = capped(c.amount)
      local offer_id = c.offerId
      if offer_id == cjson.null then offer_id = click.offerId end
      earning = { earningId = c.newEarningId, userId = click.userId, productId = click.productId, offerId = offer_id,
        clickId = click.clickId, conversionId = c.conversionId, transactionId = c.transactionId, amount = amount,
        status = 'pending', approvalStatus = 'pending', type = 'postback', credited = false, creditedAt = cjson.null,
        cancelledAt = cjson.null, cancelReason = cjson.null, reversedBeforeCredit = false, referrerId = click.referrerId,
        commission = commission_for(amount, click.referrerId), lastPostbackStatus = c.status, postbackReceived = true,
        postbackReceivedAt = now, postbackData = c.rawData, earnedAt = now, createdAt = now, updatedAt = now }
      if c.action == 'credit' then
        decision = credit(earning)
      elseif c.action == 'pending' then
        decision = 'recorded_pending'
      elseif c.action == 'reject' then
        cancel(earning, 'rejected'); earning.approvalStatus = 'rejected'; decision = 'rejected'
      else
        cancel(earning, 'reversed'); earning.approvalStatus = 'rejected'; earning.reversedBeforeCredit = true
        decision = 'pre_reversed'
      end
      click.conversionId = c.conversionId
      click.status = (c.action == 'reject') and 'rejected' or 'converted'
      click.postbackReceived = true; click.postbackReceivedAt = now; click.updatedAt = now
      click_changed = true; click_left_pending = true
    end
  else
    -- The earning exists: expiry no longer matters.
    local touched = function()
      earning_changed = true
      earning.lastPostbackStatus = c.status; earning.postbackReceivedAt = now; earning.postbackData = c.rawData
      if c.transactionId ~= cjson.null then earning.transactionId = c.transactionId end
      earning.updatedAt = now
    end
    if c.action == 'credit' then
      if earning.status == 'pending' then
        touched()
        if c.amount ~= cjson.null then
          earning.amount = capped(c.amount)
          earning.commission = commission_for(earning.amount, earning.referrerId)
        end
        decision = credit(earning)
      elseif earning.status == 'cancelled' and earning.reversedBeforeCredit then
        touched()
        earning.reversedBeforeCredit = false; earning.credited = true; earning.creditedAt = now
        add_ops(credit_ops(earning)); add_ops(reversal_ops(earning))
        decision = 'netted'
      elseif earning.cancelReason == 'rejected' and not earning.credited then
        decision = 'conflict'; show_earning = false
      else
        decision = 'duplicate'
      end
    elseif (c.action == 'reject' or c.action == 'reverse') and earning.status ~= 'cancelled' then
      local reason = (c.action == 'reject') and 'rejected' or 'reversed'
      touched()
      if earning.status == 'completed' and earning.credited then
        add_ops(reversal_ops(earning))
        cancel(earning, reason)
        decision = 'reversed'
      else
        cancel(earning, reason); earning.approvalStatus = 'rejected'
        decision = (c.action == 'reject') and 'rejected' or 'cancelled'
      end
      if c.action == 'reject' and click.status ~= 'rejected' then
        click.status = 'rejected'; click.updatedAt = now; click_changed = true
      end
    else
      decision = 'duplicate'
    end
  end
end

for _, op in ipairs(ops) do op.createdAt = now end
local states = {}
if c.ledger == 'inline' and #ops > 0 then
  local refused
  states, refused = check_entries(c.userPrefix, ops)
  if not states then return redis.error_reply(refused) end
end
local audit = cjson.encode({ attemptId = c.attemptId, clickId = c.clickId, conversionId = c.conversionId,
  postbackStatus = c.status, amount = c.rawAmount, sourceIp = c.sourceIp, rawData = c.rawData, decision = decision,
  earningId = (show_earning and earning) and earning.earningId or cjson.null, message = cjson.null, receivedAt = now })
local earning_text = earning_changed and cjson.encode(earning) or nil
local click_text = click_changed and cjson.encode(click) or nil

-- Writes: nothing below can be refused.
if click_text then redis.call('SET', click_key, click_text, 'KEEPTTL') end
if click_left_pending then redis.call('ZREM', base .. ':pending', c.clickId) end
if earning_text then redis.call('SET', base .. ':earning:' .. earning.earningId, earning_text) end
if earning_created then
  redis.call('HSET', conv_key, c.conversionId, earning.earningId)
  if c.crossSlot then
    -- The user's earnings index is another slot: reached through an internal owed operation.
    local index_key = 'index:' .. earning.earningId
    redis.call('HSET', base .. ':ops', index_key, cjson.encode({ key = index_key, kind = 'index', userId = earning.userId,
      earningId = earning.earningId, createdAt = now }))
    redis.call('ZADD', base .. ':owed', now, index_key)
  else
    redis.call('ZADD', c.userPrefix .. '{u:' .. earning.userId .. '}:earnings', now, earning.earningId)
  end
end
local owed = {}
for i, op in ipairs(ops) do
  if c.ledger == 'inline' then
    if states[i] == 'new' then write_entry(c.userPrefix, op, now) end
  elseif redis.call('HSETNX', base .. ':ops', op.key, cjson.encode(op)) == 1 then
    redis.call('ZADD', base .. ':owed', now, op.key)
    redis.call('SADD', base .. ':opsof:' .. op.earningId, op.key)
    owed[#owed + 1] = op
  end
end
local audit_key = base .. ':audit:' .. c.clickId
redis.call('RPUSH', audit_key, audit)
if c.auditTtl > 0 then redis.call('EXPIRE', audit_key, c.auditTtl) end

return cjson.encode({ decision = decision, earning = (show_earning and earning) or cjson.null, owed = owed,
  created = earning_created })
`;
