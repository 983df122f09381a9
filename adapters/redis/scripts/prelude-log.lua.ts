/**
 * Lua prelude: the change log. A write script does not keep the admin indexes, the audit list or
 * the event outbox itself; it appends ONE record per change to its log (standalone layout: one
 * list, `<prefix>:{log}`; cluster layout: `<shard>:log`, in the slot of the click) and the fold
 * script (fold-log) moves the records, in order, into them. Every admin list, every read of
 * audit rows or events and the workers fold first, so what they read includes every write.
 *
 * A record is the meta JSON, a newline and the audit row as stored in the audit list (or
 * nothing); cjson and JSON.stringify escape newlines, so the first one splits them. The meta
 * holds only what the change decided (what the fold cannot read back later, since the click and
 * the earning may change again before it runs): `b` the shard base; `id` the click id (when no
 * audit row names it); `t` the audit retention (seconds); `cs` a click's status after the change,
 * `cp` before it (false: a new click; absent: unknown), `cn` the click is new; for an earning
 * `eid` its id (when no audit row names it), `es`/`ea` its status and approval status after the
 * change and `ep`/`eq` before it, `en` it is new, `eam`/`ecm` its amount and commission, `ecr`
 * its creditedAt when credited, `erv` its cancelledAt when credited and cancelled, `ecx` its cancel
 * reason; `at` the time of an approval decision; `ue` the user's
 * earnings index to add a new earning to (standalone layout); `ev` the event's order key when the
 * change records one (`ap`: an approval decision, true approve, false reject; else the conversion
 * event of the audit row's decision). The click's user, product, network and creation time, and
 * the earning's other fields, never change: the fold reads them from the stored records.
 * @module
 */
export const logPreludeLua = String.raw`
-- A log this long asks the client to fold it now (a deployment that runs no worker and reads no
-- admin list still keeps a bounded log). Kept short enough that a read folding the whole backlog
-- first (a few hundred thousand server instructions per record) stays well inside the storage
-- deadline: 100,000 unfolded click records made the first admin list take over 3 s.
local LOG_FOLD_AT = 1000

-- An earning's change as members of the meta's JSON text (after and, when not new, before the
-- change), written here rather than by cjson from a table: statuses, approval statuses and cancel
-- reasons are fixed words and amounts digits, so they are quoted as they are.
local function log_earning_text(e, created, prev_status, prev_approval)
  local before = ',"en":true'
  if not created then
    before = ((prev_status ~= nil) and (',"ep":"' .. prev_status .. '"') or '') .. ((prev_approval ~= nil) and (',"eq":"' .. prev_approval .. '"') or '')
  end
  local credited_at, reversed_at, reason = '', '', ''
  if e.credited and e.creditedAt ~= nil and e.creditedAt ~= cjson.null then credited_at = ',"ecr":' .. string.format('%d', e.creditedAt) end
  if e.credited and e.status == 'cancelled' and e.cancelledAt ~= nil and e.cancelledAt ~= cjson.null then
    reversed_at = ',"erv":' .. string.format('%d', e.cancelledAt)
  end
  if e.cancelReason ~= nil and e.cancelReason ~= cjson.null then reason = ',"ecx":"' .. e.cancelReason .. '"' end
  return ',"es":"' .. e.status .. '","ea":"' .. e.approvalStatus .. '","eam":"' .. e.amount .. '","ecm":"' .. e.commission .. '"'
    .. before .. credited_at .. reversed_at .. reason
end

-- Appends one record; returns true when the log is long enough to fold now (LOG_FOLD_AT). (apply-conversion and decide-approval write
-- their meta as text and append it themselves, in the same form.)
local function log_append(log_key, meta, audit_text)
  return redis.call('RPUSH', log_key, cjson.encode(meta) .. '\n' .. (audit_text or '')) >= LOG_FOLD_AT
end
`;
