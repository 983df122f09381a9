/**
 * The day counters of the risk daily caps (ports.ts "Risk counters"): which documents a step
 * reads, and the increments a step that auto-credits makes, in the same transaction. Concurrent
 * transactions that both credit write the same counter document, so the server lets one commit
 * and the other re-runs from a fresh snapshot, where it sees the new count: no cap is ever
 * exceeded. The standalone path has no transaction to hold a counter and a click together, so
 * it refuses a policy with daily caps (see `assertNoDailyCaps`).
 * @module
 */
import { NO_RISK_COUNTERS, riskCounterKeys, usesRiskCounters, type ClickRecord, type ConversionCommand, type RiskCounters } from 'clickcredit';
import type { ClientSession } from 'mongodb';
import type { StoreCollections } from './collections.js';
import { fromLong, toLong } from './int64.js';

const DAY_MS = 86_400_000;

/** The counter documents a step reads: `null` where the cap is off or no IP is known. */
export interface CounterIds {
  user: string | null;
  ip: string | null;
}

/** The ids of the counters a step on `click` (the stored one, else the virtual one) reads. */
export function counterIdsOf(click: Pick<ClickRecord, 'userId' | 'ipAddress'> | null, command: ConversionCommand): CounterIds {
  if (click === null || !usesRiskCounters(command.risk)) return { user: null, ip: null };
  const keys = riskCounterKeys(click, command);
  return {
    user: keys.userId === null ? null : `user:${keys.day}:${keys.userId}`,
    ip: keys.ip === null ? null : `ip:${keys.day}:${keys.ip}`,
  };
}

/** When a counter of the UTC day of `now` may go: a day after that day ends. */
export function counterExpiry(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + 2 * DAY_MS);
}

/** Reads the step's counters in its transaction (a missing document is a zero count). */
export async function readCounters(c: StoreCollections, ids: CounterIds, session: ClientSession): Promise<RiskCounters> {
  if (ids.user === null && ids.ip === null) return NO_RISK_COUNTERS;
  const read = async (id: string | null) => {
    if (id === null) return null;
    const doc = await c.riskCounters.findOne({ _id: id }, { session });
    return { count: doc?.count ?? 0, amountMinor: doc ? fromLong(doc.amount) : 0n };
  };
  return { user: await read(ids.user), ip: await read(ids.ip) };
}

/** Adds one auto-credited conversion of `amountMinor` to each counter the step read. */
export async function countConversion(
  c: StoreCollections,
  ids: CounterIds,
  amountMinor: bigint,
  now: Date,
  session: ClientSession,
): Promise<void> {
  for (const id of [ids.user, ids.ip]) {
    if (id === null) continue;
    await c.riskCounters.updateOne(
      { _id: id },
      { $inc: { count: 1, amount: toLong(amountMinor) }, $setOnInsert: { expiresAt: counterExpiry(now) } },
      { upsert: true, session },
    );
  }
}

/**
 * The standalone path (no transactions) cannot read a day counter and claim a click in one
 * atomic step: it refuses a policy with daily caps before anything is written, rather than let
 * concurrent conversions run past a cap.
 */
export function assertNoDailyCaps(command: ConversionCommand): void {
  if (usesRiskCounters(command.risk)) {
    throw new RangeError('clickcredit/mongodb: risk daily caps need transactions (a replica set or a sharded cluster); this store runs the standalone path');
  }
}
