/**
 * Lua: append one ledger entry unless its key exists, and move the cached balance with it.
 * `user_base` is the user's key base (`<prefix>:{u:<userId>}`), all keys in the user's slot.
 * @module
 */
export const postEntryLua = String.raw`
local function post_entry(user_base, op, at)
  local keys_key = user_base .. ':entrykeys'
  local existing = redis.call('HGET', keys_key, op.key)
  if existing then
    local entry = cjson.decode(existing)
    if entry.userId ~= op.userId or entry.amount ~= op.amount then return { conflict = true } end
    return { duplicate = true, balance = redis.call('GET', user_base .. ':balance') or '0' }
  end
  local seq = redis.call('INCR', user_base .. ':entryseq')
  local entry = { entryId = tostring(seq), key = op.key, userId = op.userId, kind = op.kind, amount = op.amount,
    earningId = op.earningId or cjson.null, reversesKey = op.reversesKey or cjson.null,
    reason = op.reason or cjson.null, createdAt = at }
  local text = cjson.encode(entry)
  redis.call('HSET', keys_key, op.key, text)
  redis.call('RPUSH', user_base .. ':ledger', text)
  local balance = redis.call('INCRBY', user_base .. ':balance', op.amount)
  return { duplicate = false, balance = tostring(balance) }
end
`;
