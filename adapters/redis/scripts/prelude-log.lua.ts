/**
 * Lua prelude: the change log. A write script does not keep the admin indexes, the audit list or
 * the event outbox itself; it appends ONE record per change to its log (standalone layout: one
 * list, `<prefix>:{log}`; cluster layout: `<shard>:log`, in the slot of the click) and the fold
 * script (fold-log) moves the records, in order, into them. Every admin list, every read of
 * audit rows or events and the workers fold first, so what they read includes every write.
 *
 * A record is three texts joined by newlines (cjson and JSON.stringify escape newlines, so the
 * newlines split them): the meta JSON, the audit row as stored in the audit list (or empty), the
 * earning after the change as stored (or empty). Meta fields: `b` the shard base; `ak` the audit
 * list of the row and `ttl` the audit retention (seconds); `a` the row's click fields (`u`, `p`,
 * `n`); `c` a click's index entry (`id`, `t` createdAt, `u`, `p`, `st` status, `pv` its status
 * before: false for a new click, absent when unknown, `new`); `e` the earning's index change
 * (`ps`, `pa` its status and approval status before, `new`, `n` its click's network; the rest is
 * read from the earning text); `ue` the user's earnings index to add a new earning to (standalone
 * layout); `ev` the event's order key when the change records an event (`ap` for an approval
 * decision: true approve, false reject; else the conversion event of the audit row's decision).
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

-- Appends one record; returns the log's length.
local function log_append(log_key, meta, audit_text, earning_text)
  return redis.call('RPUSH', log_key, cjson.encode(meta) .. '\n' .. (audit_text or '') .. '\n' .. (earning_text or ''))
end
`;
