/**
 * Lua scripts of the admin side in a user's slot (KEYS[1] = `<prefix>:{u:<userId>}`):
 * - {@link ledgerPageLua}: a page of the ledger list newest first with the balance, read together;
 * - {@link adjustWalletLua}: a manual adjustment with its balance check, atomic (Redis runs one
 *   script at a time, so of concurrent debits the later one sees the earlier one's balance).
 * @module
 */
import { ledgerPreludeLua } from './prelude-ledger.lua.js';
import { moneyPreludeLua } from './prelude-money.lua.js';
import { eventsPreludeLua } from './prelude-events.lua.js';

/** ARGV: position after which to read (list index, '' for the newest), limit. Returns `{ balance, entries: [[position, text]] }`. */
export const ledgerPageLua = String.raw`#!lua
local key = KEYS[1] .. ':ledger'
local n = redis.call('LLEN', key)
local start = (ARGV[1] == '') and (n - 1) or (tonumber(ARGV[1]) - 1)
local stop = math.max(0, start - tonumber(ARGV[2]) + 1)
local entries = {}
if start >= 0 then
  local texts = redis.call('LRANGE', key, stop, start)
  for i = #texts, 1, -1 do entries[#entries + 1] = { tostring(stop + i - 1), texts[i] } end
end
return cjson.encode({ balance = redis.call('HGET', KEYS[1] .. ':wallet', 'balance') or '0', entries = entries })
`;

/**
 * ARGV: the operation as JSON, the user key prefix, '1' to allow an overdraft, the events base and
 * the event id ('' for none: events off) and the event's order (events.ts). Order: a known key
 * is a duplicate (a key reused for another user or amount is a CONFLICT error), then the balance
 * check of a debit, then the entry. Returns `{ decision, balance }`.
 */
export const adjustWalletLua = '#!lua\n' + moneyPreludeLua + ledgerPreludeLua + eventsPreludeLua + String.raw`
local op = cjson.decode(ARGV[1])
local prefix = ARGV[2]
local allow = ARGV[3] == '1'
local states, refused = check_entries(prefix, { op })
if not states then return redis.error_reply(refused) end
local balance = redis.call('HGET', KEYS[1] .. ':wallet', 'balance') or '0'
if states[1] == 'duplicate' then return cjson.encode({ decision = 'duplicate', balance = balance }) end
if string.sub(op.amount, 1, 1) == '-' and not allow then
  local need = string.sub(op.amount, 2)
  -- Exact on the digits: a negative balance covers nothing; otherwise compare the magnitudes.
  if string.sub(balance, 1, 1) == '-' or amount_cmp(balance, need) < 0 then
    return cjson.encode({ decision = 'insufficient', balance = balance })
  end
end
local after = write_entry(prefix, op, op.createdAt)
local event = nil
if ARGV[4] ~= nil and ARGV[4] ~= '' and ARGV[5] ~= '' then
  local magnitude = (string.sub(op.amount, 1, 1) == '-') and string.sub(op.amount, 2) or op.amount
  event = ev_record(ARGV[4], ARGV[5], 'wallet.adjusted', op.userId, op.createdAt, { change = 'adjusted', earningId = cjson.null,
    clickId = cjson.null, conversionId = cjson.null, productId = cjson.null, status = cjson.null, approvalStatus = cjson.null,
    amount = magnitude, walletDelta = op.amount, referrerId = cjson.null, commissionDelta = '0', ledgerKey = op.key,
    reason = op.reason or cjson.null }, ARGV[6])
end
return cjson.encode({ decision = 'applied', balance = after, event = event or cjson.null })
`;

/**
 * Leases: KEYS[1] the lease key; ARGV: 'acquire' or 'release', owner, expiry (ms, caller's clock),
 * now (ms). The holder is stored with its expiry; taking needs a free, expired or own lease.
 */
export const leaseLua = String.raw`#!lua
local raw = redis.call('GET', KEYS[1])
local held = raw and cjson.decode(raw) or nil
if ARGV[1] == 'release' then
  if held and held.owner == ARGV[2] then redis.call('DEL', KEYS[1]) end
  return 0
end
if held and held.owner ~= ARGV[2] and held.expiresAt > tonumber(ARGV[4]) then return 0 end
redis.call('SET', KEYS[1], cjson.encode({ owner = ARGV[2], expiresAt = tonumber(ARGV[3]) }))
return 1
`;
