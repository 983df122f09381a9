/**
 * The earning's two state machines (conversion and approval) against the one table of
 * `clickcredit/testing` (STATE_MACHINE_TABLE): every state × every step, through the pure
 * `decideConversion` and `decideApproval`. The conformance theme `state-machine` holds every store
 * (and so the PL/pgSQL and Lua translations) to the same rows.
 */
import { describe, expect, it } from 'vitest';
import type { ClickRecord, ConversionCommand, EarningRecord, PostbackAction } from 'clickcredit';
import { decideApproval, decideConversion } from 'clickcredit/store';
import { STATE_MACHINE_TABLE, TABLE_AMOUNTS, TABLE_CLICK, TABLE_STATES, type TableEarning, type TableStep } from 'clickcredit/testing';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const ACTIONS: Record<Exclude<TableStep, 'approve' | 'disapprove'>, [PostbackAction, string]> = {
  credit: ['credit', 'completed'], credit_high: ['credit', 'completed'], pending: ['pending', 'pending'],
  reject: ['reject', 'rejected'], reverse: ['reverse', 'reversed'],
};

const click: ClickRecord = {
  clickId: '11111111-1111-4111-8111-111111111111', userId: 'u', productId: 'p', offerId: null, taskUrl: 'https://a.example/',
  redirectUrl: 'https://a.example/?click_id=x', postbackUrl: 'https://api.example/postback', ipAddress: null, userAgent: null,
  referrer: null, clickedAt: T0, expiresAt: new Date(T0.getTime() + 86_400_000), status: 'pending', conversionId: null,
  postbackReceived: false, postbackReceivedAt: null, visitCount: 0, firstVisitAt: null, lastVisitAt: null, createdAt: T0, updatedAt: T0,
  earnUpToMinor: TABLE_CLICK.earnUpToMinor, referrerId: 'r', commissionPpm: TABLE_CLICK.commissionPpm,
  holdAboveMinor: TABLE_CLICK.holdAboveMinor, holdWithinSeconds: null, network: null, networkTransactionId: null, goals: null,
};

/** A pure "store": the click and its one earning, changed only by the two decide functions. */
interface Pure {
  click: ClickRecord;
  earning: EarningRecord | null;
}

function step(store: Pure, s: TableStep, n: number): { decision: string; earning: EarningRecord | null; moved: string[] } {
  const now = new Date(T0.getTime() + (n + 1) * 1000);
  if (s === 'approve' || s === 'disapprove') {
    if (store.earning === null) return { decision: 'not_found', earning: null, moved: [] };
    const t = decideApproval(store.earning, { approve: s === 'approve', now });
    if (t.earningChanged) store.earning = t.earning;
    return { decision: t.decision, earning: t.earning, moved: t.operations.map((op) => `${op.kind}:${op.amountMinor}`) };
  }
  const [action, postbackStatus] = ACTIONS[s];
  const command: ConversionCommand = {
    attemptId: `a${n}`, clickId: click.clickId, conversionId: 'c', action, postbackStatus, amountMinor: TABLE_AMOUNTS[s],
    rawAmount: null, transactionId: null, offerId: null, now, newEarningId: 'e1', ledger: 'inline', sourceIp: null, rawData: {},
  };
  const t = decideConversion(store.click, store.earning, command);
  if (t.click) store.click = t.click;
  if (t.earning && t.earningChanged) store.earning = t.earning;
  return { decision: t.decision, earning: t.earning, moved: t.operations.map((op) => `${op.kind}:${op.amountMinor}`) };
}

function summary(earning: EarningRecord | null): TableEarning | null {
  if (earning === null) return null;
  const { status, approvalStatus, cancelReason, credited, reversedBeforeCredit, amountMinor } = earning;
  return { status, approvalStatus, cancelReason, credited, reversedBeforeCredit, amountMinor: amountMinor.toString() };
}

describe('the state machine table', () => {
  it('covers every state × every step once', () => {
    const steps = ['credit', 'pending', 'reject', 'reverse', 'approve', 'disapprove'];
    expect(STATE_MACHINE_TABLE).toHaveLength(TABLE_STATES.length * steps.length);
    const seen = new Set(STATE_MACHINE_TABLE.map((row) => `${row.state.name} × ${row.step}`));
    for (const state of TABLE_STATES) for (const s of steps) expect(seen.has(`${state.name} × ${s}`)).toBe(true);
  });

  for (const state of TABLE_STATES) {
    it(`reaches "${state.name}" by its steps`, () => {
      const store: Pure = { click, earning: null };
      state.steps.forEach((s, n) => step(store, s, n));
      expect(summary(store.earning)).toEqual(state.earning);
      expect(store.click.status).toBe(state.clickStatus);
    });
  }

  for (const row of STATE_MACHINE_TABLE) {
    it(`${row.state.name} × ${row.step} → ${row.decision}`, () => {
      const store: Pure = { click, earning: null };
      row.state.steps.forEach((s, n) => step(store, s, n));
      const result = step(store, row.step, row.state.steps.length);
      expect({ decision: result.decision, earning: summary(result.earning) }).toEqual({ decision: row.decision, earning: row.earning });
      expect(summary(store.earning)).toEqual(row.stored);
      expect(store.click.status).toBe(row.clickStatus);
      expect([...result.moved].sort()).toEqual(row.moved);
    });
  }
});
