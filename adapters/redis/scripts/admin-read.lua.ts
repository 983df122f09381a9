/**
 * Lua, read only: the admin queries of one shard. KEYS[1] is the shard base; ARGV[1] a JSON
 * request. Reading inside one script gives one consistent view of the shard.
 * - `scan`: walks the index `index` newest first between `max` and `min` (ZREVRANGEBYSCORE
 *   bounds), skips members at the cursor's score that are not below the cursor id, loads each
 *   record (`kind` attempt, earning or click), keeps those whose fields equal every `filter`
 *   entry, and returns at most `need` record texts.
 * - `stats`: the ids inside [from, to) of the clicks, earnings, credited, reversed and attempt
 *   indexes of the shard, each with the fields the statistics group by.
 * @module
 */
export const adminReadLua = String.raw`#!lua
local base = KEYS[1]
local a = cjson.decode(ARGV[1])

local function load(kind, id)
  if kind == 'attempt' then return redis.call('HGET', base .. ':ix:att', id) end
  if kind == 'earning' then return redis.call('GET', base .. ':earning:' .. id) end
  local flat = redis.call('HGETALL', base .. ':click:' .. id)
  if #flat == 0 then return nil end
  return flat
end
-- A click's hash field of a filter's record field (records.ts clickToHash).
local CLICK_FIELD = { userId = 'u', productId = 'p', status = 'st' }

if a.op == 'scan' then
  local out = {}
  local offset, batch = 0, math.max(a.need, 64)
  while #out < a.need do
    local page = redis.call('ZREVRANGEBYSCORE', base .. a.index, a.max, a.min, 'WITHSCORES', 'LIMIT', offset, batch)
    if #page == 0 then break end
    for i = 1, #page, 2 do
      local id, score = page[i], tonumber(page[i + 1])
      if not (a.afterAt ~= nil and score == a.afterAt and id >= a.afterId) then
        local text = load(a.kind, id)
        if text then
          local r
          if a.kind == 'click' then
            -- A click goes back as its id and hash: { id, [field, value, ...] } (records.ts clickFromHash).
            r = {}
            for j = 1, #text, 2 do r[text[j]] = text[j + 1] end
            text = cjson.encode({ id, text })
          else
            r = cjson.decode(text)
          end
          if a.kind == 'earning' then r.network = redis.call('HGET', base .. ':ix:enet', id) or cjson.null end
          local keep = true
          for field, value in pairs(a.filter) do
            if r[(a.kind == 'click') and (CLICK_FIELD[field] or field) or field] ~= value then keep = false; break end
          end
          if keep then
            if a.kind == 'earning' then text = cjson.encode(r) end
            out[#out + 1] = text
            if #out >= a.need then break end
          end
        end
      end
    end
    if #page < batch * 2 then break end
    offset = offset + batch
  end
  return out
end

-- stats: rows { part, time, network, productId, decision, amount }
local rows = {}
local function range(index)
  return redis.call('ZRANGEBYSCORE', base .. index, a.from, '(' .. a.to, 'WITHSCORES')
end
local function each(index, fn)
  local page = range(index)
  for i = 1, #page, 2 do fn(page[i], tonumber(page[i + 1])) end
end
each(':ix:c', function(id, t)
  local f = redis.call('HMGET', base .. ':click:' .. id, 'p', 'n')
  if f[1] then rows[#rows + 1] = { 'clicks', t, f[2] or cjson.null, f[1], cjson.null, '0' } end
end)
local function earning_part(part, index)
  each(index, function(id, t)
    local raw = redis.call('GET', base .. ':earning:' .. id)
    if raw then
      local e = cjson.decode(raw)
      local network = redis.call('HGET', base .. ':ix:enet', id) or cjson.null
      rows[#rows + 1] = { part, t, network, e.productId, cjson.null, e.amount }
    end
  end)
end
earning_part('conversions', ':ix:e')
earning_part('credited', ':ix:e:cr')
earning_part('reversed', ':ix:e:rv')
for _, decision in ipairs(a.decisions) do
  each(':ix:a:d:' .. decision, function(id, t)
    local raw = redis.call('HGET', base .. ':ix:att', id)
    if raw then
      local r = cjson.decode(raw)
      rows[#rows + 1] = { 'attempts', t, r.network or cjson.null, r.productId or cjson.null, decision, '0' }
    end
  end)
end
return cjson.encode(rows)
`;
