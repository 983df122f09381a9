/**
 * Risk rules (contract "Risk rules") as pure functions: what a policy says about one conversion,
 * given the click snapshot, the command and the day's counters. Stores that run code inside their
 * atomic step (memory, a MongoDB transaction) call {@link assessRisk} there; the PL/pgSQL and Lua
 * steps translate it, and the conformance suite holds every translation to the same outcomes.
 * @module
 */
import { parseAmount, type MoneyOptions } from './money.js';
import type { ClickRecord, RiskRuleCode } from './records.js';

/** What a rule does when it fires: refuse the conversion, or hold the earning for review. */
export type RiskEffect = 'refuse' | 'hold';

/** A time rule: fires when the conversion comes sooner (min) or later (max) than `seconds` after the click. */
export interface RiskTimeRule {
  seconds: number;
  effect: RiskEffect;
}

/** A daily cap (UTC day) as the host writes it: amounts are decimal strings or numbers. */
export interface RiskCapOptions {
  /** At most this many auto-credited conversions a day; the next ones are held. */
  count?: number;
  /** At most this much auto-credited a day; a conversion that would go above is held. */
  amount?: string | number;
}

/** Risk rules as the host configures them (tracker option `risk`). Every rule is off unless given. */
export interface RiskOptions {
  /** The postback's offer id differs from the click's (both present). The click's offer is never overwritten. */
  offerMismatch?: RiskEffect;
  /** Conversions sooner than this after the click (not applied to user-keyed conversions). */
  minSecondsToConvert?: RiskTimeRule;
  /** Conversions later than this after the click, separate from the click's expiry (not applied to user-keyed ones). */
  maxSecondsToConvert?: RiskTimeRule;
  /** Per-user and per-IP caps per UTC day on the count and amount auto-credited: hold when exceeded. */
  dailyCaps?: { perUser?: RiskCapOptions; perIp?: RiskCapOptions };
  /** The click's IP differs from the conversion IP the network forwarded: hold. Off by default. */
  ipMismatch?: 'hold';
}

/** A daily cap in minor units, as commands carry it. */
export interface RiskCap {
  count: number | null;
  amountMinor: bigint | null;
}

/** Risk rules resolved for the store (money in minor units); what a {@link ConversionCommand} carries. */
export interface RiskPolicy {
  offerMismatch: RiskEffect | null;
  minSecondsToConvert: RiskTimeRule | null;
  maxSecondsToConvert: RiskTimeRule | null;
  perUserDailyCap: RiskCap | null;
  perIpDailyCap: RiskCap | null;
  ipMismatch: 'hold' | null;
}

/** One day's totals of a counter (auto-credited conversions), before the current step. */
export interface DayCount {
  count: number;
  amountMinor: bigint;
}

/** The day's counters the step read (`null`: the cap is off, or no IP is known). */
export interface RiskCounters {
  user: DayCount | null;
  ip: DayCount | null;
}

/** Which counters a step needs: the UTC day and the subjects, `null` where the cap is off. */
export interface RiskCounterKeys {
  /** UTC day of the conversion, `YYYY-MM-DD`. */
  day: string;
  /** The click's user, when a per-user cap is on. */
  userId: string | null;
  /** `click.ipAddress ?? conversionIp`, when a per-IP cap is on and an IP is known. */
  ip: string | null;
}

/** What the rules say: nothing, or the first rule that fires with its effect. */
export type RiskVerdict = { effect: RiskEffect; rule: RiskRuleCode } | null;

/** The inputs of {@link assessRisk} taken from the command. */
export interface RiskInput {
  risk?: RiskPolicy | null;
  offerId: string | null;
  conversionIp?: string | null;
  now: Date;
}

/** No counters (no caps on, or none read). */
export const NO_RISK_COUNTERS: RiskCounters = Object.freeze({ user: null, ip: null });

/**
 * Decides the risk rules for a step that would credit `amountMinor` now (a new earning or a
 * pending one, action `credit`). Rules are evaluated in this order:
 * `offer_mismatch`, `too_soon`, `too_late`, `ip_mismatch`, `user_daily_cap`, `ip_daily_cap`;
 * the first rule whose effect is `refuse` wins, else the first that fires (a hold), else `null`.
 * - `offer_mismatch`: `command.offerId` and `click.offerId` both non-null and different;
 * - `too_soon`: `now - clickedAt < minSecondsToConvert.seconds` (user-keyed clicks excepted);
 * - `too_late`: `now - clickedAt > maxSecondsToConvert.seconds` (user-keyed clicks excepted);
 * - `ip_mismatch`: `click.ipAddress` and `conversionIp` both non-null and different;
 * - `user_daily_cap` / `ip_daily_cap`: with the counter `c` read for the day,
 *   `c.count + 1 > cap.count` or `c.amountMinor + amountMinor > cap.amountMinor`.
 */
