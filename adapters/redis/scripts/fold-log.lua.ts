/**
 * Lua: folds the oldest records of a change log (prelude-log) into the audit lists, the admin
 * indexes (prelude-admin-index), the users' earnings indexes (standalone layout) and the event
 * outbox (prelude-events), in log order, and removes them. KEYS[1] is the log
 * (`<prefix>:{log}` standalone; `<shard>:log` cluster, and then every key this touches is in
 * that shard's slot); ARGV: the events base (`''`: the record's shard base plus `:ev`, the
 * cluster layout), the most records to fold. Returns how many it folded. Two folds never take
 * the same record: a script runs alone, and it reads and trims in one go.
 * @module
 */
import { adminIndexPreludeLua } from './prelude-admin-index.lua.js';
import { eventFactsPreludeLua, eventsPreludeLua } from './prelude-events.lua.js';

export const foldLogLua = '#!lua\n' + adminIndexPreludeLua + eventFactsPreludeLua + eventsPreludeLua + String.raw`
local log_key = KEYS[1]
local records = redis.call('LRANGE', log_key, 0, tonumber(ARGV[2]) - 1)
for _, record in ipairs(records) do
  local first = string.find(record, '\n', 1, true)
  local second = string.find(record, '\n', first + 1, true)
  local m = cjson.decode(string.sub(record, 1, first - 1))
  local audit_text = string.sub(record, first + 1, second - 1)
  local earning_text = string.sub(record, second + 1)
  local base = m.b
  local c = m.c
  if c then
    ix_click(base, { clickId = c.id, createdAt = c.t, userId = c.u, productId = c.p, status = c.st }, c.new == true, c.pv)
  end
  local e = (earning_text ~= '') and cjson.decode(earning_text) or nil
  if e and m.e then
    ix_earning(base, e, m.e.new == true, { network = m.e.n }, m.e.ps, m.e.pa)
    if m.ue then redis.call('ZADD', m.ue, e.createdAt, e.earningId) end
  end
  local row = nil
  if audit_text ~= '' then
    row = cjson.decode(audit_text)
    redis.call('RPUSH', m.ak, audit_text)
    if m.ttl then redis.call('EXPIRE', m.ak, m.ttl) end
    local click = m.a and { userId = m.a.u, productId = m.a.p, network = m.a.n } or nil
    ix_attempt(base, row, click, audit_text)
    if m.ttl then ix_trim_attempts(base, row.receivedAt - m.ttl * 1000) end
  end
  if m.ev and e then
    local events_base = (ARGV[1] ~= '') and ARGV[1] or (base .. ':ev')
    local ev
    if m.ap ~= nil then
      ev = { id = 'evt_' .. e.earningId .. (m.ap and '_approved' or '_rejected'), type = m.ap and 'earning.approved' or 'earning.rejected',
        userId = e.userId, createdAt = e.updatedAt, data = ev_earning_data(e, m.ap and 'approved' or 'approval_rejected', m.ap and 1 or 0) }
    elseif row then
      ev = ev_conversion(row.attemptId, row.decision, e, row.receivedAt)
    end
    if ev then ev_record(events_base, ev.id, ev.type, ev.userId, ev.createdAt, ev.data, m.ev) end
  end
end
if #records > 0 then redis.call('LTRIM', log_key, #records, -1) end
return #records
`;
