/**
 * Lua: folds the oldest records of a change log (prelude-log) into the audit lists, the admin
 * indexes (prelude-admin-index), the users' earnings indexes (standalone layout) and the event
 * outbox (prelude-events), in log order, and removes them. KEYS[1] is the log
 * (`<prefix>:{log}` standalone; `<shard>:log` cluster, and then every key this touches is in
 * that shard's slot); ARGV: the events base (`''`: the record's shard base plus `:ev`, the
 * cluster layout), the most records to fold. Returns how many it folded and how many are left. Two folds never take
 * the same record: a script runs alone, and it reads and trims in one go.
 * @module
 */
import { adminIndexPreludeLua } from './prelude-admin-index.lua.js';
import { eventFactsPreludeLua, eventsPreludeLua, eventTypesPreludeLua } from './prelude-events.lua.js';

export const foldLogLua = '#!lua\n' + adminIndexPreludeLua + eventTypesPreludeLua + eventFactsPreludeLua + eventsPreludeLua + String.raw`
local log_key = KEYS[1]
local function present(v) return v ~= nil and v ~= cjson.null and v ~= false end
local records = redis.call('LRANGE', log_key, 0, tonumber(ARGV[2]) - 1)
for _, record in ipairs(records) do
  local split = string.find(record, '\n', 1, true)
  local m = cjson.decode(string.sub(record, 1, split - 1))
  local audit_text = string.sub(record, split + 1)
  local base = m.b
  local row = (audit_text ~= '') and cjson.decode(audit_text) or nil
  local click_id = m.id or (row and row.clickId)
  -- The click's fields that never change; absent when the click is (its retention ended).
  local k = present(click_id) and redis.call('HMGET', base .. ':click:' .. click_id, 'cr', 'u', 'p', 'n') or {}
  local click = k[2] and { clickId = click_id, createdAt = tonumber(k[1]), userId = k[2], productId = k[3], network = k[4] or nil } or nil
  if m.cs and click then
    click.status = m.cs
    ix_click(base, click, m.cn == true, m.cp)
  end
  local earning_id = m.eid or (row and row.earningId)
  local e = nil
  if m.es and present(earning_id) then
    local text = redis.call('GET', base .. ':earning:' .. earning_id)
    if text then
      -- The stored earning with what this change made of it (a later change may have moved it on).
      e = cjson.decode(text)
      e.status = m.es; e.approvalStatus = m.ea; e.amount = m.eam; e.commission = m.ecm
      e.credited = m.ecr ~= nil or m.erv ~= nil; e.creditedAt = m.ecr or cjson.null; e.cancelledAt = m.erv or cjson.null
      if m.ecx then e.cancelReason = m.ecx end
      ix_earning(base, e, m.en == true, click or {}, m.ep, m.eq)
      if m.ue then redis.call('ZADD', m.ue, e.createdAt, e.earningId) end
    end
  end
  if row then
    local audit_key = base .. ':audit:' .. (present(row.clickId) and row.clickId or '')
    redis.call('RPUSH', audit_key, audit_text)
    if m.t then redis.call('EXPIRE', audit_key, m.t) end
    ix_attempt(base, row, click, audit_text)
    if m.t then ix_trim_attempts(base, row.receivedAt - m.t * 1000) end
  end
  if m.ev and e then
    local events_base = (ARGV[1] ~= '') and ARGV[1] or (base .. ':ev')
    local ev
    if m.ap ~= nil then
      ev = { id = 'evt_' .. e.earningId .. (m.ap and '_approved' or '_rejected'), type = m.ap and 'earning.approved' or 'earning.rejected',
        userId = e.userId, createdAt = m.at, data = ev_earning_data(e, m.ap and 'approved' or 'approval_rejected', m.ap and 1 or 0) }
    elseif row then
      ev = ev_conversion(row.attemptId, row.decision, e, row.receivedAt)
    end
    if ev then ev_record(events_base, ev.id, ev.type, ev.userId, ev.createdAt, ev.data, m.ev) end
  end
end
if #records > 0 then redis.call('LTRIM', log_key, #records, -1) end
return { #records, redis.call('LLEN', log_key) }
`;
