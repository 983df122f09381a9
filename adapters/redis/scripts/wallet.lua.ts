/**
 * Lua steps on a user's wallet (KEYS[1] is the user's base `<prefix>:{u:<userId>}`, one slot).
 * @module
 */
import { postEntryLua } from './post-entry.lua.js';

/** Applies one wallet operation, idempotent by key (the cluster path's second step). */
export const walletApplyLua = postEntryLua + String.raw`
local result = post_entry(KEYS[1], cjson.decode(ARGV[1]), tonumber(ARGV[2]))
if result.conflict then return redis.error_reply('CONFLICT ledger key reused') end
return cjson.encode(result)
`;

/** Adds an earning to the user's index (idempotent; the cluster path's index step). */
export const indexEarningLua = String.raw`
redis.call('ZADD', KEYS[1] .. ':earnings', ARGV[2], ARGV[1])
return 1
`;
