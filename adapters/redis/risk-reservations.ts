/**
 * Daily caps in the cluster layout. A cap's day counter belongs to a user or an IP, whose
 * conversions are spread over every shard, so the counter lives in the user's slot
 * (`{u:<userId>}`) or the IP's (`{ip:<ip>}`), never in the click's, and no Cluster script reaches
 * both. So the client reserves before the conversion script and settles after:
 *
 * 1. read the click (a plain GET; the virtual click when it is absent) for the subjects, the day
 *    and an upper bound of the amount (the earning's amount never exceeds the click's
 *    `min(amount ?? earnUpTo, earnUpTo)`);
 * 2. reserve on each counter (risk-reserve): one conversion and the bound, unless that would
 *    pass the cap. The counter holds the day's auto-credited conversions plus the reservations in
 *    flight, so concurrent conversions never reserve past a cap;
 * 3. the conversion script decides with "reserved / could not reserve" in place of the counters
 *    (could not reserve = the cap is exceeded: `user_daily_cap` / `ip_daily_cap`);
 * 4. settle (risk-release): a step that did not auto-credit gives its reservation back; one that
 *    did keeps it, minus what it reserved above the amount it earned.
 *
 * A crash or an error between 2 and 4 leaves a reservation in the counter: it over-counts (more
 * holds, never a credit past the cap) until the counter expires a day after its day. Standalone
 * layout: none of this, the conversion script reads and counts the counters itself.
 * @module
 */
import type { ConversionCommand, RiskCap } from 'clickcredit';
import { cappedAmount, riskCounterKeys, usesRiskCounters } from 'clickcredit/store';
import { runScript, type RedisClientLike } from './client.js';
import { SCRIPTS } from './commands.js';
import type { KeyLayout } from './keys.js';
import { clickFromHash } from './records.js';

const DAY_MS = 86_400_000;

/** One counter's reservation, as the conversion script reads it. */
export interface CounterReservation {
  key: string;
  reserved: boolean;
  /** The amount reserved (canonical minor units). */
  bound: string;
}

/** The reservations of one step (`null` where the cap is off or no IP is known). */
export interface StepReservations {
  user: CounterReservation | null;
  ip: CounterReservation | null;
  attemptId: string;
}

/** The counter key of a subject: the same text the standalone script builds (prelude-risk). */
export function counterKey(keys: KeyLayout, scope: 'u' | 'ip', subject: string, day: string): string {
  return `${keys.userPrefix}{${scope}:${subject}}:risk:${day}`;
}

/** Steps 1 and 2: reads the click and reserves on its counters; null when no cap applies. */
export async function reserveCounters(client: RedisClientLike, keys: KeyLayout, c: ConversionCommand): Promise<StepReservations | null> {
  if (c.action !== 'credit' || !usesRiskCounters(c.risk) || !c.risk) return null;
  const stored = clickFromHash(c.clickId, await client.hgetall(`${keys.clickBase(c.clickId)}:click:${c.clickId}`));
  const virtual = c.clickIfAbsent && c.clickIfAbsent.clickId === c.clickId ? c.clickIfAbsent : null;
  const click = stored ?? virtual;
  if (click === null) return null;
  const subjects = riskCounterKeys(click, c);
  const bound = cappedAmount(click, c.amountMinor).toString();
  const dayStart = Date.UTC(c.now.getUTCFullYear(), c.now.getUTCMonth(), c.now.getUTCDate());
  const reserve = async (scope: 'u' | 'ip', subject: string | null, cap: RiskCap | null): Promise<CounterReservation | null> => {
    if (subject === null || cap === null) return null;
    const key = counterKey(keys, scope, subject, subjects.day);
    const reply = await runScript(client, SCRIPTS.riskReserve, key, c.attemptId, bound, cap.count ?? '',
      cap.amountMinor === null ? '' : cap.amountMinor.toString(), dayStart + 2 * DAY_MS);
    return { key, reserved: Number(reply) === 1, bound };
  };
  const user = await reserve('u', subjects.userId, c.risk.perUserDailyCap);
  try {
    const ip = await reserve('ip', subjects.ip, c.risk.perIpDailyCap);
    return { user, ip, attemptId: c.attemptId };
  } catch (error) {
    // The step will not run: give the user's reservation back (best effort; kept, it only over-counts).
    await settleReservations(client, { user, ip: null, attemptId: c.attemptId }, null).catch(() => undefined);
    throw error;
  }
}

/** Step 4: `countedMinor` is the earned amount when the step auto-credited, else null. */
export async function settleReservations(client: RedisClientLike, r: StepReservations, countedMinor: bigint | null): Promise<void> {
  for (const reservation of [r.user, r.ip]) {
    if (reservation === null || !reservation.reserved) continue;
    // Counted at exactly the reserved amount: the reservation already is the count.
    if (countedMinor !== null && countedMinor.toString() === reservation.bound) continue;
    await runScript(client, SCRIPTS.riskRelease, reservation.key, r.attemptId, countedMinor === null ? '' : countedMinor.toString());
  }
}
