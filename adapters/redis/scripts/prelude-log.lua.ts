/**
 * Lua prelude: the change log. A write script does not keep the admin indexes or the event
 * outbox itself; it appends ONE record per change to its log (standalone layout: one list,
 * `<prefix>:{log}`; cluster layout: `<shard>:log`, in the slot of the click) and the fold
 * script (fold-log) moves the records, in order, into the indexes and the outbox. Every admin
 * list, every event read and the workers fold first, so what they read includes every write.
 *
 * A record is the JSON of its meta, then, for a change with an audit row, a newline and the
 * audit row's JSON as written to the audit list (cjson escapes newlines, so the first newline
 * splits the two). Meta fields: `b` the shard base; `c` a click's index entry (`id`, `t`
 * createdAt, `u`, `p`, `st` status, `pv` its status before: false for a new click, absent when
 * unknown, `new`); `e` an earning's (`id`, `t`, `u`, `p`, `n` its click's network, `st`, `as`,
 * `ps`, `pa` the statuses before, `new`, `cr` creditedAt of a credited earning, `rv` cancelledAt
 * of a credited and cancelled one); `a` the audit row's click fields (`u`, `p`, `n`) and `ttl`
 * the audit retention; `ev` the event to record (`id`, `type`, `userId`, `createdAt`, `data`,
 * `order`).
 * @module
 */
export const logPreludeLua = String.raw`
-- A log this long asks the client to fold it now (a deployment that runs no worker and reads no
-- admin list still keeps a bounded log).
local LOG_FOLD_AT = 10000

local function log_set(v) if v == nil or v == cjson.null then return nil end return v end

-- A click's index entry: prev is its status before the change (false: created now, nil: unknown).
local function log_click(click, created, prev)
  local entry = { id = click.clickId, t = click.createdAt, u = click.userId, p = click.productId, st = click.status, pv = prev }
  if created then entry.pv = false; entry.new = true end
  return entry
end

-- An earning's index entry, with the statuses it had before (nil for a new earning).
local function log_earning(e, created, network, prev_status, prev_approval)
  local credited_at, reversed_at = nil, nil
  if e.credited and log_set(e.creditedAt) then credited_at = e.creditedAt end
  if e.credited and e.status == 'cancelled' and log_set(e.cancelledAt) then reversed_at = e.cancelledAt end
  local entry = { id = e.earningId, t = e.createdAt, u = e.userId, p = e.productId, n = log_set(network), st = e.status,
    as = e.approvalStatus, ps = prev_status, pa = prev_approval, cr = credited_at, rv = reversed_at }
  if created then entry.ps = nil; entry.pa = nil; entry.new = true end
  return entry
end

-- Appends one record (meta, then the audit row's text when given); returns the log's length.
local function log_append(log_key, meta, audit_text)
  local text = cjson.encode(meta)
  if audit_text then text = text .. '\n' .. audit_text end
  return redis.call('RPUSH', log_key, text)
end
`;
