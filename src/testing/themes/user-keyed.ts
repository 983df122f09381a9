/**
 * Conformance: user-keyed conversions (offerwalls) — the callback names a user and a network
 * transaction; the store creates the virtual click in the same atomic step. Checked against the
 * stored click, earnings, ledger and audit rows.
 * @module
 */
import { v4 as uuidv4 } from 'uuid';
import { USER_KEYED_EXPIRES_AT, userKeyedClick, userKeyedClickId } from 'clickcredit';
import { TEST_NETWORK, applyThroughStore, postback, userKeyed, userKeyedCommand, type Theme } from '../context.js';

/** User-keyed: credit once by (network, transaction), referral, holds, reversals early and late, races. */
export const userKeyedTheme: Theme = ({ it, expect }, ctx) => {
  it('credits the named user once per (network, transaction id) and stores the virtual click', async () => {
    const context = ctx();
    const { user, harness, expectBalance, tracker } = context;
    const t = tracker();
    const u = user();
    const referrer = user('referrer');
    const txn = `txn-${uuidv4()}`;
    const first = await userKeyed(context, { transactionId: txn, userId: u, amount: '30.00', referrerId: referrer, offerId: 'offer-7' });
    expect(first.decision).toBe('credited');
    expect(first.earning).toMatchObject({ userId: u, conversionId: txn, transactionId: txn, amountMinor: 3000n, commissionMinor: 300n, credited: true });
    const again = await userKeyed(context, { transactionId: txn, userId: u, amount: '30.00', referrerId: referrer });
    expect(again.decision).toBe('duplicate');
    expect(again.earning?.earningId).toBe(first.earning?.earningId);

    const clickId = userKeyedClickId(TEST_NETWORK, txn);
    const stored = await harness.raw.clickOf(clickId);
    expect(stored).toMatchObject({
      clickId,
      userId: u,
      productId: `network:${TEST_NETWORK}`,
      offerId: 'offer-7',
      network: TEST_NETWORK,
      networkTransactionId: txn,
      goals: null,
      status: 'converted',
      conversionId: txn,
      earnUpToMinor: 10000n,
      referrerId: referrer,
      commissionPpm: 100_000,
      holdWithinSeconds: null,
      taskUrl: '',
      postbackUrl: '',
    });
    expect(stored!.expiresAt.getTime()).toBe(USER_KEYED_EXPIRES_AT.getTime());
    expect(await harness.raw.earningsOfClick(clickId)).toHaveLength(1);
    expect((await harness.raw.ledgerEntries(u)).map((e) => [e.kind, e.amountMinor])).toEqual([['credit', 3000n]]);
    await expectBalance(u, '30.00', t);
    await expectBalance(referrer, '3.00', t);
    const attempts = await harness.storage.listPostbackAttempts(clickId);
    expect(attempts.map((a) => [a.decision, a.rule ?? null, a.conversionId])).toEqual([['credited', null, txn], ['duplicate', null, txn]]);
    expect(attempts[0]).toMatchObject({ earningId: first.earning!.earningId, amount: '30.00', sourceIp: '203.0.113.9' });
  });

  it('keeps transactions apart: per transaction id, per network, and caps each at the network maximum', async () => {
    const context = ctx();
    const { user, expectBalance, harness } = context;
    const u = user();
    const txn = `txn-${uuidv4()}`;
    const a = await userKeyed(context, { transactionId: txn, userId: u, amount: '1.00' });
    const b = await userKeyed(context, { transactionId: `${txn}-2`, userId: u, amount: '2.00' });
    const other = await userKeyed(context, { network: 'other-wall', transactionId: txn, userId: u, amount: '4.00' });
    const capped = await userKeyed(context, { transactionId: `${txn}-3`, userId: u, amount: '250.00', maximum: '20.00' });
    expect([a, b, other, capped].map((o) => o.decision)).toEqual(['credited', 'credited', 'credited', 'credited']);
    expect(new Set([a, b, other, capped].map((o) => o.earning!.earningId)).size).toBe(4);
    expect(capped.earning!.amountMinor).toBe(2000n);
    expect(userKeyedClickId('other-wall', txn)).not.toBe(userKeyedClickId(TEST_NETWORK, txn));
    expect((await harness.raw.ledgerEntries(u)).filter((e) => e.kind === 'credit')).toHaveLength(4);
    await expectBalance(u, '27.00');
  });

  it('refuses a known transaction id for another user (conflict, nothing moves)', async () => {
    const context = ctx();
    const { user, expectBalance, harness } = context;
    const u = user();
    const intruder = user('intruder');
    const txn = `txn-${uuidv4()}`;
    await userKeyed(context, { transactionId: txn, userId: u, amount: '5.00' });
    const stolen = await userKeyed(context, { transactionId: txn, userId: intruder, amount: '5.00' });
    expect(stolen).toMatchObject({ decision: 'conflict', earning: null });
    const reversal = await userKeyed(context, { transactionId: txn, userId: intruder, amount: '5.00', action: 'reverse' });
    expect(reversal.decision).toBe('conflict');
    await expectBalance(u, '5.00');
    await expectBalance(intruder, '0.00');
    expect((await harness.raw.clickOf(userKeyedClickId(TEST_NETWORK, txn)))!.userId).toBe(u);
  });

  it('holds by the configured threshold; approval credits once with the referral commission', async () => {
    const context = ctx();
    const { user, expectBalance, harness } = context;
    const u = user();
    const referrer = user('referrer');
    const txn = `txn-${uuidv4()}`;
    const held = await userKeyed(context, { transactionId: txn, userId: u, amount: '40.00', holdAbove: '25.00', referrerId: referrer });
    expect(held.decision).toBe('held');
    expect(held.earning).toMatchObject({ status: 'completed', approvalStatus: 'pending', credited: false });
    await expectBalance(u, '0.00');
    const ledger = harness.storage.supportsInlineLedger ? 'inline' : 'outbox';
    const approved = await harness.storage.decideApproval({ earningId: held.earning!.earningId, approve: true, now: context.clock.now(), ledger });
    for (const op of approved.owed) {
      await harness.storage.wallet.apply(op);
      await harness.storage.settleOwedOperation(op.key, context.clock.now());
    }
    expect(approved.decision).toBe('applied');
    await expectBalance(u, '40.00');
    await expectBalance(referrer, '4.00');
  });

  it('a reversal by the same transaction id long after the credit debits the user and the referrer once', async () => {
    const context = ctx();
    const { user, expectBalance, harness, clock } = context;
    const u = user();
    const referrer = user('referrer');
    const txn = `txn-${uuidv4()}`;
    await userKeyed(context, { transactionId: txn, userId: u, amount: '12.00', referrerId: referrer });
    clock.advanceSeconds(400 * 86_400);
    const reversed = await userKeyed(context, { transactionId: txn, userId: u, amount: '12.00', action: 'reverse', referrerId: referrer });
    expect(reversed.decision).toBe('reversed');
    expect(reversed.earning).toMatchObject({ status: 'cancelled', cancelReason: 'reversed' });
    const replay = await userKeyed(context, { transactionId: txn, userId: u, amount: '12.00', action: 'reverse', referrerId: referrer });
    expect(replay.decision).toBe('duplicate');
    const entries = await harness.raw.ledgerEntries(u);
    expect(entries.map((e) => [e.kind, e.amountMinor])).toEqual([['credit', 1200n], ['debit', -1200n]]);
    expect(entries[1]!.reversesKey).toBe(entries[0]!.key);
    await expectBalance(u, '0.00');
    await expectBalance(referrer, '0.00');
  });

  it('a reversal before its credit creates the virtual click pre-reversed; the late credit nets to zero', async () => {
    const context = ctx();
    const { user, expectBalance, harness } = context;
    const u = user();
    const referrer = user('referrer');
    const txn = `txn-${uuidv4()}`;
    const early = await userKeyed(context, { transactionId: txn, userId: u, amount: '9.00', action: 'reverse', referrerId: referrer });
    expect(early.decision).toBe('pre_reversed');
    expect(early.earning).toMatchObject({ userId: u, status: 'cancelled', reversedBeforeCredit: true, credited: false });
    const stored = await harness.raw.clickOf(userKeyedClickId(TEST_NETWORK, txn));
    expect(stored).toMatchObject({ network: TEST_NETWORK, networkTransactionId: txn, userId: u });
    await expectBalance(u, '0.00');
    const late = await userKeyed(context, { transactionId: txn, userId: u, amount: '9.00', referrerId: referrer });
    expect(late.decision).toBe('netted');
    expect(late.earning).toMatchObject({ credited: true, reversedBeforeCredit: false, status: 'cancelled' });
    expect((await userKeyed(context, { transactionId: txn, userId: u, amount: '9.00', referrerId: referrer })).decision).toBe('duplicate');
    expect((await harness.raw.ledgerEntries(u)).map((e) => e.kind).sort()).toEqual(['credit', 'debit']);
    expect((await harness.raw.ledgerEntries(referrer)).map((e) => e.kind).sort()).toEqual(['referral_credit', 'referral_debit']);
    await expectBalance(u, '0.00');
    await expectBalance(referrer, '0.00');
  });

  it('records a pending conversion, then credits it with the final amount', async () => {
    const context = ctx();
    const { user, expectBalance } = context;
    const u = user();
    const txn = `txn-${uuidv4()}`;
    const pending = await userKeyed(context, { transactionId: txn, userId: u, amount: '3.00', action: 'pending' });
    expect(pending.decision).toBe('recorded_pending');
    await expectBalance(u, '0.00');
    const credited = await userKeyed(context, { transactionId: txn, userId: u, amount: '3.50' });
    expect(credited).toMatchObject({ decision: 'credited', earning: { amountMinor: 350n } });
    await expectBalance(u, '3.50');
  });

  it('(network, transaction id) is unique in the store: a second click for the pair is a conflict', async () => {
    const context = ctx();
    const { user, harness } = context;
    const u = user();
    const txn = `txn-${uuidv4()}`;
    await userKeyed(context, { transactionId: txn, userId: u, amount: '1.00' });
    const impostor = {
      ...userKeyedClick({
        network: TEST_NETWORK, transactionId: txn, userId: u, offerId: null, earnUpToMinor: 100n, referrerId: null,
        commissionPpm: 0, holdAboveMinor: null, ipAddress: null, now: context.clock.now(),
      }),
      clickId: uuidv4(),
    };
    await expect(harness.storage.insertClick(impostor)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await harness.raw.clickOf(impostor.clickId)).toBeNull();
    // The same through a conversion step: the pair is taken, so the step is a conflict and inserts nothing.
    const command = userKeyedCommand(context, { transactionId: txn, userId: u, amount: '1.00' });
    const step = await applyThroughStore(context, { ...command, clickId: impostor.clickId, clickIfAbsent: impostor });
    expect(step).toMatchObject({ decision: 'conflict', earning: null });
    expect(await harness.raw.clickOf(impostor.clickId)).toBeNull();
    expect((await harness.storage.listPostbackAttempts(impostor.clickId)).map((a) => a.decision)).toEqual(['conflict']);
    expect((await harness.raw.ledgerEntries(u)).filter((e) => e.kind === 'credit')).toHaveLength(1);
  });

  it('50 concurrent identical callbacks: one virtual click, one earning, one credit', async () => {
    const context = ctx();
    const { user, expectBalance, harness } = context;
    const u = user();
    const referrer = user('referrer');
    const txn = `txn-${uuidv4()}`;
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, () => userKeyed(context, { transactionId: txn, userId: u, amount: '7.00', referrerId: referrer })),
    );
    expect(outcomes.filter((o) => o.decision === 'credited')).toHaveLength(1);
    expect(outcomes.filter((o) => o.decision === 'duplicate')).toHaveLength(49);
    expect(new Set(outcomes.map((o) => o.earning?.earningId)).size).toBe(1);
    const clickId = userKeyedClickId(TEST_NETWORK, txn);
    expect(await harness.raw.earningsOfClick(clickId)).toHaveLength(1);
    expect((await harness.raw.ledgerEntries(u)).filter((e) => e.kind === 'credit')).toHaveLength(1);
    expect(await harness.storage.listPostbackAttempts(clickId)).toHaveLength(50);
    await expectBalance(u, '7.00');
    await expectBalance(referrer, '0.70');
  });

  it('a reversal racing its credit (and their replays) ends at zero with one credit and one debit', async () => {
    const context = ctx();
    const { user, expectBalance, harness } = context;
    const u = user();
    const txns = Array.from({ length: 10 }, () => `txn-${uuidv4()}`);
    await Promise.all(txns.flatMap((txn) => Array.from({ length: 6 }, (_, i) =>
      userKeyed(context, { transactionId: txn, userId: u, amount: '2.00', action: i % 2 === 0 ? 'credit' : 'reverse' }),
    )));
    for (const txn of txns) {
      const [earning] = await harness.raw.earningsOfClick(userKeyedClickId(TEST_NETWORK, txn));
      expect(earning).toMatchObject({ status: 'cancelled', credited: true, reversedBeforeCredit: false });
    }
    const entries = await harness.raw.ledgerEntries(u);
    expect(entries.filter((e) => e.kind === 'credit')).toHaveLength(10);
    expect(entries.filter((e) => e.kind === 'debit')).toHaveLength(10);
    await expectBalance(u, '0.00');
  });

  it('the generic postback cannot reach a virtual click: NOT_FOUND, audited, nothing moves', async () => {
    const context = ctx();
    const { user, harness, expectBalance, tracker } = context;
    const t = tracker();
    const u = user();
    const txn = `txn-${uuidv4()}`;
    await userKeyed(context, { transactionId: txn, userId: u, amount: '6.00' });
    const clickId = userKeyedClickId(TEST_NETWORK, txn);
    await expect(postback(t, clickId, { status: 'reversed', conversionId: txn })).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
    await expect(postback(t, clickId, { amount: '50.00', conversionId: 'other' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const decisions = (await harness.storage.listPostbackAttempts(clickId)).map((a) => a.decision);
    expect(decisions).toEqual(['credited', 'unknown_click', 'unknown_click']);
    expect(await harness.raw.earningsOfClick(clickId)).toHaveLength(1);
    await expectBalance(u, '6.00', t);
  });

  it('a command without clickIfAbsent for an unknown virtual click is unknown_click, and nothing is inserted', async () => {
    const context = ctx();
    const { user, harness } = context;
    const command = { ...userKeyedCommand(context, { transactionId: `txn-${uuidv4()}`, userId: user(), amount: '1.00' }), clickIfAbsent: null };
    const outcome = await applyThroughStore(context, command);
    expect(outcome).toMatchObject({ decision: 'unknown_click', earning: null });
    expect(await harness.raw.clickOf(command.clickId)).toBeNull();
  });
};
