/**
 * Lua, one atomic step per postback: the state machine documented on `ClickStore`
 * (src/ports.ts), branch for branch with src/conversion.ts.
 *
 * KEYS[1] is the click's shard base (`<prefix>:{s<n>}`); ARGV the command, positional
 * (conversion-command.ts; the raw postback data as a JSON string literal that Lua splices into
 * the earning and the audit row without decoding it). The click is a hash (prelude-click): the
 * step reads the fields it decides on and writes back only those it changes. In the cluster
 * layout (`crossSlot`) every key it touches is in that one slot and money is recorded as owed
 * operations of the shard; on a standalone server in `inline` mode it also writes the user's
 * ledger and wallet (keys outside KEYS, which a standalone server allows). The audit row, the
 * admin indexes, the user's earnings index and the event go into ONE change-log record
 * (prelude-log), which the fold (fold-log) moves to them before anything reads them.
 *
 * User-keyed conversions: when the click is absent and the command carries `clickIfAbsent`, that
 * virtual click stands in and is inserted by this same script (unless a risk rule refuses), with
 * its (network, transaction id) claimed in the shard's `:ntx` hash, the unique constraint. Risk
 * rules are decided here; the day counters of the daily caps are read and counted here too in
 * the standalone layout, and reserved by the client before this script in the cluster layout
 * (see prelude-risk and risk-reservations.ts).
 *
 * The script decides everything first and writes after: Redis keeps the writes of a script that
 * fails half way, so nothing that can be refused may come after the first write.
 * @module
 */
import { ledgerPreludeLua } from './prelude-ledger.lua.js';
import { moneyPreludeLua } from './prelude-money.lua.js';
import { riskPreludeLua } from './prelude-risk.lua.js';
import { eventTypesPreludeLua } from './prelude-events.lua.js';
import { clickPreludeLua } from './prelude-click.lua.js';
import { logPreludeLua } from './prelude-log.lua.js';

