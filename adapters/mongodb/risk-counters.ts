/**
 * The day counters of the risk daily caps (ports.ts "Risk counters"): which documents a step
 * reads, and the increments a step that auto-credits makes, in the same transaction. Concurrent
 * transactions that both credit write the same counter document, so the server lets one commit
 * and the other re-runs from a fresh snapshot, where it sees the new count: no cap is ever
 * exceeded. The standalone path has no transaction to hold a counter and a click together: it
 * reserves on the counters before its step and settles after (see {@link reserveCounters}).
 * @module
 */
import type { ClickRecord, ConversionCommand, RiskCap } from 'clickcredit';
import { NO_RISK_COUNTERS, cappedAmount, riskCounterKeys, usesRiskCounters, type RiskCounters } from 'clickcredit/store';
import type { ClientSession, Filter } from 'mongodb';
import type { StoreCollections } from './collections.js';
import type { RiskCounterDocument } from './documents.js';
import { isDuplicateKey } from './errors.js';
import { asId } from './guards.js';
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

/** One counter's reservation on the standalone path (see {@link reserveCounters}). */
export interface CounterReservation {
  id: string;
  reserved: boolean;
  /** The amount reserved: an upper bound of the earning's. */
  boundMinor: bigint;
  cap: RiskCap;
}

/** The reservations of one standalone step (`null` where the cap is off or no IP is known). */
export interface StepReservations {
  attemptId: string;
  user: CounterReservation | null;
  ip: CounterReservation | null;
}

/**
 * Standalone path (no transactions): no single write can check a day counter and claim a click
 * together, so a credit reserves on each counter first, with one conditional update (one
 * conversion and an upper bound of the amount, unless that would pass the cap, recorded under the
 * attempt id), then decides with "reserved / could not reserve" in place of the counters, then
 * settles ({@link settleReservations}). The counter holds the day's credits plus the reservations in
 * flight, so concurrent conversions never credit past a cap; a crash between reserve and settle
 * over-counts (more holds that day, never a credit past the cap) until the counter expires.
 */
export async function reserveCounters(
  c: StoreCollections,
  click: ClickRecord | null,
  command: ConversionCommand,
): Promise<StepReservations | null> {
  if (command.action !== 'credit' || !command.risk || click === null || !usesRiskCounters(command.risk)) return null;
  const ids = counterIdsOf(click, command);
  const boundMinor = cappedAmount(click, command.amountMinor);
  const attemptId = asId(command.attemptId, 'attemptId');
  const reserve = async (id: string | null, cap: RiskCap | null): Promise<CounterReservation | null> => {
    if (id === null || cap === null) return null;
    return { id, cap, boundMinor, reserved: await tryReserve(c, id, cap, boundMinor, attemptId, command.now) };
  };
  return { attemptId, user: await reserve(ids.user, command.risk.perUserDailyCap), ip: await reserve(ids.ip, command.risk.perIpDailyCap) };
}

/** The filter that lets a reservation in: not reserved by this attempt yet, and room under the cap. */
export function reservationFilter(id: string, cap: RiskCap, boundMinor: bigint, attemptId: string): Filter<RiskCounterDocument> {
  const filter: Filter<RiskCounterDocument> = { _id: asId(id, 'counter'), 'reservations.id': { $ne: attemptId } };
  if (cap.count !== null) filter.count = { $lt: cap.count };
  if (cap.amountMinor !== null) filter.$expr = { $lte: [{ $add: ['$amount', toLong(boundMinor)] }, toLong(cap.amountMinor)] };
  return filter;
}

async function tryReserve(c: StoreCollections, id: string, cap: RiskCap, boundMinor: bigint, attemptId: string, now: Date): Promise<boolean> {
  // A fresh counter is created by the upsert below without the filter's checks: the bound alone must fit.
  if (cap.amountMinor !== null && boundMinor > cap.amountMinor) return false;
  // Two rounds: a duplicate key in the first may only mean that a concurrent reservation created
  // the counter between our query and our insert; in the second the counter exists, so a
  // duplicate key means its filter refused us.
  for (let round = 1; round <= 2; round += 1) {
    try {
      await c.riskCounters.updateOne(
        reservationFilter(id, cap, boundMinor, attemptId),
        {
          $inc: { count: 1, amount: toLong(boundMinor) },
          $push: { reservations: { id: attemptId, amount: toLong(boundMinor) } },
          $setOnInsert: { expiresAt: counterExpiry(now) },
        },
        { upsert: true },
      );
      return true;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }
  // The counter refused the filter: reserved already by this very attempt (a re-sent call), or at its cap.
  const mine = await c.riskCounters.findOne({ _id: asId(id, 'counter'), 'reservations.id': attemptId }, { projection: { _id: 1 } });
  return mine !== null;
}

/**
 * The counters a step decides with when it reserved instead of reading: a reserved counter has
 * room for this conversion (the reservation already passed the cap check with an amount at least
 * the earning's), one that could not be reserved is at its cap.
 */
export function reservedCounters(r: StepReservations | null): RiskCounters {
  if (r === null) return NO_RISK_COUNTERS;
  const counter = (reservation: CounterReservation | null) => {
    if (reservation === null) return null;
    if (reservation.reserved) return { count: 0, amountMinor: 0n };
    return { count: reservation.cap.count ?? 0, amountMinor: reservation.cap.amountMinor ?? 0n };
  };
  return { user: counter(r.user), ip: counter(r.ip) };
}

/**
 * Settles a standalone step's reservations: `countedMinor` is the earned amount when the step
 * auto-credited (the reservation is kept as its count, minus what it reserved above the amount),
 * `null` when it did not (the reservation goes back). Idempotent: each reservation is removed by
 * the update that settles it.
 */
export async function settleReservations(c: StoreCollections, r: StepReservations, countedMinor: bigint | null): Promise<void> {
  for (const reservation of [r.user, r.ip]) {
    if (reservation === null || !reservation.reserved) continue;
    const giveBack = countedMinor === null ? reservation.boundMinor : reservation.boundMinor - countedMinor;
    await c.riskCounters.updateOne(
      { _id: asId(reservation.id, 'counter'), 'reservations.id': r.attemptId },
      { $inc: { count: countedMinor === null ? -1 : 0, amount: toLong(-giveBack) }, $pull: { reservations: { id: r.attemptId } } },
    );
  }
}
