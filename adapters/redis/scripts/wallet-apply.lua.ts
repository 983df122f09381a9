/**
 * Lua: apply one wallet operation to the ledger wallet, idempotent by key. KEYS[1] is the
 * user's base (`<prefix>:{u:<userId>}`, one slot); ARGV: the operation as JSON, the user key
 * prefix (`<prefix>:`, so that prefix .. `{u:<userId>}` is KEYS[1]). Returns
 * `{ duplicate, balance }` as JSON (balance as exact text); a key reused for another user or
 * amount, or a balance leaving int64, is an error reply and writes nothing.
 * @module
 */
import { ledgerPreludeLua } from './prelude-ledger.lua.js';
import { moneyPreludeLua } from './prelude-money.lua.js';

export const walletApplyLua = '#!lua\n' + moneyPreludeLua + ledgerPreludeLua + String.raw`
local op = cjson.decode(ARGV[1])
local prefix = ARGV[2]
local states, refused = check_entries(prefix, { op })
if not states then return redis.error_reply(refused) end
if states[1] == 'duplicate' then
  return cjson.encode({ duplicate = true, balance = redis.call('HGET', KEYS[1] .. ':wallet', 'balance') or '0' })
end
return cjson.encode({ duplicate = false, balance = write_entry(prefix, op, op.createdAt) })
`;
