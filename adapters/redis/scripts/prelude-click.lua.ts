/**
 * Lua prelude: a click as the scripts read and change it. A click is a hash of short fields
 * (records.ts clickToHash); a postback reads the fields it decides on with one HMGET and writes
 * back only the fields it changes, so no click JSON is decoded or encoded per postback.
 * @module
 */
export const clickPreludeLua = String.raw`
-- The click (the fields a postback reads, by their record names), or nil when absent.
local function read_click(key, click_id)
  local f = redis.call('HMGET', key, 'u', 'p', 'o', 'ip', 'ca', 'ea', 'st', 'cv', 'cr', 'eu', 'rf', 'cp', 'ha', 'hw', 'n', 'nt', 'g')
  if not f[1] then return nil end
  local goals = nil
  if f[17] == '*' then goals = true elseif f[17] then goals = cjson.decode(f[17]) end
  return { clickId = click_id, userId = f[1], productId = f[2], offerId = f[3] or cjson.null, ipAddress = f[4] or cjson.null,
    clickedAt = tonumber(f[5]), expiresAt = tonumber(f[6]), status = f[7], conversionId = f[8] or cjson.null,
    createdAt = tonumber(f[9]), earnUpTo = f[10], referrerId = f[11] or cjson.null, commissionPpm = tonumber(f[12] or '0'),
    holdAbove = f[13] or cjson.null, holdWithinSeconds = f[14] and tonumber(f[14]) or cjson.null, network = f[15] or cjson.null,
    networkTransactionId = f[16] or cjson.null, goals = goals }
end

-- The fields a step changes (status, conversion id, postback received, updated), appended to
-- 'out' as HSET arguments.
local function click_changes(click, out)
  out[#out + 1] = 'st'; out[#out + 1] = click.status
  out[#out + 1] = 'ua'; out[#out + 1] = string.format('%d', click.updatedAt)
  if click.conversionId ~= nil and click.conversionId ~= cjson.null then out[#out + 1] = 'cv'; out[#out + 1] = click.conversionId end
  if click.postbackReceived then
    out[#out + 1] = 'pr'; out[#out + 1] = '1'
    out[#out + 1] = 'pa'; out[#out + 1] = string.format('%d', click.postbackReceivedAt)
  end
  return out
end
`;
