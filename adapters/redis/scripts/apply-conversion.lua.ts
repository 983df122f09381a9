/**
 * Lua, one atomic step per postback: the state machine documented on `ClickStore`
 * (src/ports.ts), branch for branch with src/conversion.ts. KEYS[1] is the click's shard base
 * (`<prefix>:{s<n>}`): every key it writes in cluster mode is in that one slot. In standalone mode
 * (`crossSlot` false) it also writes the user's ledger and earnings index directly.
 * @module
 */
import { moneyLua } from './money.lua.js';
import { postEntryLua } from './post-entry.lua.js';

export const applyConversionLua = moneyLua + postEntryLua + String.raw`
local base = KEYS[1]
local c = cjson.decode(ARGV[1])
local now = c.now
local click_key = base .. ':click:' .. c.clickId
local raw_click = redis.call('GET', click_key)
local decision
local earning = nil
local show = true
local save = false
local ops = {}
local click = raw_click and cjson.decode(raw_click) or nil

local function save_click() redis.call('SET', click_key, cjson.encode(click), 'KEEPTTL') end
local function is_held(amount)
  if click.holdAbove ~= cjson.null and money(amount) > money(click.holdAbove) then return true end
  if click.holdWithinSeconds ~= cjson.null and now - click.clickedAt < click.holdWithinSeconds * 1000 then return true end
  return false
end
local function capped(amount)
  if amount == cjson.null or amount == nil or money(amount) > money(click.earnUpTo) then return click.earnUpTo end
  return amount
end
local function commission_of(amount, referrer)
  if referrer == cjson.null or referrer == nil then return '0' end
  return fmt(commission(money(amount), click.commissionPpm))
end
local function credit_now(e)
  e.status = 'completed'
  if is_held(e.amount) then
    e.approvalStatus = 'pending'
    return 'held'
  end
  e.approvalStatus = 'auto_approved'; e.credited = true; e.creditedAt = now
  for _, op in ipairs(credit_ops(e)) do table.insert(ops, op) end
  return 'credited'
end

if not click then
  decision = 'unknown_click'; show = false
else
  local conv_key = base .. ':conv:' .. c.clickId
  local earning_id = redis.call('HGET', conv_key, c.conversionId)
  if earning_id then earning = cjson.decode(redis.call('GET', base .. ':earning:' .. earning_id)) end
  if not earning then
    show = false
    if (click.conversionId ~= cjson.null and click.conversionId ~= c.conversionId) or click.status == 'rejected' then
      decision = 'conflict'
    elseif click.status == 'expired' or (click.status == 'pending' and now >= click.expiresAt) then
      decision = 'expired'
      if click.status == 'pending' then
        click.status = 'expired'; click.updatedAt = now; save_click()
        redis.call('ZREM', base .. ':pending', c.clickId)
      end
    else
      show = true; save = true
      local amount = capped(c.amount)
      earning = { earningId = c.newEarningId, userId = click.userId, productId = click.productId,
        offerId = (c.offerId ~= cjson.null and c.offerId) or click.offerId, clickId = click.clickId,
        conversionId = c.conversionId, transactionId = c.transactionId, amount = amount, status = 'pending',
        approvalStatus = 'pending', type = 'postback', credited = false, creditedAt = cjson.null,
        cancelledAt = cjson.null, cancelReason = cjson.null, reversedBeforeCredit = false,
        referrerId = click.referrerId, commission = commission_of(amount, click.referrerId),
        lastPostbackStatus = c.status, postbackReceived = true, postbackReceivedAt = now,
        postbackData = c.rawData, earnedAt = now, createdAt = now, updatedAt = now }
      if c.action == 'credit' then
        decision = credit_now(earning)
      elseif c.action == 'pending' then
        decision = 'recorded_pending'
      else
        earning.status = 'cancelled'; earning.approvalStatus = 'rejected'; earning.cancelledAt = now
        if c.action == 'reject' then
          earning.cancelReason = 'rejected'; decision = 'rejected'
        else
          earning.cancelReason = 'reversed'; earning.reversedBeforeCredit = true; decision = 'pre_reversed'
        end
      end
      redis.call('HSET', conv_key, c.conversionId, earning.earningId)
      click.conversionId = c.conversionId
      click.status = (c.action == 'reject') and 'rejected' or 'converted'
      click.postbackReceived = true; click.postbackReceivedAt = now; click.updatedAt = now
      save_click()
      redis.call('ZREM', base .. ':pending', c.clickId)
      if c.crossSlot then
        redis.call('ZADD', base .. ':owed', now, 'index:' .. earning.earningId)
        redis.call('HSET', base .. ':ops', 'index:' .. earning.earningId, cjson.encode({ key = 'index:' .. earning.earningId,
          kind = 'index', userId = earning.userId, earningId = earning.earningId, createdAt = now }))
      else
        redis.call('ZADD', c.userPrefix .. '{u:' .. earning.userId .. '}:earnings', now, earning.earningId)
      end
    end
  else
    local changed = false
    if c.action == 'credit' then
      if earning.status == 'pending' then
        changed = true
        if c.amount ~= cjson.null and c.amount ~= nil then
          earning.amount = capped(c.amount)
          earning.commission = commission_of(earning.amount, earning.referrerId)
        end
        decision = credit_now(earning)
      elseif earning.status == 'cancelled' and earning.reversedBeforeCredit then
        changed = true
        earning.reversedBeforeCredit = false; earning.credited = true; earning.creditedAt = now
        for _, op in ipairs(credit_ops(earning)) do table.insert(ops, op) end
        for _, op in ipairs(reversal_ops(earning)) do table.insert(ops, op) end
        decision = 'netted'
      elseif earning.cancelReason == 'rejected' and not earning.credited then
        decision = 'conflict'; show = false
      else
        decision = 'duplicate'
      end
    elseif (c.action == 'reject' or c.action == 'reverse') and earning.status ~= 'cancelled' then
      changed = true
      if earning.status == 'completed' and earning.credited then
        for _, op in ipairs(reversal_ops(earning)) do table.insert(ops, op) end
        decision = 'reversed'
      else
        earning.approvalStatus = 'rejected'
        decision = (c.action == 'reject') and 'rejected' or 'cancelled'
      end
      earning.status = 'cancelled'; earning.cancelledAt = now
      earning.cancelReason = (c.action == 'reject') and 'rejected' or 'reversed'
      if c.action == 'reject' and click.status ~= 'rejected' then
        click.status = 'rejected'; click.updatedAt = now; save_click()
      end
    else
      decision = 'duplicate'
    end
    if changed then
      save = true
      earning.lastPostbackStatus = c.status; earning.postbackReceivedAt = now; earning.postbackData = c.rawData
      if c.transactionId ~= cjson.null then earning.transactionId = c.transactionId end
      earning.updatedAt = now
    end
  end
  if save then
    redis.call('SET', base .. ':earning:' .. earning.earningId, cjson.encode(earning))
  end
end

-- Money: inline ledger entries (standalone, own wallet) or owed operations in this shard.
local owed = {}
for _, op in ipairs(ops) do
  op.createdAt = now
  if c.ledger == 'inline' then
    local result = post_entry(c.userPrefix .. '{u:' .. op.userId .. '}', op, now)
    if result.conflict then return redis.error_reply('ledger key reused: ' .. op.key) end
  elseif redis.call('HSETNX', base .. ':ops', op.key, cjson.encode(op)) == 1 then
    redis.call('ZADD', base .. ':owed', now, op.key)
    redis.call('SADD', base .. ':opsof:' .. op.earningId, op.key)
    table.insert(owed, op)
  end
end

redis.call('RPUSH', base .. ':audit:' .. c.clickId, cjson.encode({ attemptId = c.attemptId, clickId = c.clickId,
  conversionId = c.conversionId, postbackStatus = c.status, amount = c.rawAmount, sourceIp = c.sourceIp,
  rawData = c.rawData, decision = decision, earningId = (show and earning) and earning.earningId or cjson.null,
  message = cjson.null, receivedAt = now }))
if c.auditTtl > 0 then redis.call('EXPIRE', base .. ':audit:' .. c.clickId, c.auditTtl) end

return cjson.encode({ decision = decision, earning = (show and earning) or cjson.null, owed = owed })
`;