export const applyConversionLua = '#!lua\n' + moneyPreludeLua + ledgerPreludeLua + riskPreludeLua + clickPreludeLua + logPreludeLua + eventTypesPreludeLua + String.raw`
local base = KEYS[1]
-- The command, positional (conversion-command.ts): no JSON to decode on the way in. A nullable
-- text arrives as '' for null or '=' and the text.
local function opt(v) if v == '' then return cjson.null end return string.sub(v, 2) end
local c = { attemptId = ARGV[1], clickId = ARGV[2], conversionId = ARGV[3], action = ARGV[4], status = ARGV[5],
  amount = opt(ARGV[6]), newEarningId = ARGV[7], now = tonumber(ARGV[8]), ledger = ARGV[9], crossSlot = ARGV[10] == '1',
  userPrefix = ARGV[11], auditTtl = tonumber(ARGV[12]), log = ARGV[13], eventOrder = ARGV[14], recordEvent = ARGV[15] == '1',
  transactionId = opt(ARGV[16]), offerId = opt(ARGV[17]), sourceIp = opt(ARGV[18]),
  clickIfAbsent = cjson.null, ntxBase = cjson.null, ntxUnreachable = false, risk = cjson.null, conversionIp = cjson.null,
  reservation = cjson.null }
-- ARGV[19]: the raw postback data as a JSON string literal (spliced into the earning text as is);
-- ARGV[20]: the audit row's JSON without its raw data, decision, earning id, rule and closing brace;
-- ARGV[21]: '' or the JSON of the rest (virtual click, risk policy, day counters).
local raw_literal = ARGV[19]
if ARGV[21] ~= '' then
  local x = cjson.decode(ARGV[21])
  for k, v in pairs(x) do c[k] = v end
end
local now = c.now
local click_key = base .. ':click:' .. c.clickId
local conv_key = base .. ':conv:' .. c.clickId
local click = read_click(click_key, c.clickId, is_set(c.risk))
-- The values the admin indexes hold before this step changes them (one ZREM per moved index).
local prev_click_status = click and click.status
local prev_e_status, prev_e_approval = nil, nil
local raw_earning_text = nil   -- the stored earning as read (returned as is when unchanged)
local earning_summary = false  -- earning holds only the conversion map's state (it does not change)
if c.crossSlot and c.ledger == 'inline' then return redis.error_reply('ERR inline ledger needs the standalone layout') end

local decision
local rule = cjson.null
local earning = nil
local show_earning = true      -- whether the outcome and the audit row carry the earning
local earning_changed = false
local earning_created = false
local click_changed = false
local click_created = false    -- the command's virtual click is inserted by this step
local click_left_pending = false
local counted = false          -- auto-credited: the day counters read below count it
local ops = {}
local counter_keys, counters = {}, {}

local function capped(amount)
  if amount == cjson.null or amount == nil or amount_cmp(amount, click.earnUpTo) > 0 then return click.earnUpTo end
  return amount
end
local function commission_for(amount, referrer)
  if referrer == cjson.null or referrer == nil then return '0' end
  return commission_of(amount, click.commissionPpm)
end
local function is_held(amount)
  if click.holdAbove ~= cjson.null and click.holdAbove ~= nil then
    -- A negative threshold holds every amount (a product's hold: 'always', HOLD_EVERY_CONVERSION).
    if string.sub(click.holdAbove, 1, 1) == '-' or amount_cmp(amount, click.holdAbove) > 0 then return true end
  end
  if click.holdWithinSeconds ~= cjson.null and click.holdWithinSeconds ~= nil
    and now - click.clickedAt < click.holdWithinSeconds * 1000 then return true end
  return false
end
-- Whether the click's goals admit a new conversion id (admitsConversion in src/conversion.ts).
local function admits(conversion_id)
  local goals = click.goals
  if not is_set(goals) then return (not is_set(click.conversionId)) or click.conversionId == conversion_id end
  if goals == true then return true end
  for _, goal in ipairs(goals) do
    if 'goal:' .. goal == conversion_id then return true end
  end
  return false
end
local function set_or_nil(v) if v == cjson.null then return nil end return v end
local function add_ops(list) for _, op in ipairs(list) do ops[#ops + 1] = op end end
-- The risk verdict for a credit of 'amount' now: nil, or effect and rule.
local function verdict_for(amount)
  return assess_risk(click, c, amount, counters)
end
-- A credit-class postback on a new or pending earning that no rule refused: hold it, or pay it now.
local function credit(e, effect, held_by)
  e.status = 'completed'
  if effect ~= nil or is_held(e.amount) then
    e.approvalStatus = 'pending'
    if held_by ~= nil then rule = held_by end
    return 'held'
  end
  e.approvalStatus = 'auto_approved'; e.credited = true; e.creditedAt = now
  add_ops(credit_ops(e))
  counted = true
  return 'credited'
end
local function cancel(e, reason)
  e.status = 'cancelled'; e.cancelReason = reason; e.cancelledAt = now; e.updatedAt = now
end
-- The stored text of an earning this step created or touched, so its raw postback data is the
-- command's (raw_literal, spliced in as received): written field by field, absent fields for nulls.
local function text_field(name, v)
  if v == nil or v == cjson.null then return '' end
  return ',"' .. name .. '":' .. cjson.encode(v)
end
-- Integers as text: the step's own time is ARGV[8] as sent (no string.format per field).
local function int_text(v) if v == now then return ARGV[8] end return string.format('%d', v) end
local function bool_text(v) if v == true then return 'true' end return 'false' end
local function int_field(name, v)
  if v == nil or v == cjson.null then return '' end
  return ',"' .. name .. '":' .. int_text(v)
end
local function encode_earning(e, raw)
  return '{"earningId":' .. cjson.encode(e.earningId) .. ',"userId":' .. cjson.encode(e.userId)
    .. ',"productId":' .. cjson.encode(e.productId) .. text_field('offerId', e.offerId) .. ',"clickId":' .. cjson.encode(e.clickId)
    .. ',"conversionId":' .. cjson.encode(e.conversionId) .. text_field('transactionId', e.transactionId)
    .. ',"amount":"' .. e.amount .. '","status":"' .. e.status .. '","approvalStatus":"' .. e.approvalStatus
    .. '","type":' .. cjson.encode(e.type) .. ',"credited":' .. bool_text(e.credited) .. int_field('creditedAt', e.creditedAt)
    .. int_field('cancelledAt', e.cancelledAt) .. text_field('cancelReason', e.cancelReason)
    .. ',"reversedBeforeCredit":' .. bool_text(e.reversedBeforeCredit) .. text_field('referrerId', e.referrerId)
    .. ',"commission":"' .. e.commission .. '","lastPostbackStatus":' .. cjson.encode(e.lastPostbackStatus)
    .. ',"postbackReceived":' .. bool_text(e.postbackReceived) .. ',"postbackReceivedAt":' .. int_text(e.postbackReceivedAt)
    .. ',"postbackData":' .. raw .. ',"earnedAt":' .. int_text(e.earnedAt) .. ',"createdAt":' .. int_text(e.createdAt)
    .. ',"updatedAt":' .. int_text(e.updatedAt) .. '}'
end

-- A virtual click whose (network, transaction id) another click holds is already someone's.
local pair_taken = false
if not click and is_set(c.clickIfAbsent) then
  local v = c.clickIfAbsent
  if c.ntxUnreachable then
    pair_taken = true
  elseif is_set(c.ntxBase) and is_set(v.network) and is_set(v.networkTransactionId) then
    local holder = redis.call('HGET', c.ntxBase .. ':ntx', v.network .. '\0' .. v.networkTransactionId)
    pair_taken = holder ~= false and holder ~= nil and holder ~= c.clickId
  end
  if not pair_taken and v.clickId == c.clickId then
    click = v
    click_created = true
  end
end
if is_set(c.risk) and click then
  counter_keys = risk_counter_keys(click, c)
  if c.crossSlot then
    -- Other slots: the client reserved on the counters before this script and settles after.
    local r = is_set(c.reservation) and c.reservation or {}
    counters = { user = reserved_counter(counter_keys.user, r.user), ip = reserved_counter(counter_keys.ip, r.ip) }
  else
    counters = { user = read_counter(counter_keys.user), ip = read_counter(counter_keys.ip) }
  end
end

if pair_taken then
  decision = 'conflict'; show_earning = false
elseif not click then
  decision = 'unknown_click'; show_earning = false
elseif (not click_created) and is_set(c.clickIfAbsent) and c.clickIfAbsent.userId ~= click.userId then
  -- A network transaction never moves to another user.
  decision = 'conflict'; show_earning = false
else
  local entry = (not click_created) and redis.call('HGET', conv_key, c.conversionId)
  if entry then
    local earning_id, code = conv_read(entry)
    -- The map's state code decides a replay or a refusal (duplicate, conflict) without the
    -- earning; a step that changes the earning reads it whole.
    local changes = code == nil
      or (c.action == 'credit' and (code == 'p' or code == 'n'))
      or ((c.action == 'reject' or c.action == 'reverse') and (code == 'p' or code == 'c'))
    if changes then
      local raw_earning = redis.call('GET', base .. ':earning:' .. earning_id)
      if raw_earning then
        earning = cjson.decode(raw_earning); raw_earning_text = raw_earning
        prev_e_status, prev_e_approval = earning.status, earning.approvalStatus
      end
    else
      earning = conv_summary(earning_id, code); earning_summary = true
    end
  end
  if not earning then
    show_earning = false
    if (not admits(c.conversionId)) or click.status == 'rejected' then
      decision = 'conflict'
    elseif click.status == 'expired' or now >= click.expiresAt then
      decision = 'expired'
      if click.status == 'pending' then
        click.status = 'expired'; click.updatedAt = now
        click_changed = true; click_left_pending = true
      end
    else
      local amount = capped(c.amount)
      local effect, fired = nil, nil
      if c.action == 'credit' then effect, fired = verdict_for(amount) end
      if effect == 'refuse' then
        -- A refusal writes nothing but its audit row: no earning, the click neither bound nor inserted.
        decision = fired; rule = fired
      else
        show_earning = true; earning_changed = true; earning_created = true
        local offer_id = c.offerId
        if offer_id == cjson.null then offer_id = click.offerId end
        -- Null fields are left out (nil): they read back as null (earningFromJson, is_set).
        earning = { earningId = c.newEarningId, userId = click.userId, productId = click.productId, offerId = set_or_nil(offer_id),
          clickId = click.clickId, conversionId = c.conversionId, transactionId = set_or_nil(c.transactionId), amount = amount,
          status = 'pending', approvalStatus = 'pending', type = 'postback', credited = false,
          reversedBeforeCredit = false, referrerId = set_or_nil(click.referrerId),
          commission = commission_for(amount, click.referrerId), lastPostbackStatus = c.status, postbackReceived = true,
          postbackReceivedAt = now, earnedAt = now, createdAt = now, updatedAt = now }
        if c.action == 'credit' then
          decision = credit(earning, effect, fired)
        elseif c.action == 'pending' then
          decision = 'recorded_pending'
        elseif c.action == 'reject' then
          cancel(earning, 'rejected'); earning.approvalStatus = 'rejected'; decision = 'rejected'
        else
          cancel(earning, 'reversed'); earning.approvalStatus = 'rejected'; earning.reversedBeforeCredit = true
          decision = 'pre_reversed'
        end
        -- One conversion per click binds it to this conversion; a goals click keeps its first and
        -- stays converted whatever the action (a reject cancels only its own goal).
        local single = not is_set(click.goals)
        if single or not is_set(click.conversionId) then click.conversionId = c.conversionId end
        click.status = (single and c.action == 'reject') and 'rejected' or 'converted'
        click.postbackReceived = true; click.postbackReceivedAt = now; click.updatedAt = now
        click_changed = true; click_left_pending = true
      end
    end
  else
    -- The earning exists: expiry no longer matters.
    local touched = function()
      earning_changed = true
      earning.lastPostbackStatus = c.status; earning.postbackReceivedAt = now
      if c.transactionId ~= cjson.null then earning.transactionId = c.transactionId end
      earning.updatedAt = now
    end
    if c.action == 'credit' then
      if earning.status == 'pending' then
        local amount = earning.amount
        if c.amount ~= cjson.null then amount = capped(c.amount) end
        local effect, fired = verdict_for(amount)
        if effect == 'refuse' then
          -- The pending earning stays as it was.
          decision = fired; rule = fired; show_earning = false
        else
          touched()
          if c.amount ~= cjson.null then
            earning.amount = amount
            earning.commission = commission_for(earning.amount, earning.referrerId)
          end
          decision = credit(earning, effect, fired)
        end
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
      -- On a goals click a reject cancels only its own goal; the click stays open for the others.
      if c.action == 'reject' and not is_set(click.goals) and click.status ~= 'rejected' then
        click.status = 'rejected'; click.updatedAt = now; click_changed = true
      end
    else
      decision = 'duplicate'
    end
  end
end
if click_created and not click_changed then click_created = false end

-- Checks: everything that can refuse the step comes before the first write.
local ntx_key, ntx_field = nil, nil
if click_created and is_set(c.ntxBase) and is_set(click.network) and is_set(click.networkTransactionId) then
  ntx_key = c.ntxBase .. ':ntx'
  ntx_field = click.network .. '\0' .. click.networkTransactionId
end
local states, refused = check_step_money(c, ops, now)
if not states then return redis.error_reply(refused) end
local shown_id = (show_earning and earning) and earning.earningId or nil
-- The audit row's tail (the head is ARGV[20]): joined to the change-log record in one
-- concatenation below, so the row's text is not built and then copied again.
local audit_tail = '","earningId":' .. (shown_id and cjson.encode(shown_id) or 'null')
  .. ((rule ~= cjson.null) and (',"rule":"' .. rule .. '"') or '') .. '}'
local earning_text = earning_changed and encode_earning(earning, raw_literal) or nil

-- Writes: nothing below can be refused.
if click_created then
  -- A virtual click never expires (user-keyed conversions do not): no TTL, not in the pending index.
  redis.call('HSET', click_key, unpack(click_changes(click, c.clickIfAbsentHash, now, ARGV[8])))
  if ntx_key then redis.call('HSET', ntx_key, ntx_field, click.clickId) end
elseif click_changed then
  -- Only the changed fields; the key keeps its TTL. A click that left pending stays in the
  -- pending index until its expiry: expire-clicks drops it then.
  redis.call('HSET', click_key, unpack(click_changes(click, {}, now, ARGV[8])))
end
if earning_text then redis.call('SET', base .. ':earning:' .. earning.earningId, earning_text) end
if earning_text and not earning_created then redis.call('HSET', conv_key, c.conversionId, conv_entry(earning)) end
local user_index = nil
if earning_created then
  redis.call('HSET', conv_key, c.conversionId, conv_entry(earning))
  if c.crossSlot then
    -- The user's earnings index is another slot: reached through an internal owed operation.
    local index_key = 'index:' .. earning.earningId
    redis.call('HSET', base .. ':ops', index_key, cjson.encode({ key = index_key, kind = 'index', userId = earning.userId,
      earningId = earning.earningId, createdAt = now }))
    redis.call('ZADD', base .. ':owed', now, index_key)
  else
    user_index = c.userPrefix .. '{u:' .. earning.userId .. '}:earnings'
  end
end
if counted and not c.crossSlot then
  if counter_keys.user then count_conversion(counter_keys.user, counters.user, earning.amount, c.counterExpireAt) end
  if counter_keys.ip then count_conversion(counter_keys.ip, counters.ip, earning.amount, c.counterExpireAt) end
end
local owed = write_step_money(base, c, ops, states, now)

-- The audit row, the admin indexes, the user's earnings index (standalone) and the event: one
-- record in the change log (prelude-log), folded in this order (fold-log) before anything reads them.
local event = c.recordEvent and earning_changed and ev_conversion_type(decision, earning) ~= nil
-- The record's meta (prelude-log's fields) as JSON text, each member made once.
local user_index_text = user_index and (',"ue":' .. cjson.encode(user_index)) or ''
local ttl_text = (c.auditTtl > 0) and (',"t":' .. ARGV[12]) or ''
local click_text = ''
if click_changed then
  if click_created then click_text = ',"cs":"' .. click.status .. '","cn":true,"cp":false'
  elseif prev_click_status ~= nil then click_text = ',"cs":"' .. click.status .. '","cp":"' .. prev_click_status .. '"'
  else click_text = ',"cs":"' .. click.status .. '"' end
end
local earning_meta = earning_text and log_earning_text(earning, earning_created, prev_e_status, prev_e_approval) or ''
local event_text = event and (',"ev":' .. cjson.encode(c.eventOrder)) or ''
-- One record (log_append's form): the meta, a newline and the audit row.
local fold = redis.call('RPUSH', c.log, '{"b":' .. cjson.encode(base) .. user_index_text .. ttl_text .. click_text .. earning_meta
  .. event_text .. '}\n' .. ARGV[20] .. ',"rawData":' .. raw_literal .. ',"decision":"' .. decision .. audit_tail) >= LOG_FOLD_AT
-- The earning goes back as the text already made (or read, when unchanged), as the reply's second
-- element: not encoded or copied into the first. 'event': the step recorded its event
-- (eventOfConversion of the decision and the earning).
local shown = ''
if show_earning and earning then
  if earning_summary then raw_earning_text = redis.call('GET', base .. ':earning:' .. earning.earningId) end
  shown = earning_text or raw_earning_text or ''
end
local owed_text = (#owed == 0) and '[]' or cjson.encode(owed)
return { '{"decision":"' .. decision .. '","owed":' .. owed_text .. ',"created":' .. bool_text(earning_created) .. ',"rule":'
  .. ((rule ~= cjson.null) and ('"' .. rule .. '"') or 'null') .. ',"counted":' .. bool_text(counted) .. ',"event":' .. bool_text(event)
  .. ',"fold":' .. bool_text(fold) .. '}', shown }
`;