export function assessRisk(click: ClickRecord, command: RiskInput, amountMinor: bigint, counters: RiskCounters): RiskVerdict {
  const policy = command.risk;
  if (!policy) return null;
  const fired: Array<{ effect: RiskEffect; rule: RiskRuleCode }> = [];
  if (policy.offerMismatch && command.offerId !== null && click.offerId !== null && command.offerId !== click.offerId) {
    fired.push({ effect: policy.offerMismatch, rule: 'offer_mismatch' });
  }
  // A user-keyed click is created by its first callback: its "click time" says nothing.
  if (click.network === null) {
    const elapsedMs = command.now.getTime() - click.clickedAt.getTime();
    const min = policy.minSecondsToConvert;
    if (min && elapsedMs < min.seconds * 1000) fired.push({ effect: min.effect, rule: 'too_soon' });
    const max = policy.maxSecondsToConvert;
    if (max && elapsedMs > max.seconds * 1000) fired.push({ effect: max.effect, rule: 'too_late' });
  }
  const conversionIp = command.conversionIp ?? null;
  if (policy.ipMismatch && click.ipAddress !== null && conversionIp !== null && click.ipAddress !== conversionIp) {
    fired.push({ effect: 'hold', rule: 'ip_mismatch' });
  }
  if (capExceeded(policy.perUserDailyCap, counters.user, amountMinor)) fired.push({ effect: 'hold', rule: 'user_daily_cap' });
  if (capExceeded(policy.perIpDailyCap, counters.ip, amountMinor)) fired.push({ effect: 'hold', rule: 'ip_daily_cap' });
  return fired.find((f) => f.effect === 'refuse') ?? fired[0] ?? null;
}

function capExceeded(cap: RiskCap | null, counter: DayCount | null, amountMinor: bigint): boolean {
  if (cap === null || counter === null) return false;
  if (cap.count !== null && counter.count + 1 > cap.count) return true;
  return cap.amountMinor !== null && counter.amountMinor + amountMinor > cap.amountMinor;
}

/**
 * The counters a step must read (and, when it auto-credits, add to) for the policy: the UTC day
 * of `now`, the click's user when a per-user cap is on, the IP (`click.ipAddress`, else the
 * conversion IP) when a per-IP cap is on.
 */
export function riskCounterKeys(click: Pick<ClickRecord, 'userId' | 'ipAddress'>, command: RiskInput): RiskCounterKeys {
  const policy = command.risk;
  const ip = click.ipAddress ?? command.conversionIp ?? null;
  return {
    day: command.now.toISOString().slice(0, 10),
    userId: policy?.perUserDailyCap ? click.userId : null,
    ip: policy?.perIpDailyCap ? ip : null,
  };
}

/** True when the policy has at least one daily cap (the step must read counters). */
export function usesRiskCounters(policy: RiskPolicy | null | undefined): boolean {
  return Boolean(policy && (policy.perUserDailyCap || policy.perIpDailyCap));
}

/**
 * Validates the host's risk options and resolves amounts into minor units. Throws `TypeError`
 * at start-up on a malformed rule. Returns `null` when no rule is on.
 */
export function resolveRiskPolicy(options: RiskOptions | null | undefined, money: MoneyOptions): RiskPolicy | null {
  if (options === undefined || options === null) return null;
  if (typeof options !== 'object') throw new TypeError('clickcredit: risk must be an object of rules');
  const policy: RiskPolicy = {
    offerMismatch: effectOf(options.offerMismatch, 'risk.offerMismatch'),
    minSecondsToConvert: timeRule(options.minSecondsToConvert, 'risk.minSecondsToConvert'),
    maxSecondsToConvert: timeRule(options.maxSecondsToConvert, 'risk.maxSecondsToConvert'),
    perUserDailyCap: cap(options.dailyCaps?.perUser, money, 'risk.dailyCaps.perUser'),
    perIpDailyCap: cap(options.dailyCaps?.perIp, money, 'risk.dailyCaps.perIp'),
    ipMismatch: null,
  };
  if (options.ipMismatch !== undefined) {
    if (options.ipMismatch !== 'hold') throw new TypeError("clickcredit: risk.ipMismatch can only be 'hold'");
    policy.ipMismatch = 'hold';
  }
  const min = policy.minSecondsToConvert;
  const max = policy.maxSecondsToConvert;
  if (min && max && min.seconds >= max.seconds) {
    throw new TypeError('clickcredit: risk.minSecondsToConvert must be below risk.maxSecondsToConvert');
  }
  return Object.values(policy).some((rule) => rule !== null) ? policy : null;
}

function effectOf(value: unknown, path: string): RiskEffect | null {
  if (value === undefined) return null;
  if (value !== 'refuse' && value !== 'hold') throw new TypeError(`clickcredit: ${path} must be 'refuse' or 'hold'`);
  return value;
}

function timeRule(value: RiskTimeRule | undefined, path: string): RiskTimeRule | null {
  if (value === undefined) return null;
  if (!Number.isInteger(value?.seconds) || value.seconds <= 0) throw new TypeError(`clickcredit: ${path}.seconds must be a positive integer`);
  const effect = effectOf(value.effect, `${path}.effect`);
  if (effect === null) throw new TypeError(`clickcredit: ${path}.effect must be 'refuse' or 'hold'`);
  return { seconds: value.seconds, effect };
}

function cap(value: RiskCapOptions | undefined, money: MoneyOptions, path: string): RiskCap | null {
  if (value === undefined) return null;
  const { count, amount } = value;
  if (count !== undefined && !(Number.isInteger(count) && count > 0)) throw new TypeError(`clickcredit: ${path}.count must be a positive integer`);
  const amountMinor = amount === undefined ? null : parseAmount(amount, money, `${path}.amount`);
  if (count === undefined && amountMinor === null) throw new TypeError(`clickcredit: ${path} needs a count or an amount`);
  return { count: count ?? null, amountMinor };
}
