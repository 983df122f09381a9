/**
 * The conversion command as the apply-conversion script reads it (positional arguments, money
 * as canonical decimal strings of minor units, times as epoch milliseconds), with the keys only
 * the client can work out: the earning id's click prefix, the `:ntx` slot of a virtual click's
 * (network, transaction id), the UTC day of the risk counters and when they expire.
 * @module
 */
import type { ConversionCommand, RiskCap, RiskPolicy } from 'clickcredit';
import { earningIdFor, networkTransactionSlot, type KeyLayout } from './keys.js';
import type { RedisArg } from './client.js';
import { luaJson } from './lua-json.js';
import { clickToHash, clickToJson, type StoredJson } from './records.js';
import type { StepReservations } from './risk-reservations.js';

const DAY_MS = 86_400_000;

/** How the store runs: its keys, whether scripts must stay in one slot, the audit retention. */
export interface CommandContext {
  keys: KeyLayout;
  crossSlot: boolean;
  auditTtl: number;
  /** The events base the script records its event in (a slot it may touch); `null`: none. */
  eventsBase?: string | null;
  /** The event's order key (the store's hybrid clock, events.ts). */
  eventOrder?: string;
  /** The change log the script appends its record to (change-log.ts). */
  log: string;
}

function capToJson(cap: RiskCap | null): StoredJson | null {
  return cap === null ? null : { count: cap.count, amount: cap.amountMinor === null ? null : cap.amountMinor.toString() };
}

/** The risk policy for Lua (prelude-risk): `null` when no rule is on. */
export function riskToJson(risk: RiskPolicy | null | undefined): StoredJson | null {
  if (!risk) return null;
  return {
    offerMismatch: risk.offerMismatch, minSeconds: risk.minSecondsToConvert, maxSeconds: risk.maxSecondsToConvert,
    perUser: capToJson(risk.perUserDailyCap), perIp: capToJson(risk.perIpDailyCap), ipMismatch: risk.ipMismatch,
  };
}

/** A nullable text as the script reads it: '' for null, else '=' and the text. */
const opt = (value: string | null): string => (value === null ? '' : `=${value}`);

/**
 * Builds the script's arguments (positional, see apply-conversion.lua.ts). Cluster layout with
 * daily caps: `reservations` are what the client reserved on the day counters before the script
 * (risk-reservations.ts).
 */
export function conversionCommandArgs(
  c: ConversionCommand,
  { keys, crossSlot, auditTtl, eventsBase = null, eventOrder = '0', log }: CommandContext,
  reservations: StepReservations | null = null,
): RedisArg[] {
  const virtual = c.clickIfAbsent ?? null;
  const rawText = JSON.stringify(c.rawData);
  // The audit row but its raw data (the script splices in the literal it also stores in the
  // earning), decision, earning id and rule, which only the script knows.
  const audit = luaJson({
    attemptId: c.attemptId, clickId: c.clickId, conversionId: c.conversionId, postbackStatus: c.postbackStatus,
    amount: c.rawAmount, sourceIp: c.sourceIp, message: null, receivedAt: c.now.getTime(),
  }).slice(0, -1);
  let rest = '';
  if (virtual !== null || (c.risk !== null && c.risk !== undefined)) {
    const ntx = virtual === null ? null : networkTransactionSlot(keys, virtual, crossSlot);
    const dayStart = Date.UTC(c.now.getUTCFullYear(), c.now.getUTCMonth(), c.now.getUTCDate());
    rest = luaJson({
      clickIfAbsent: virtual === null ? null : clickToJson(virtual),
      // What the script stores when it inserts the virtual click.
      clickIfAbsentHash: virtual === null ? null : clickToHash(virtual),
      ntxBase: ntx === null || !ntx.reachable ? null : ntx.base,
      // Cluster layout, a virtual click whose pair lives in another shard: refused as taken.
      ntxUnreachable: ntx !== null && !ntx.reachable,
      risk: riskToJson(c.risk),
      conversionIp: c.conversionIp ?? null,
      // The UTC day of the counters (riskCounterKeys) and their expiry: a day after the day ends.
      day: c.now.toISOString().slice(0, 10),
      counterExpireAt: dayStart + 2 * DAY_MS,
      reservation: reservations === null ? null : { user: reservations.user, ip: reservations.ip },
    });
  }
  return [
    c.attemptId, c.clickId, c.conversionId, c.action, c.postbackStatus, opt(c.amountMinor === null ? null : c.amountMinor.toString()),
    earningIdFor(c.clickId, c.newEarningId), c.now.getTime(), c.ledger, crossSlot ? '1' : '', keys.userPrefix, auditTtl, log, eventOrder,
    c.recordEvent !== false && eventsBase !== null ? '1' : '', opt(c.transactionId), opt(c.offerId), opt(c.sourceIp),
    luaJson(rawText), audit, rest,
  ];
}
