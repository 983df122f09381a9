/**
 * Records ⇄ MongoDB documents. Money is int64 (`Long`), times are BSON dates.
 * @module
 */
import type { Long, ObjectId } from 'mongodb';
import type { ClickRecord, EarningRecord, LedgerEntry, PostbackAttempt, WalletOperation } from 'clickcredit';
import { fromLong, toLong } from './guards.js';

/** An owed operation embedded in its earning (settled when the wallet confirmed it). */
export interface OwedDocument extends Omit<WalletOperation, 'amountMinor'> {
  amount: Long;
  settledAt: Date | null;
}

export type ClickDocument = Omit<ClickRecord, 'clickId' | 'earnUpToMinor' | 'holdAboveMinor'> & {
  _id: string;
  earnUpTo: Long;
  holdAbove: Long | null;
  /** Bumped by every state change: the compare-and-set guard of the non-transactional path. */
  version: number;
};

export type EarningDocument = Omit<EarningRecord, 'earningId' | 'amountMinor' | 'commissionMinor'> & {
  _id: string;
  amount: Long;
  commission: Long;
  version: number;
  owed: OwedDocument[];
};

export function clickToDocument(c: ClickRecord, version: number): ClickDocument {
  const { clickId, earnUpToMinor, holdAboveMinor, ...rest } = c;
  return { ...rest, _id: clickId, earnUpTo: toLong(earnUpToMinor), holdAbove: holdAboveMinor === null ? null : toLong(holdAboveMinor), version };
}

export function clickFromDocument(d: ClickDocument): ClickRecord {
  const { _id, earnUpTo, holdAbove, version: _version, ...rest } = d;
  return { ...rest, clickId: _id, earnUpToMinor: fromLong(earnUpTo), holdAboveMinor: holdAbove === null ? null : fromLong(holdAbove) };
}

export function earningToDocument(e: EarningRecord, version: number, owed: OwedDocument[]): EarningDocument {
  const { earningId, amountMinor, commissionMinor, ...rest } = e;
  return { ...rest, _id: earningId, amount: toLong(amountMinor), commission: toLong(commissionMinor), version, owed };
}

export function earningFromDocument(d: EarningDocument): EarningRecord {
  const { _id, amount, commission, version: _version, owed: _owed, ...rest } = d;
  return { ...rest, earningId: _id, amountMinor: fromLong(amount), commissionMinor: fromLong(commission) };
}

export function owedToDocument(op: WalletOperation): OwedDocument {
  const { amountMinor, ...rest } = op;
  return { ...rest, amount: toLong(amountMinor), settledAt: null };
}

export function owedFromDocument(d: OwedDocument): WalletOperation {
  const { amount, settledAt: _settled, ...rest } = d;
  return { ...rest, amountMinor: fromLong(amount) };
}

export interface LedgerDocument extends Omit<LedgerEntry, 'entryId' | 'amountMinor'> {
  _id?: ObjectId;
  amount: Long;
}

export function ledgerToDocument(op: WalletOperation): LedgerDocument {
  const { amountMinor, ...rest } = op;
  return { ...rest, amount: toLong(amountMinor) };
}

export function ledgerFromDocument(d: LedgerDocument): LedgerEntry {
  const { _id, amount, ...rest } = d;
  return { ...rest, entryId: String(_id), amountMinor: fromLong(amount) };
}

export type AttemptDocument = Omit<PostbackAttempt, 'attemptId'> & { _id: string };

export function attemptToDocument(a: PostbackAttempt): AttemptDocument {
  const { attemptId, ...rest } = a;
  return { ...rest, _id: attemptId };
}

export function attemptFromDocument(d: AttemptDocument): PostbackAttempt {
  const { _id, ...rest } = d;
  return { ...rest, attemptId: _id };
}
