/**
 * Lua helpers shared by the scripts (prepended to each). Money travels as decimal strings of
 * integer minor units; arithmetic stays below 2^53 so Lua's doubles are exact.
 * @module
 */
export const moneyLua = String.raw`
local function money(s) return tonumber(s) end
local function fmt(n) return string.format('%.0f', n) end
-- floor(amount * ppm / 1e6) without ever forming amount * ppm (which can pass 2^53).
local function commission(amount, ppm)
  local hi = math.floor(amount / 1000000)
  local lo = amount - hi * 1000000
  return hi * ppm + math.floor(lo * ppm / 1000000)
end
local function credit_ops(e)
  local ops = {{ key = 'earning:' .. e.earningId .. ':credit', userId = e.userId, kind = 'credit',
    amount = e.amount, earningId = e.earningId, reason = 'credit' }}
  if e.referrerId ~= cjson.null and e.referrerId ~= nil and money(e.commission) > 0 then
    table.insert(ops, { key = 'earning:' .. e.earningId .. ':referral_credit', userId = e.referrerId,
      kind = 'referral_credit', amount = e.commission, earningId = e.earningId, reason = 'referral_credit' })
  end
  return ops
end
local function reversal_ops(e)
  local ops = {}
  for _, op in ipairs(credit_ops(e)) do
    local kind = op.kind == 'credit' and 'debit' or 'referral_debit'
    table.insert(ops, { key = 'earning:' .. e.earningId .. ':' .. kind, userId = op.userId, kind = kind,
      amount = fmt(-money(op.amount)), earningId = e.earningId, reversesKey = op.key, reason = kind })
  end
  return ops
end
`;
