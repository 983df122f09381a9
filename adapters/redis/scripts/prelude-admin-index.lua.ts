/**
 * Lua prelude: the admin indexes, written by the same script as the record they index (so an
 * index never misses or invents a record). All keys are under the shard base of the record's
 * click, the one slot the calling script already works in:
 * - `:ix:a` and `:ix:a:<field>:<value>` (decision `d`, user `u`, network `n`, click `c`,
 *   conversion `cv`, source IP `ip`): attempt ids by receivedAt; `:ix:att` holds each attempt
 *   with its click's user, product and network;
 * - `:ix:e`, `:ix:e:u|p|n:<value>` (by createdAt, written once) and `:ix:e:st|as:<value>` (status
 *   and approval status, moved on every change); `:ix:e:cr` and `:ix:e:rv` by creditedAt and by
 *   cancelledAt of a credited earning (statistics); `:ix:enet` the network of an earning's click;
 * - `:ix:c`, `:ix:c:u|p:<value>` (by createdAt) and `:ix:c:st:<status>` (moved on change).
 * Equal scores order by member (the id), so ZREVRANGEBYSCORE is (time desc, id desc): the list order.
 * With an audit retention, `ix_trim_attempts` drops (a bounded number per write) the indexed
 * attempts received longer ago than the retention, so the admin index keeps no attempt past it.
 * @module
 */
export const adminIndexPreludeLua = String.raw`
local function ix_present(v) return v ~= nil and v ~= cjson.null end

-- row_text, when given, is cjson.encode(row) already made for the audit list: the index entry is
-- that text with the click's fields appended, so the row is not copied and encoded a second time
-- (the audit row has no userId, productId or network field of its own).
local function ix_attempt(base, row, click, row_text)
  local text
  if row_text and click then
    text = string.sub(row_text, 1, -2) .. ',"userId":' .. cjson.encode(click.userId) .. ',"productId":'
      .. cjson.encode(click.productId) .. ',"network":' .. cjson.encode(click.network or cjson.null) .. '}'
  elseif row_text then
    text = row_text
  else
    local entry = {}
    for k, v in pairs(row) do entry[k] = v end
    if click then entry.userId = click.userId; entry.productId = click.productId; entry.network = click.network or cjson.null end
    text = cjson.encode(entry)
  end
  local id, t = row.attemptId, row.receivedAt
  redis.call('HSET', base .. ':ix:att', id, text)
  redis.call('ZADD', base .. ':ix:a', t, id)
  redis.call('ZADD', base .. ':ix:a:d:' .. row.decision, t, id)
  if click then
    redis.call('ZADD', base .. ':ix:a:u:' .. click.userId, t, id)
    if ix_present(click.network) then redis.call('ZADD', base .. ':ix:a:n:' .. click.network, t, id) end
  end
  if ix_present(row.clickId) then redis.call('ZADD', base .. ':ix:a:c:' .. row.clickId, t, id) end
  if ix_present(row.conversionId) then redis.call('ZADD', base .. ':ix:a:cv:' .. row.conversionId, t, id) end
  if ix_present(row.sourceIp) then redis.call('ZADD', base .. ':ix:a:ip:' .. row.sourceIp, t, id) end
end

local function ix_trim_attempts(base, cutoff)
  local old = redis.call('ZRANGEBYSCORE', base .. ':ix:a', '-inf', '(' .. cutoff, 'LIMIT', 0, 32)
  for _, id in ipairs(old) do
    local raw = redis.call('HGET', base .. ':ix:att', id)
    if raw then
      local r = cjson.decode(raw)
      redis.call('ZREM', base .. ':ix:a:d:' .. r.decision, id)
      if ix_present(r.userId) then redis.call('ZREM', base .. ':ix:a:u:' .. r.userId, id) end
      if ix_present(r.network) then redis.call('ZREM', base .. ':ix:a:n:' .. r.network, id) end
      if ix_present(r.clickId) then redis.call('ZREM', base .. ':ix:a:c:' .. r.clickId, id) end
      if ix_present(r.conversionId) then redis.call('ZREM', base .. ':ix:a:cv:' .. r.conversionId, id) end
      if ix_present(r.sourceIp) then redis.call('ZREM', base .. ':ix:a:ip:' .. r.sourceIp, id) end
      redis.call('HDEL', base .. ':ix:att', id)
    end
    redis.call('ZREM', base .. ':ix:a', id)
  end
end

local IX_E_STATUS = { 'pending', 'completed', 'cancelled' }
local IX_E_APPROVAL = { 'pending', 'auto_approved', 'manual_approved', 'rejected' }
local IX_C_STATUS = { 'pending', 'converted', 'expired', 'rejected' }

-- Moves id to the set of its current value. previous: the value the caller read before its change
-- (only that set can hold the id: one ZREM), false for a record this step creates (in no set yet),
-- nil when unknown (every other set is swept).
local function ix_move(base, prefix, values, current, score, id, previous)
  if previous == nil then
    for _, v in ipairs(values) do
      if v ~= current then redis.call('ZREM', base .. prefix .. v, id) end
    end
  elseif previous and previous ~= current then
    redis.call('ZREM', base .. prefix .. previous, id)
  end
  redis.call('ZADD', base .. prefix .. current, score, id)
end

-- prev_status, prev_approval: see ix_move (nil sweeps; a created earning is in no set).
local function ix_earning(base, e, created, click, prev_status, prev_approval)
  local id, t = e.earningId, e.createdAt
  if created then
    redis.call('ZADD', base .. ':ix:e', t, id)
    redis.call('ZADD', base .. ':ix:e:u:' .. e.userId, t, id)
    redis.call('ZADD', base .. ':ix:e:p:' .. e.productId, t, id)
    if click and ix_present(click.network) then
      redis.call('ZADD', base .. ':ix:e:n:' .. click.network, t, id)
      redis.call('HSET', base .. ':ix:enet', id, click.network)
    end
  end
  if created then prev_status, prev_approval = false, false end
  ix_move(base, ':ix:e:st:', IX_E_STATUS, e.status, t, id, prev_status)
  ix_move(base, ':ix:e:as:', IX_E_APPROVAL, e.approvalStatus, t, id, prev_approval)
  if e.credited and ix_present(e.creditedAt) then redis.call('ZADD', base .. ':ix:e:cr', 'NX', e.creditedAt, id) end
  if e.credited and e.status == 'cancelled' and ix_present(e.cancelledAt) then
    redis.call('ZADD', base .. ':ix:e:rv', 'NX', e.cancelledAt, id)
  end
end

-- prev_status: see ix_move (nil sweeps; a created click is in no set).
local function ix_click(base, click, created, prev_status)
  local id, t = click.clickId, click.createdAt
  if created then prev_status = false end
  if created then
    redis.call('ZADD', base .. ':ix:c', t, id)
    redis.call('ZADD', base .. ':ix:c:u:' .. click.userId, t, id)
    redis.call('ZADD', base .. ':ix:c:p:' .. click.productId, t, id)
  end
  ix_move(base, ':ix:c:st:', IX_C_STATUS, click.status, t, id, prev_status)
end
`;
