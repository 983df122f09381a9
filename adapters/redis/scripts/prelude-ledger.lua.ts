/**
 * Lua prelude: an earning's ledger operations (the keys and signs of src/ledger.ts) and the
 * ledger wallet of one user (`<prefix>:{u:<userId>}`): `:wallet` a hash of `balance` (exact
 * decimal text of minor units, inside int64), `seq` (entries so far) and `#<key>` -> amount for
 * each entry's idempotency key (what a replay is checked against); `:ledger` the list of entries
 * (JSON), oldest first. Each entry is stored once, in the list.
 *
 * Redis does not roll a script back when it fails half way, so every script that posts entries
 * first checks them all (`check_entries`: reused keys, int64 range) and only then writes: a
 * refused step leaves nothing behind. Requires the money prelude.
 * @module
 */
export const ledgerPreludeLua = String.raw`
local function credit_ops(e)
  -- createdAt, balance and seq are set later (check_step_money, check_entries): named here so
  -- each table is sized for them once.
  local ops = {{ key = 'earning:' .. e.earningId .. ':credit', userId = e.userId, kind = 'credit',
    amount = e.amount, earningId = e.earningId, reversesKey = cjson.null, reason = 'credit', createdAt = nil, balance = nil, seq = nil }}
  if e.referrerId ~= cjson.null and e.referrerId ~= nil and e.commission ~= '0' then
    ops[2] = { key = 'earning:' .. e.earningId .. ':referral_credit', userId = e.referrerId,
      kind = 'referral_credit', amount = e.commission, earningId = e.earningId, reversesKey = cjson.null,
      reason = 'referral_credit', createdAt = nil, balance = nil, seq = nil }
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

-- a + b for signed canonical amounts, exact: plain numbers while both stay far below 2^53.
local function amount_sum(a, b)
  if #a <= 15 and #b <= 15 then return string.format('%d', tonumber(a) + tonumber(b)) end
  local na, nb = string.sub(a, 1, 1) == '-', string.sub(b, 1, 1) == '-'
  local ma, mb = na and string.sub(a, 2) or a, nb and string.sub(b, 2) or b
  if na == nb then
    local sum = amount_add(ma, mb)
    return (na and sum ~= '0') and ('-' .. sum) or sum
  end
  local cmp = amount_cmp(ma, mb)
  if cmp == 0 then return '0' end
  if cmp > 0 then return (na and '-' or '') .. amount_sub(ma, mb) end
  return (nb and '-' or '') .. amount_sub(mb, ma)
end

-- For each op, in order: 'new' or 'duplicate'; or nil plus an error text when the batch must be
-- refused (a key reused for another amount, or a balance leaving int64). A new op gets the
-- balance and the entry number it will write (op.balance, op.seq): one read per op.
local function check_entries(user_prefix, ops)
  local states, wallets = {}, {}
  for i, op in ipairs(ops) do
    local key = user_prefix .. '{u:' .. op.userId .. '}:wallet'
    local found = redis.call('HMGET', key, '#' .. op.key, 'balance', 'seq')
    if found[1] then
      if found[1] ~= op.amount then return nil, 'CONFLICT ledger key reused: ' .. op.key end
      states[i] = 'duplicate'
    else
      local w = wallets[key]
      if not w then
        w = { balance = found[2] or '0', seq = tonumber(found[3] or '0') }
        wallets[key] = w
      end
      w.balance = amount_sum(w.balance, op.amount)
      if math.abs(tonumber(w.balance)) >= BALANCE_LIMIT then return nil, 'OVERFLOW balance out of range for ' .. op.key end
      w.seq = w.seq + 1
      op.balance, op.seq = w.balance, w.seq
      states[i] = 'new'
    end
  end
  return states
end

-- Appends one checked entry (check_entries gave it its balance and number) and moves the
-- balance; returns the balance as exact text.
local function write_entry(user_prefix, op, at)
  local base = user_prefix .. '{u:' .. op.userId .. '}'
  local text = cjson.encode({ entryId = tostring(op.seq), key = op.key, userId = op.userId, kind = op.kind,
    amount = op.amount, earningId = op.earningId or cjson.null, reversesKey = op.reversesKey or cjson.null,
    reason = op.reason or cjson.null, createdAt = at })
  redis.call('HSET', base .. ':wallet', '#' .. op.key, op.amount, 'balance', op.balance, 'seq', op.seq)
  redis.call('RPUSH', base .. ':ledger', text)
  return op.balance
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
      if states[i] == 'new' then write_entry(c.userPrefix, op, at) end
    elseif redis.call('HSETNX', base .. ':ops', op.key, cjson.encode(op)) == 1 then
      redis.call('ZADD', base .. ':owed', at, op.key)
      redis.call('SADD', base .. ':opsof:' .. op.earningId, op.key)
      owed[#owed + 1] = op
    end
  end
  return owed
end
`;
