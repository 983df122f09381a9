/**
 * Lua prelude: an earning's ledger operations (the keys and signs of src/ledger.ts) and the
 * ledger wallet of one user (`<prefix>:{u:<userId>}`: `:balance` int64, `:ledger` list of
 * entries, `:entrykeys` hash key -> entry, `:entryseq` counter).
 *
 * Redis does not roll a script back when it fails half way, so every script that posts entries
 * first checks them all (`check_entries`: reused keys, int64 range) and only then writes: a
 * refused step leaves nothing behind. Requires the money prelude.
 * @module
 */
export const ledgerPreludeLua = String.raw`
local function credit_ops(e)
  local ops = {{ key = 'earning:' .. e.earningId .. ':credit', userId = e.userId, kind = 'credit',
    amount = e.amount, earningId = e.earningId, reversesKey = cjson.null, reason = 'credit' }}
  if e.referrerId ~= cjson.null and e.referrerId ~= nil and e.commission ~= '0' then
    ops[2] = { key = 'earning:' .. e.earningId .. ':referral_credit', userId = e.referrerId,
      kind = 'referral_credit', amount = e.commission, earningId = e.earningId, reversesKey = cjson.null,
      reason = 'referral_credit' }
  end
  return ops
end

local function reversal_ops(e)
  local ops = {}
  for _, op in ipairs(credit_ops(e)) do
    local kind = (op.kind == 'credit') and 'debit' or 'referral_debit'
    ops[#ops + 1] = { key = 'earning:' .. e.earningId .. ':' .. kind, userId = op.userId, kind = kind,
      amount = amount_neg(op.amount), earningId = e.earningId, reversesKey = op.key, reason = kind }
  end
  return ops
end

-- For each op, in order: 'new' or 'duplicate'; or nil plus an error text when the batch must be
-- refused (a key reused for another user or amount, or a balance leaving int64).
local function check_entries(user_prefix, ops)
  local states, running = {}, {}
  for i, op in ipairs(ops) do
    local base = user_prefix .. '{u:' .. op.userId .. '}'
    local existing = redis.call('HGET', base .. ':entrykeys', op.key)
    if existing then
      local entry = cjson.decode(existing)
      if entry.userId ~= op.userId or entry.amount ~= op.amount then return nil, 'CONFLICT ledger key reused: ' .. op.key end
      states[i] = 'duplicate'
    else
      running[base] = (running[base] or tonumber(redis.call('GET', base .. ':balance') or '0')) + tonumber(op.amount)
      if math.abs(running[base]) >= BALANCE_LIMIT then return nil, 'OVERFLOW balance out of range for ' .. op.key end
      states[i] = 'new'
    end
  end
  return states
end

-- Appends one checked entry and moves the balance; returns the balance as exact text (nil with
-- no_balance: a caller that does not answer with it saves the read).
local function write_entry(user_prefix, op, at, no_balance)
  local base = user_prefix .. '{u:' .. op.userId .. '}'
  redis.call('INCRBY', base .. ':balance', op.amount)
  local seq = redis.call('INCR', base .. ':entryseq')
  local text = cjson.encode({ entryId = tostring(seq), key = op.key, userId = op.userId, kind = op.kind,
    amount = op.amount, earningId = op.earningId or cjson.null, reversesKey = op.reversesKey or cjson.null,
    reason = op.reason or cjson.null, createdAt = at })
  redis.call('HSET', base .. ':entrykeys', op.key, text)
  redis.call('RPUSH', base .. ':ledger', text)
  if no_balance then return nil end
  -- INCRBY's reply is a Lua number (inexact past 2^53); the stored value is exact.
  return redis.call('GET', base .. ':balance')
end

-- A step's money in two halves around its writes, shared by every step that moves an earning's
-- money (apply-conversion, decide-approval). check_step_money comes before the step's first
-- write: it stamps the ops and, inline, checks them all (a nil result plus the refusal text: the
-- step must be refused, nothing written yet). write_step_money comes after: ledger entries
-- inline, or owed operations in the shard's outbox; it returns the ops recorded as owed now.
local function check_step_money(c, ops, at)
  for _, op in ipairs(ops) do op.createdAt = at end
  if c.ledger ~= 'inline' or #ops == 0 then return {} end
  return check_entries(c.userPrefix, ops)
end

local function write_step_money(base, c, ops, states, at)
  local owed = {}
  for i, op in ipairs(ops) do
    if c.ledger == 'inline' then
      if states[i] == 'new' then write_entry(c.userPrefix, op, at, true) end
    elseif redis.call('HSETNX', base .. ':ops', op.key, cjson.encode(op)) == 1 then
      redis.call('ZADD', base .. ':owed', at, op.key)
      redis.call('SADD', base .. ':opsof:' .. op.earningId, op.key)
      owed[#owed + 1] = op
    end
  end
  return owed
end
`;
