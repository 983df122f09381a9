/**
 * Lua prelude: the risk rules (src/risk.ts `assessRisk`, rule for rule and in the same order) and
 * the day counters of the daily caps. Requires the money prelude (`amount_cmp`, `amount_add`).
 *
 * The policy travels in the command as JSON with money as canonical decimal strings:
 * `{ offerMismatch, minSeconds, maxSeconds, perUser, perIp, ipMismatch }`, each `null` when off;
 * a time rule is `{ seconds, effect }`, a cap `{ count, amount }` (either may be `null`).
 *
 * A day counter is a hash `{ count, amount }` (amount a canonical decimal string, added digit by
 * digit, so it stays exact past 2^53) under `<prefix>:{u:<userId>}:risk:<YYYY-MM-DD>` or
 * `<prefix>:{ip:<ip>}:risk:<YYYY-MM-DD>`; it expires a day after its UTC day ends. The standalone
 * layout reads and counts it inside the conversion script; the cluster layout (other slots)
 * reserves on it before the script and settles after (risk-reserve, risk-release).
 * @module
 */
export const riskPreludeLua = String.raw`
local function is_set(v) return v ~= nil and v ~= cjson.null end

-- c + 1 > cap.count, or c.amount + amount > cap.amount (the cap and the counter both present).
-- Cluster layout: the counter is a reservation made before the script (see risk-reserve): the
-- cap is exceeded when none could be made, or when the amount is above the one reserved.
local function cap_exceeded(cap, counter, amount)
  if not is_set(cap) or counter == nil then return false end
  if counter.reserved ~= nil then return (not counter.reserved) or amount_cmp(amount, counter.bound) > 0 end
  if is_set(cap.count) and counter.count + 1 > cap.count then return true end
  return is_set(cap.amount) and amount_cmp(amount_add(counter.amount, amount), cap.amount) > 0
end

-- The first rule whose effect is 'refuse', else the first that fires, else nil (as assessRisk).
-- Returns effect, rule.
local function assess_risk(click, c, amount, counters)
  local policy = c.risk
  if not is_set(policy) then return nil, nil end
  local fired = {}
  if is_set(policy.offerMismatch) and is_set(c.offerId) and is_set(click.offerId) and c.offerId ~= click.offerId then
    fired[#fired + 1] = { policy.offerMismatch, 'offer_mismatch' }
  end
  -- A user-keyed click is created by its first callback: its click time says nothing.
  if not is_set(click.network) then
    local elapsed = c.now - click.clickedAt
    if is_set(policy.minSeconds) and elapsed < policy.minSeconds.seconds * 1000 then
      fired[#fired + 1] = { policy.minSeconds.effect, 'too_soon' }
    end
    if is_set(policy.maxSeconds) and elapsed > policy.maxSeconds.seconds * 1000 then
      fired[#fired + 1] = { policy.maxSeconds.effect, 'too_late' }
    end
  end
  if is_set(policy.ipMismatch) and is_set(click.ipAddress) and is_set(c.conversionIp) and click.ipAddress ~= c.conversionIp then
    fired[#fired + 1] = { 'hold', 'ip_mismatch' }
  end
  if cap_exceeded(policy.perUser, counters.user, amount) then fired[#fired + 1] = { 'hold', 'user_daily_cap' } end
  if cap_exceeded(policy.perIp, counters.ip, amount) then fired[#fired + 1] = { 'hold', 'ip_daily_cap' } end
  for _, f in ipairs(fired) do
    if f[1] == 'refuse' then return f[1], f[2] end
  end
  if fired[1] then return fired[1][1], fired[1][2] end
  return nil, nil
end

-- The counter keys a step reads (riskCounterKeys): the user's when a per-user cap is on, the IP's
-- (the click's IP, else the conversion IP) when a per-IP cap is on and an IP is known.
local function risk_counter_keys(click, c)
  local keys = {}
  local policy = c.risk
  if not is_set(policy) then return keys end
  if is_set(policy.perUser) then keys.user = c.userPrefix .. '{u:' .. click.userId .. '}:risk:' .. c.day end
  local ip = is_set(click.ipAddress) and click.ipAddress or c.conversionIp
  if is_set(policy.perIp) and is_set(ip) then keys.ip = c.userPrefix .. '{ip:' .. ip .. '}:risk:' .. c.day end
  return keys
end

-- Cluster layout: the reservations the client made for this step, for the keys it reserved.
-- A key the client did not reserve for (the click changed in between) counts as exceeded.
local function reserved_counter(key, reservation)
  if key == nil then return nil end
  if not is_set(reservation) or reservation.key ~= key then return { reserved = false, bound = '0' } end
  return { reserved = reservation.reserved, bound = reservation.bound }
end

local function read_counter(key)
  if key == nil then return nil end
  local found = redis.call('HMGET', key, 'count', 'amount')
  return { count = tonumber(found[1] or '0'), amount = found[2] or '0' }
end

-- Adds one auto-credited conversion of 'amount' to a counter read by this step.
local function count_conversion(key, counter, amount, expire_at)
  redis.call('HSET', key, 'count', counter.count + 1, 'amount', amount_add(counter.amount, amount))
  redis.call('PEXPIREAT', key, expire_at)
end
`;
