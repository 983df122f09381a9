/**
 * Lua: folds the oldest records of a change log (prelude-log) into the admin indexes
 * (prelude-admin-index) and the event outbox (prelude-events), in log order, and removes them.
 * KEYS[1] is the log (`<prefix>:{log}` standalone, `<shard>:log` cluster: then every key this
 * touches is in that shard's slot); ARGV: the events base (`''`: the record's shard base plus
 * `:ev`, the cluster layout), the most records to fold. Returns how many it folded. Two folds
 * never take the same record: a script runs alone, and it reads and trims in one go.
 * @module
 */
import { adminIndexPreludeLua } from './prelude-admin-index.lua.js';
import { eventsPreludeLua } from './prelude-events.lua.js';

export const foldLogLua = '#!lua\n' + adminIndexPreludeLua + eventsPreludeLua + String.raw`
local log_key = KEYS[1]
local records = redis.call('LRANGE', log_key, 0, tonumber(ARGV[2]) - 1)
for _, record in ipairs(records) do
  local split = string.find(record, '\n', 1, true)
  local m = cjson.decode(split and string.sub(record, 1, split - 1) or record)
  local base = m.b
  local c, e = m.c, m.e
  if c then
    ix_click(base, { clickId = c.id, createdAt = c.t, userId = c.u, productId = c.p, status = c.st }, c.new == true, c.pv)
  end
  if e then
    ix_earning(base, { earningId = e.id, createdAt = e.t, userId = e.u, productId = e.p, status = e.st, approvalStatus = e.as,
      credited = e.cr ~= nil or e.rv ~= nil, creditedAt = e.cr, cancelledAt = e.rv }, e.new == true, { network = e.n }, e.ps, e.pa)
  end
  if split then
    local text = string.sub(record, split + 1)
    local row = cjson.decode(text)
    local click = m.a and { userId = m.a.u, productId = m.a.p, network = m.a.n } or nil
    ix_attempt(base, row, click, text)
    if m.ttl and m.ttl > 0 then ix_trim_attempts(base, row.receivedAt - m.ttl * 1000) end
  end
  local ev = m.ev
  if ev then
    local events_base = (ARGV[1] ~= '') and ARGV[1] or (base .. ':ev')
    ev_record(events_base, ev.id, ev.type, ev.userId, ev.createdAt, ev.data, ev.order)
  end
end
if #records > 0 then redis.call('LTRIM', log_key, #records, -1) end
return #records
`;
