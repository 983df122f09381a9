/**
 * Conformance: goals — a product may allow several conversions per click, each its own earning
 * paid once; the default stays one conversion per click.
 * @module
 */
import { click, postback, type Theme } from '../context.js';

/** Goals: a goal list, any conversion id, reject of one goal, expiry, the default, races. */
export const goalsTheme: Theme = ({ it, expect }, ctx) => {
  it('pays each listed goal once, refuses an unlisted one, and snapshots the goals on the click', async () => {
    const { tracker, user, harness, expectBalance } = ctx();
    const t = tracker();
    const u = user();
    const { clickId } = await click(t, u, 'prod-goal-list');
    expect((await harness.raw.clickOf(clickId))!.goals).toEqual(['install', 'level_10', 'purchase']);
    const install = await postback(t, clickId, { goal: 'install', amount: '1.00' });
    expect(install).toMatchObject({ conversionId: 'goal:install', decision: 'credited', amount: '1.00' });
    const level = await postback(t, clickId, { goal: 'level_10', amount: '2.50', transactionId: 'lvl-txn' });
    expect(level).toMatchObject({ conversionId: 'goal:level_10', decision: 'credited' });
    const replay = await postback(t, clickId, { goal: 'install', amount: '1.00', transactionId: 'another-txn' });
    expect(replay).toMatchObject({ duplicate: true, decision: 'duplicate', earningId: install.earningId });
    await expect(postback(t, clickId, { goal: 'signup', amount: '1.00' })).rejects.toMatchObject({ code: 'CONFLICT', status: 409 });
    await expect(postback(t, clickId, { conversionId: 'free-form', amount: '1.00' })).rejects.toMatchObject({ code: 'CONFLICT' });
    const capped = await postback(t, clickId, { goal: 'purchase', amount: '99.00' });
    expect(capped.amount).toBe('10.00');
    const earnings = await harness.raw.earningsOfClick(clickId);
    expect(earnings.map((e) => e.conversionId).sort()).toEqual(['goal:install', 'goal:level_10', 'goal:purchase']);
    expect((await harness.raw.ledgerEntries(u)).filter((e) => e.kind === 'credit')).toHaveLength(3);
    await expectBalance(u, '13.50', t);
    expect(await harness.raw.clickOf(clickId)).toMatchObject({ status: 'converted', conversionId: 'goal:install', goals: ['install', 'level_10', 'purchase'] });
    const decisions = (await t.listPostbackAttempts(clickId)).map((a) => a.decision);
    expect(decisions).toEqual(['credited', 'credited', 'duplicate', 'conflict', 'conflict', 'credited']);
  });

  it('goals: true accepts any conversion ids, each paid once', async () => {
    const { tracker, user, harness, expectBalance } = ctx();
    const t = tracker();
    const u = user();
    const { clickId } = await click(t, u, 'prod-goals');
    expect((await harness.raw.clickOf(clickId))!.goals).toBe(true);
    for (const conversionId of ['a', 'b', 'c']) {
      expect((await postback(t, clickId, { conversionId, amount: '2.00' })).decision).toBe('credited');
      expect((await postback(t, clickId, { conversionId, amount: '2.00' })).decision).toBe('duplicate');
    }
    expect(await harness.raw.earningsOfClick(clickId)).toHaveLength(3);
    await expectBalance(u, '6.00', t);
  });

  it('the default product keeps one conversion per click: a second conversion id is a conflict', async () => {
    const { tracker, user, harness, expectBalance } = ctx();
    const t = tracker();
    const u = user();
    const { clickId } = await click(t, u);
    expect((await harness.raw.clickOf(clickId))!.goals).toBeNull();
    await postback(t, clickId, { goal: 'install', amount: '1.00' });
    await expect(postback(t, clickId, { goal: 'purchase', amount: '1.00' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await harness.raw.earningsOfClick(clickId)).toHaveLength(1);
    await expectBalance(u, '1.00', t);
  });

  it('a reject cancels only its goal; the click stays open for the others', async () => {
    const { tracker, user, harness, expectBalance } = ctx();
    const t = tracker();
    const u = user();
    const { clickId } = await click(t, u, 'prod-goal-list');
    await postback(t, clickId, { goal: 'install', amount: '1.00' });
    const rejected = await postback(t, clickId, { goal: 'level_10', status: 'rejected', amount: '2.00' });
    expect(rejected).toMatchObject({ decision: 'rejected', status: 'cancelled' });
    // A later reject of a paid goal reverses it, and still leaves the click open.
    const reversed = await postback(t, clickId, { goal: 'install', status: 'rejected' });
    expect(reversed.decision).toBe('reversed');
    expect((await postback(t, clickId, { goal: 'purchase', amount: '4.00' })).decision).toBe('credited');
    await expect(postback(t, clickId, { goal: 'level_10', amount: '2.00' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await harness.raw.clickOf(clickId))!.status).toBe('converted');
    await expectBalance(u, '4.00', t);
  });

  it('a new goal after the click window is CLICK_EXPIRED; a known goal can still be reversed', async () => {
    const { tracker, user, clock, harness, expectBalance } = ctx();
    const t = tracker({ clickTtlSeconds: 60 });
    const u = user();
    const { clickId } = await click(t, u, 'prod-goal-list');
    await postback(t, clickId, { goal: 'install', amount: '3.00' });
    clock.advanceSeconds(61);
    await expect(postback(t, clickId, { goal: 'purchase', amount: '3.00' })).rejects.toMatchObject({ code: 'CLICK_EXPIRED', status: 410 });
    expect((await harness.raw.clickOf(clickId))!.status).toBe('converted');
    expect((await postback(t, clickId, { goal: 'install', status: 'reversed' })).decision).toBe('reversed');
    await expectBalance(u, '0.00', t);
  });

  it('refuses a postback naming both a goal and a conversion id (400, audited)', async () => {
    const { tracker, user, harness } = ctx();
    const t = tracker();
    const { clickId } = await click(t, user(), 'prod-goal-list');
    await expect(postback(t, clickId, { goal: 'install', conversionId: 'x', amount: '1.00' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR', status: 400 });
    expect((await t.listPostbackAttempts(clickId)).map((a) => a.decision)).toEqual(['invalid_input']);
    // An attempt refused before the store step has no rule, and the store says so (null, not absent).
    expect((await harness.storage.listPostbackAttempts(clickId)).map((a) => a.rule)).toEqual([null]);
    expect(await harness.raw.earningsOfClick(clickId)).toHaveLength(0);
  });

  it('concurrent postbacks of several goals on one click: one earning and one credit per goal', async () => {
    const { tracker, user, harness, expectBalance } = ctx();
    const t = tracker();
    const u = user();
    const { clickId } = await click(t, u, 'prod-goal-list');
    const goals = ['install', 'level_10', 'purchase'];
    const results = await Promise.all(goals.flatMap((goal) => Array.from({ length: 8 }, () => postback(t, clickId, { goal, amount: '1.25' }))));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(3);
    expect(await harness.raw.earningsOfClick(clickId)).toHaveLength(3);
    expect((await harness.raw.ledgerEntries(u)).filter((e) => e.kind === 'credit')).toHaveLength(3);
    await expectBalance(u, '3.75', t);
  });
};
