/**
 * Every Lua step of the store, prepared once (SHA1 computed at module load).
 * @module
 */
import { luaScript } from './client.js';
import { applyConversionLua } from './scripts/apply-conversion.lua.js';
import { decideApprovalLua } from './scripts/decide-approval.lua.js';
import { expireClicksLua } from './scripts/expire-clicks.lua.js';
import { indexEarningLua } from './scripts/index-earning.lua.js';
import { insertClickLua } from './scripts/insert-click.lua.js';
import { recordAttemptLua } from './scripts/record-attempt.lua.js';
import { recordVisitLua } from './scripts/record-visit.lua.js';
import { riskReleaseLua } from './scripts/risk-release.lua.js';
import { riskReserveLua } from './scripts/risk-reserve.lua.js';
import { settleOwedLua } from './scripts/settle-owed.lua.js';
import { walletApplyLua } from './scripts/wallet-apply.lua.js';

/** The store's scripts by step. */
export const SCRIPTS = {
  applyConversion: luaScript(applyConversionLua),
  decideApproval: luaScript(decideApprovalLua),
  expireClicks: luaScript(expireClicksLua),
  indexEarning: luaScript(indexEarningLua),
  insertClick: luaScript(insertClickLua),
  recordAttempt: luaScript(recordAttemptLua),
  recordVisit: luaScript(recordVisitLua),
  riskRelease: luaScript(riskReleaseLua),
  riskReserve: luaScript(riskReserveLua),
  settleOwed: luaScript(settleOwedLua),
  walletApply: luaScript(walletApplyLua),
} as const;
