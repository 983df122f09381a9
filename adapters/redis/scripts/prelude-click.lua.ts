/**
 * Lua prelude: a click as the scripts read and change it. A click is a hash of short fields
 * (records.ts clickToHash); a postback reads the fields it decides on with one HMGET and writes
 * back only the fields it changes, so no click JSON is decoded or encoded per postback.
 * @module
 */
export const clickPreludeLua = String.raw`
-- The click (the fields a postback decides on, by their record names), or nil when absent; with
-- 'risk', also the fields only the risk rules read. The stored hash keeps these fields first
-- (records.ts clickToHash), so each lookup stops early.
local function read_click(key, click_id, risk)
  local f
  if risk then
    f = redis.call('HMGET', key, 'u', 'p', 'st', 'ea', 'eu', 'cv', 'rf', 'cp', 'ha', 'hw', 'g', 'o', 'ca', 'ip', 'n')
  else
    f = redis.call('HMGET', key, 'u', 'p', 'st', 'ea', 'eu', 'cv', 'rf', 'cp', 'ha', 'hw', 'g', 'o', 'ca')
  end
  if not f[1] then return nil end
  local goals = nil
  if f[11] == '*' then goals = true elseif f[11] then goals = cjson.decode(f[11]) end
  return { clickId = click_id, userId = f[1], productId = f[2], status = f[3], expiresAt = tonumber(f[4]), earnUpTo = f[5],
    conversionId = f[6] or cjson.null, referrerId = f[7] or cjson.null, commissionPpm = tonumber(f[8] or '0'),
    holdAbove = f[9] or cjson.null, holdWithinSeconds = f[10] and tonumber(f[10]) or cjson.null, goals = goals,
    offerId = f[12] or cjson.null, clickedAt = tonumber(f[13]), ipAddress = f[14] or cjson.null, network = f[15] or cjson.null,
    -- Set by a step that changes the click: named here so the table is sized for them once.
    updatedAt = nil, postbackReceived = nil, postbackReceivedAt = nil }
end

-- The fields a step changes (status, conversion id, postback received, updated), appended to
-- 'out' as HSET arguments. 'now' and 'now_text' (its decimal text): a time equal to now is
-- written as that text, not formatted again.
local function click_changes(click, out, now, now_text)
  local function time_text(v) if v == now then return now_text end return string.format('%d', v) end
  out[#out + 1] = 'st'; out[#out + 1] = click.status
  out[#out + 1] = 'ua'; out[#out + 1] = time_text(click.updatedAt)
  if click.conversionId ~= nil and click.conversionId ~= cjson.null then out[#out + 1] = 'cv'; out[#out + 1] = click.conversionId end
  if click.postbackReceived then
    out[#out + 1] = 'pr'; out[#out + 1] = '1'
    out[#out + 1] = 'pa'; out[#out + 1] = time_text(click.postbackReceivedAt)
  end
  return out
end

-- The conversion map (<shard>:conv:<clickId>, conversion id -> earning): the earning's id, a tab
-- and one character of its state, what a replay or a refused postback decides on, so those
-- decide without reading the earning: p pending, c completed, n cancelled and reversed before
-- credit, r cancelled as rejected before any credit, x any other cancelled.
local function conv_entry(e)
  local code = 'c'
  if e.status == 'pending' then code = 'p'
  elseif e.status == 'cancelled' then
    if e.reversedBeforeCredit then code = 'n' elseif e.cancelReason == 'rejected' and not e.credited then code = 'r' else code = 'x' end
  end
  return e.earningId .. '\t' .. code
end

-- The earning id of a conversion-map entry and its state code (nil when none is stored).
local function conv_read(value)
  local tab = string.find(value, '\t', 1, true)
  if not tab then return value, nil end
  return string.sub(value, 1, tab - 1), string.sub(value, tab + 1)
end

-- What a state code tells of the earning, in its fields (enough for the steps that leave it as is).
local function conv_summary(earning_id, code)
  return { earningId = earning_id, status = (code == 'p') and 'pending' or ((code == 'c') and 'completed' or 'cancelled'),
    reversedBeforeCredit = code == 'n', credited = false, cancelReason = (code == 'r') and 'rejected' or cjson.null }
end
`;
