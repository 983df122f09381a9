/**
 * Lua preludes of the event outbox: the facts of an event (written into the change log by the
 * script that makes the change, see prelude-log) and recording it in an events base (standalone
 * layout: `<prefix>:{events}`; cluster layout: `<shard>:ev`, `{u:<id>}:ev`). Keys under `ev`:
 * `ev:events` (hash id -> event JSON with its delivery state), `ev:seq` (recording counter),
 * `ev:pending` (zset seq -> id, recording order), `ev:time` and `ev:state:<state>` (zsets
 * createdAt -> id, the admin lists), `ev:user:<userId>` (zset seq -> id, a user's order).
 * The rules are those of src/events/events-of.ts.
 * @module
 */
/** Which conversion decisions record an event, and its type (the table of src/events/events-of.ts). */
export const eventTypesPreludeLua = String.raw`
local EV_CONVERSION_TYPES = { credited = 'conversion.credited', netted = 'conversion.credited', held = 'conversion.held',
  recorded_pending = 'conversion.pending', rejected = 'conversion.rejected', reversed = 'conversion.reversed',
  pre_reversed = 'conversion.reversed' }

-- The event of a conversion step (decision, earning after the step, as eventOfConversion), not
-- yet recorded; nil when the step has none.
local function ev_conversion_type(decision, e)
  if decision == 'cancelled' then return (e.cancelReason == 'reversed') and 'conversion.reversed' or 'conversion.rejected' end
  return EV_CONVERSION_TYPES[decision]
end
`;

/** The facts of an earning's event; requires eventTypesPreludeLua. */
export const eventFactsPreludeLua = String.raw`
local function ev_negate(amount)
  if amount == '0' then return '0' end
  if string.sub(amount, 1, 1) == '-' then return string.sub(amount, 2) end
  return '-' .. amount
end

local function ev_signed(amount, sign)
  if sign == 1 then return amount elseif sign == -1 then return ev_negate(amount) end
  return '0'
end

-- The facts of an earning's event (money as text of minor units).
local function ev_earning_data(e, change, sign)
  return { change = change, earningId = e.earningId, clickId = e.clickId, conversionId = e.conversionId,
    productId = e.productId, status = e.status, approvalStatus = e.approvalStatus, amount = e.amount,
    walletDelta = ev_signed(e.amount, sign), referrerId = e.referrerId or cjson.null,
    commissionDelta = ev_signed(e.commission or '0', sign), ledgerKey = cjson.null, reason = cjson.null }
end

local function ev_conversion(attempt_id, decision, e, at)
  if e == nil then return nil end
  local etype = ev_conversion_type(decision, e)
  if etype == nil then return nil end
  local sign = (decision == 'credited') and 1 or ((decision == 'reversed') and -1 or 0)
  return { id = 'evt_' .. attempt_id, type = etype, userId = e.userId, createdAt = at,
    data = ev_earning_data(e, decision, sign) }
end
`;

/**
 * Recording an event in an events base: by the fold of the change log (fold-log) for the events
 * of conversions and approvals, directly by the adjustment script.
 */
export const eventsPreludeLua = String.raw`
-- Records one event as pending (an id already recorded is left alone); returns the event or nil.
-- 'order' (the client's hybrid clock, see events.ts, as text) orders a user's events across slots.
local function ev_record(ev, id, etype, user, at, data, order)
  if redis.call('HEXISTS', ev .. ':events', id) == 1 then return nil end
  local seq = redis.call('INCR', ev .. ':seq')
  local event = { id = id, type = etype, userId = user, createdAt = at, data = data, state = 'pending', attempts = 0,
    nextAttemptAt = at, lastError = cjson.null, deliveredAt = cjson.null, seq = seq, order = order or cjson.null }
  redis.call('HSET', ev .. ':events', id, cjson.encode(event))
  redis.call('ZADD', ev .. ':pending', seq, id)
  redis.call('ZADD', ev .. ':time', at, id)
  redis.call('ZADD', ev .. ':state:pending', at, id)
  redis.call('ZADD', ev .. ':user:' .. user, seq, id)
  return event
end
`;

/**
 * Delivery updates of one event, atomic: KEYS[1] the events base; ARGV: id, 'update' or 'retry',
 * then for 'update' the new state, attempts, nextAttemptAt, lastError ('' none), deliveredAt
 * ('' none); for 'retry' now. 'update' applies only to a pending event (returns 0 otherwise);
 * 'retry' moves a dead event back to pending with its recording position. Returns the event
 * JSON (or 0 / nil).
 */
export const eventDeliveryLua = String.raw`#!lua
local ev = KEYS[1]
local raw = redis.call('HGET', ev .. ':events', ARGV[1])
if not raw then return nil end
local e = cjson.decode(raw)
local before = e.state
if ARGV[2] == 'update' then
  if e.state ~= 'pending' then return 0 end
  e.state = ARGV[3]; e.attempts = tonumber(ARGV[4]); e.nextAttemptAt = tonumber(ARGV[5])
  e.lastError = (ARGV[6] == '') and cjson.null or ARGV[6]
  e.deliveredAt = (ARGV[7] == '') and cjson.null or tonumber(ARGV[7])
else
  if e.state ~= 'dead' then return raw end
  e.state = 'pending'; e.attempts = 0; e.nextAttemptAt = tonumber(ARGV[3])
end
local text = cjson.encode(e)
redis.call('HSET', ev .. ':events', e.id, text)
if before ~= e.state then
  redis.call('ZREM', ev .. ':state:' .. before, e.id)
  redis.call('ZADD', ev .. ':state:' .. e.state, e.createdAt, e.id)
  if e.state == 'pending' then redis.call('ZADD', ev .. ':pending', e.seq, e.id) else redis.call('ZREM', ev .. ':pending', e.id) end
end
return text
`;

/**
 * A page of deliveries newest first: KEYS[1] a zset (createdAt -> id); ARGV: the events hash
 * (same slot), after-time ('' none), after-id, limit. Ties on the time are in descending id order
 * (ZREVRANGEBYSCORE), so the keyset cut is exact.
 */
export const eventPageLua = String.raw`#!lua
local limit = tonumber(ARGV[4])
local max = (ARGV[2] == '') and '+inf' or ARGV[2]
local ids = {}
local offset = 0
while #ids < limit do
  local batch = redis.call('ZREVRANGEBYSCORE', KEYS[1], max, '-inf', 'WITHSCORES', 'LIMIT', offset, limit)
  if #batch == 0 then break end
  for i = 1, #batch, 2 do
    if ARGV[2] == '' or tonumber(batch[i + 1]) < tonumber(ARGV[2]) or batch[i] < ARGV[3] then ids[#ids + 1] = batch[i] end
    if #ids >= limit then break end
  end
  offset = offset + limit
end
if #ids == 0 then return {} end
return redis.call('HMGET', ARGV[1], unpack(ids))
`;
