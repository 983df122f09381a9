/**
 * Lua prelude shared by the scripts that move money. Money travels and is stored as canonical
 * decimal strings of integer minor units (`"0"`, `"1250"`, `"-1250"`, no leading zeros, the
 * form `bigint.toString()` writes). Lua numbers are doubles, exact only up to 2^53, and amounts
 * reach 1e17 minor units at scale 8, so these helpers never turn an amount into a number:
 * comparisons work on the digits, and the commission is a schoolbook multiplication in base-1e6
 * limbs whose partial products stay below 2^53.
 * @module
 */
export const moneyPreludeLua = String.raw`
-- Compares two non-negative canonical amounts: -1, 0 or 1.
local function amount_cmp(a, b)
  if #a ~= #b then return (#a < #b) and -1 or 1 end
  if a == b then return 0 end
  return (a < b) and -1 or 1
end

local function amount_neg(a)
  if a == '0' then return '0' end
  if string.sub(a, 1, 1) == '-' then return string.sub(a, 2) end
  return '-' .. a
end

-- Sum of two non-negative canonical amounts, digit by digit (exact at any length).
local function amount_add(a, b)
  local out, carry = {}, 0
  local i, j = #a, #b
  while i >= 1 or j >= 1 or carry > 0 do
    local d = carry
    if i >= 1 then d = d + string.byte(a, i) - 48 end
    if j >= 1 then d = d + string.byte(b, j) - 48 end
    carry = (d >= 10) and 1 or 0
    out[#out + 1] = string.char(48 + d % 10)
    i = i - 1; j = j - 1
  end
  local text = string.reverse(table.concat(out)):gsub('^0+', '')
  if text == '' then return '0' end
  return text
end

-- a - b for canonical amounts with a >= b >= 0, digit by digit.
local function amount_sub(a, b)
  local out, borrow = {}, 0
  local i, j = #a, #b
  while i >= 1 do
    local d = string.byte(a, i) - 48 - borrow
    if j >= 1 then d = d - (string.byte(b, j) - 48) end
    if d < 0 then d = d + 10; borrow = 1 else borrow = 0 end
    out[#out + 1] = string.char(48 + d)
    i = i - 1; j = j - 1
  end
  local text = string.reverse(table.concat(out)):gsub('^0+', '')
  if text == '' then return '0' end
  return text
end

-- floor(amount * ppm / 1e6) for a non-negative canonical amount and an integer ppm in [0, 1e6].
-- Each limb is below 1e6, so limb * ppm + carry stays below 2^53: every step is exact.
local function commission_of(amount, ppm)
  local limbs = {}
  local i = #amount
  while i >= 1 do
    local from = math.max(1, i - 5)
    limbs[#limbs + 1] = tonumber(string.sub(amount, from, i))
    i = from - 1
  end
  local product, carry = {}, 0
  for k = 1, #limbs do
    local v = limbs[k] * ppm + carry
    local low = v % 1000000
    product[k] = low
    carry = (v - low) / 1000000
  end
  while carry > 0 do
    local low = carry % 1000000
    product[#product + 1] = low
    carry = (carry - low) / 1000000
  end
  -- Dividing by 1e6 drops the lowest limb; the rest is printed most significant first.
  local text = ''
  for k = #product, 2, -1 do
    if text ~= '' then
      text = text .. string.format('%06d', product[k])
    elseif product[k] ~= 0 then
      text = string.format('%d', product[k])
    end
  end
  if text == '' then return '0' end
  return text
end

-- Balances are int64 (INCRBY). A double is close enough to tell a sum that clearly fits from one
-- near the edge; the edge (|balance| >= 9.2e18 minor units) is refused before any write.
local BALANCE_LIMIT = 9.2e18
`;
