/**
 * Conformance: the postback state machine, checked against the stored earnings and ledger.
 * @module
 */
import { click, postback, type Theme } from '../context.js';

/** Postbacks: credit, cap, replay, unknown, expired, conflict, pending, reject, reverse, audit. */
export const postbacksTheme: Theme = ({ it, expect }, ctx) => {
  it('credits the postback amount once and records the earning', async () => {
    const { tracker, user, harness, expectBalance } = ctx();
    const t = tracker();
    const u = user();
    const { clickId } = await click(t, u);
    const result = await postback(t, clickId, { amount: 12.5, status: 'completed', transactionId: 'txn-1', conversionId: 'conv-1' });
    expect(result).toMatchObject({ clickId, conversionId: 'conv-1', status: 'completed', amount: '12.50', duplicate: false, decision: 'credited' });
    const earnings = await harness.raw.earningsOfClick(clickId);
    expect(earnings).toHaveLength(1);
    expect(earnings[0]).toMatchObject({
      earningId: result.earningId,
      userId: u,
      amountMinor: 1250n,
      status: 'completed',
      approvalStatus: 'auto_approved',
      credited: true,
      transactionId: 'txn-1',
      postbackReceived: true,
    });
    expect(earnings[0]!.postbackData).toMatchObject({ amount: 12.5, transactionId: 'txn-1' });
    const entries = await harness.raw.ledgerEntries(u);
    expect(entries.map((e) => [e.kind, e.amountMinor, e.key])).toEqual([['credit', 1250n, `earning:${result.earningId}:credit`]]);
    await expectBalance(u, '12.50', t);
    const view = await t.getClick(clickId, u);
    expect(view).toMatchObject({ status: 'converted', conversionId: 'conv-1', postbackReceived: true });
  });

  it('pays earnUpTo without an amount and caps a larger one', async () => {
    const { tracker, user, expectBalance } = ctx();
    const t = tracker();
    const a = user();
    const noAmount = await postback(t, (await click(t, a)).clickId, { conversionId: 'c' });
    expect(noAmount.amount).toBe('50.00');
    const b = user();
    const capped = await postback(t, (await click(t, b)).clickId, { amount: '75.00', conversionId: 'c' });
    expect(capped.amount).toBe('50.00');
    await expectBalance(a, '50.00', t);
    await expectBalance(b, '50.00', t);
  });

  it('answers an exact replay with the first result, duplicate: true, and moves nothing', async () => {
    const { tracker, user, harness, expectBalance } = ctx();
    const t = tracker();
    const u = user();
    const { clickId } = await click(t, u);
    const body = { amount: '50.00', status: 'completed', transactionId: 'test_txn_123', conversionId: 'test_conv_456' };
    const first = await postback(t, clickId, body);
    const again = await postback(t, clickId, body);
    const approved = await postback(t, clickId, { ...body, status: 'approved' });
    expect(again).toEqual({ ...first, duplicate: true, decision: 'duplicate' });
    expect(approved.duplicate).toBe(true);
    expect(await harness.raw.earningsOfClick(clickId)).toHaveLength(1);
    expect(await harness.raw.ledgerEntries(u)).toHaveLength(1);
    await expectBalance(u, '50.00', t);
  });

  it('refuses an unknown click with NOT_FOUND and audits it', async () => {
    const { tracker } = ctx();
    const t = tracker();
    const unknown = '7d444840-9dc0-41a2-8b1f-3a4d9a8c5e6f';
    await expect(postback(t, unknown, { conversionId: 'c' })).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
    const attempts = await t.listPostbackAttempts(unknown);
    expect(attempts.at(-1)).toMatchObject({ clickId: unknown, decision: 'unknown_click', sourceIp: '203.0.113.7' });
  });

  it('refuses a new conversion after expiry with CLICK_EXPIRED and marks the click expired', async () => {
    const { tracker, user, clock, harness, expectBalance } = ctx();
    const t = tracker({ clickTtlSeconds: 60 });
    const u = user();
    const { clickId } = await click(t, u);
    clock.advanceSeconds(61);
    await expect(postback(t, clickId, { conversionId: 'late' })).rejects.toMatchObject({ code: 'CLICK_EXPIRED', status: 410 });
    expect(await harness.raw.earningsOfClick(clickId)).toHaveLength(0);
    expect((await harness.storage.getClick(clickId))?.status).toBe('expired');
    await expect(postback(t, clickId, { conversionId: 'late' })).rejects.toMatchObject({ code: 'CLICK_EXPIRED' });
    await expectBalance(u, '0.00', t);
    expect((await t.listPostbackAttempts(clickId)).map((a) => a.decision)).toEqual(['expired', 'expired']);
  });

  it('refuses a second conversion on a converted click with CONFLICT', async () => {
    const { tracker, user, harness, expectBalance } = ctx();
    const t = tracker();
    const u = user();
    const { clickId } = await click(t, u);
    await postback(t, clickId, { amount: '10.00', conversionId: 'first' });
    await expect(postback(t, clickId, { amount: '10.00', conversionId: 'second' })).rejects.toMatchObject({ code: 'CONFLICT', status: 409 });
    expect(await harness.raw.earningsOfClick(clickId)).toHaveLength(1);
    await expectBalance(u, '10.00', t);
  });

  it('records pending without credit, credits once on completed, ignores a stale pending', async () => {
    const { tracker, user, harness, expectBalance, clock } = ctx();
    const t = tracker({ clickTtlSeconds: 60 });
    const u = user();
    const { clickId } = await click(t, u);
    const pending = await postback(t, clickId, { amount: '20.00', status: 'pending', conversionId: 'c1' });
    expect(pending).toMatchObject({ status: 'pending', duplicate: false, decision: 'recorded_pending' });
    await expectBalance(u, '0.00', t);
    clock.advanceSeconds(120); // past expiry: a recorded conversion still completes
    const done = await postback(t, clickId, { amount: '20.00', status: 'completed', conversionId: 'c1' });
    expect(done).toMatchObject({ earningId: pending.earningId, status: 'completed', decision: 'credited', duplicate: false });
    const stale = await postback(t, clickId, { status: 'pending', conversionId: 'c1' });
    expect(stale).toMatchObject({ status: 'completed', duplicate: true });
    expect(await harness.raw.earningsOfClick(clickId)).toHaveLength(1);
    await expectBalance(u, '20.00', t);
  });

  it('rejects: cancels the earning, rejects the click, credits nothing, refuses later credits', async () => {
    const { tracker, user, harness, expectBalance } = ctx();
    const t = tracker();
    const u = user();
    const { clickId } = await click(t, u);
    const rejected = await postback(t, clickId, { status: 'rejected', conversionId: 'c1' });
    expect(rejected).toMatchObject({ status: 'cancelled', decision: 'rejected', duplicate: false });
    expect((await harness.storage.getClick(clickId))?.status).toBe('rejected');
    await expect(postback(t, clickId, { status: 'completed', conversionId: 'c1' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(postback(t, clickId, { status: 'completed', conversionId: 'c2' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await postback(t, clickId, { status: 'rejected', conversionId: 'c1' })).duplicate).toBe(true);
    await expectBalance(u, '0.00', t);
  });

  it('reverses a credit (also after expiry): debit points at the credit, balance may go negative', async () => {
    const { tracker, user, harness, clock, expectBalance } = ctx();
    const t = tracker({ clickTtlSeconds: 60 });
    const u = user();
    const { clickId } = await click(t, u);
    const credited = await postback(t, clickId, { amount: '30.00', conversionId: 'c1' });
    clock.advanceSeconds(3600);
    const reversed = await postback(t, clickId, { status: 'chargeback', conversionId: 'c1' });
    expect(reversed).toMatchObject({ earningId: credited.earningId, status: 'cancelled', decision: 'reversed', amount: '30.00' });
    const replay = await postback(t, clickId, { status: 'chargeback', conversionId: 'c1' });
    expect(replay.duplicate).toBe(true);
    expect((await postback(t, clickId, { status: 'reversed', conversionId: 'c1' })).duplicate).toBe(true);
    const entries = await harness.raw.ledgerEntries(u);
    const credit = entries.find((e) => e.kind === 'credit');
    const debit = entries.find((e) => e.kind === 'debit');
    expect(entries).toHaveLength(2);
    expect(debit).toMatchObject({ amountMinor: -3000n, reversesKey: credit?.key, earningId: credited.earningId });
    await expectBalance(u, '0.00', t);
    // A reversal can leave a balance negative: spend first (a host debit), then reverse.
    const v = user();
    const second = await click(t, v);
    await postback(t, second.clickId, { amount: '5.00', conversionId: 'x' });
    await harness.storage.wallet.apply({
      key: `spend-${v}`, userId: v, kind: 'manual_debit', amountMinor: -500n, earningId: null, reversesKey: null, reason: 'payout', createdAt: clock.now(),
    });
    await postback(t, second.clickId, { status: 'reversed', conversionId: 'x' });
    await expectBalance(v, '-5.00', t);
  });

  it('records a reversal that comes before its credit, so the late credit nets to zero', async () => {
    const { tracker, user, harness, expectBalance } = ctx();
    const t = tracker();
    const u = user();
    const { clickId } = await click(t, u);
    const early = await postback(t, clickId, { status: 'reversed', amount: '40.00', conversionId: 'c1' });
    expect(early).toMatchObject({ status: 'cancelled', decision: 'pre_reversed' });
    const late = await postback(t, clickId, { status: 'completed', amount: '40.00', conversionId: 'c1' });
    expect(late).toMatchObject({ earningId: early.earningId, status: 'cancelled', decision: 'netted', duplicate: false });
    const again = await postback(t, clickId, { status: 'completed', amount: '40.00', conversionId: 'c1' });
    expect(again.duplicate).toBe(true);
    const kinds = (await harness.raw.ledgerEntries(u)).map((e) => e.kind).sort();
    expect(kinds).toEqual(['credit', 'debit']);
    await expectBalance(u, '0.00', t);
  });

  it('refuses malformed postbacks with VALIDATION_ERROR, audits them, credits nothing', async () => {
    const { tracker, user, harness, expectBalance } = ctx();
    const t = tracker();
    const u = user();
    const { clickId } = await click(t, u);
    for (const amount of ['-1', 'abc', '1.234', 'NaN', 'Infinity', '1e5', '99999999999999999999', -5]) {
      await expect(postback(t, clickId, { amount, conversionId: 'c' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR', status: 400 });
    }
    await expect(postback(t, clickId, { status: 'teleported', conversionId: 'c' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(postback(t, 'not-a-uuid', { conversionId: 'c' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(t.handlePostback({ query: { click_id: { $ne: 'x' } } })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(t.handlePostback({ query: { click_id: [clickId, clickId] } })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(await harness.raw.earningsOfClick(clickId)).toHaveLength(0);
    const decisions = (await t.listPostbackAttempts(clickId)).map((a) => a.decision);
    expect(decisions.filter((d) => d === 'invalid_amount')).toHaveLength(8);
    expect(decisions).toContain('invalid_input');
    await expectBalance(u, '0.00', t);
  });

  it('keeps an audit row with raw data and decision for every attempt', async () => {
    const { tracker, user } = ctx();
    const t = tracker();
    const { clickId } = await click(t, user());
    await postback(t, clickId, { amount: '1.00', conversionId: 'c1', extra: 'kept' });
    await postback(t, clickId, { amount: '1.00', conversionId: 'c1' });
    await postback(t, clickId, { amount: '1.00', conversionId: 'c2' }).catch(() => undefined);
    const attempts = await t.listPostbackAttempts(clickId);
    expect(attempts.map((a) => a.decision)).toEqual(['credited', 'duplicate', 'conflict']);
    expect(attempts[0]).toMatchObject({ clickId, conversionId: 'c1', postbackStatus: 'completed', amount: '1.00', sourceIp: '203.0.113.7' });
    expect(attempts[0]!.rawData).toMatchObject({ click_id: clickId, extra: 'kept' });
    expect(attempts[0]!.earningId).toBeTruthy();
  });

  it('uses transactionId, then the click id, as the conversion id when none is sent', async () => {
    const { tracker, user } = ctx();
    const t = tracker();
    const a = await click(t, user());
    expect((await postback(t, a.clickId, { transactionId: 'tx-9' })).conversionId).toBe('tx-9');
    const b = await click(t, user());
    expect((await postback(t, b.clickId, {})).conversionId).toBe(b.clickId);
    expect((await postback(t, b.clickId, {})).duplicate).toBe(true);
  });
};
