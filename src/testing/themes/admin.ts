/**
 * Conformance: the admin queries — lists across users (filters, newest first, keyset pages),
 * earning detail, approve/reject, ledger statements, adjustments and statistics — checked
 * against the stored data through the raw reads.
 * @module
 */
import { v4 as uuidv4 } from 'uuid';
import type { ClickTracker, Product } from 'clickcredit';
import { click, postback, PRODUCTS, toMinor, userKeyed, type SuiteContext, type Theme } from '../context.js';

/** A catalog with the suite's products plus per-test ones: `review-*` (held always), `stats-*` (plain). */
function catalog(extra: Record<string, Product> = {}) {
  return {
    getProduct: (id: string): Product | null =>
      extra[id] ?? PRODUCTS[id] ?? (id.startsWith('review-') ? { productId: id, earnUpTo: '100.00', active: true, hold: 'always' } : null),
  };
}

/** Every page of a list, following `nextCursor`. */
async function allPages<T>(read: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    pages.push(page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && pages.length < 100);
  return pages;
}

function randomIp(): string {
  const n = () => Math.floor(Math.random() * 250) + 1;
  return `10.${n()}.${n()}.${n()}`;
}

function sendFrom(t: ClickTracker, ip: string, query: Record<string, string>, body: Record<string, unknown> = {}) {
  return t.handlePostback({ query, body, sourceIp: ip, method: 'POST' }).catch((error: unknown) => error);
}

/** Admin: queries, decisions, statements, adjustments, statistics. */
export const adminTheme: Theme = ({ it, expect }, ctx) => {
  it('lists postback attempts across clicks, refused ones without a click id included, newest first in keyset pages', async () => {
    const { tracker, user, clock } = ctx();
    const t = tracker();
    const ip = randomIp();
    const u = user();
    const first = await click(t, u);
    clock.advanceSeconds(1);
    await sendFrom(t, ip, { click_id: first.clickId }, { amount: '1.00', conversionId: 'c1' });
    clock.advanceSeconds(1);
    await sendFrom(t, ip, {}, { amount: '1.00' }); // no click id at all: refused before any click is known
    clock.advanceSeconds(1);
    await sendFrom(t, ip, { click_id: 'not-a-uuid' }, {});
    clock.advanceSeconds(1);
    await sendFrom(t, ip, { click_id: uuidv4() }, { amount: '1.00' }); // unknown click
    clock.advanceSeconds(1);
    await sendFrom(t, ip, { click_id: first.clickId }, { amount: '1.00', conversionId: 'c1' }); // replay

    const listed = await t.admin.listPostbacks({ sourceIp: ip });
    expect(listed.items.map((a) => a.decision)).toEqual(['duplicate', 'unknown_click', 'invalid_input', 'invalid_input', 'credited']);
    expect(listed.items.filter((a) => a.clickId === null)).toHaveLength(1);
    const times = listed.items.map((a) => Date.parse(a.receivedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const pages = await allPages((cursor) => t.admin.listPostbacks({ sourceIp: ip, limit: 2, cursor }));
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat().map((a) => a.attemptId)).toEqual(listed.items.map((a) => a.attemptId));

    expect((await t.admin.listPostbacks({ sourceIp: ip, decision: 'invalid_input' })).items).toHaveLength(2);
    expect((await t.admin.listPostbacks({ userId: u })).items.map((a) => a.decision)).toEqual(['duplicate', 'credited']);
    expect((await t.admin.listPostbacks({ clickId: first.clickId, decision: 'credited' })).items).toHaveLength(1);
    expect((await t.admin.listPostbacks({ conversionId: 'c1', sourceIp: ip })).items).toHaveLength(2);
    const middle = listed.items[2]!;
    const ranged = await t.admin.listPostbacks({ sourceIp: ip, from: middle.receivedAt, to: new Date(Date.parse(listed.items[0]!.receivedAt)) });
    expect(ranged.items.map((a) => a.attemptId)).toEqual(listed.items.slice(1, 3).map((a) => a.attemptId));
  });

  it('lists earnings by approval status, status, user and product: the hold queue of a review product', async () => {
    const { tracker, user, harness, clock } = ctx();
    const review = `review-${uuidv4()}`;
    const t = tracker({ products: catalog() });
    const u = user();
    const held: string[] = [];
    for (const conversionId of ['a', 'b', 'c']) {
      const { clickId } = await click(t, u, review);
      clock.advanceSeconds(1);
      const result = await postback(t, clickId, { amount: '7.00', conversionId });
      expect(result).toMatchObject({ decision: 'held', approvalStatus: 'pending', status: 'completed' });
      held.push(result.earningId);
    }
    clock.advanceSeconds(1);
    const paid = await postback(t, (await click(t, u)).clickId, { amount: '1.00', conversionId: 'p' });
    const queue = await t.admin.listEarnings({ approvalStatus: 'pending', status: 'completed', productId: review });
    expect(queue.items.map((e) => e.earningId)).toEqual([...held].reverse());
    expect(queue.items.every((e) => e.credited === false)).toBe(true);
    const mine = await t.admin.listEarnings({ userId: u });
    expect(mine.items.map((e) => e.earningId)).toEqual([paid.earningId, ...[...held].reverse()]);
    const pages = await allPages((cursor) => t.admin.listEarnings({ userId: u, limit: 3, cursor }));
    expect(pages.map((p) => p.length)).toEqual([3, 1]);
    expect((await t.admin.listEarnings({ userId: u, approvalStatus: 'auto_approved' })).items.map((e) => e.earningId)).toEqual([paid.earningId]);
    // What the list says is what is stored.
    for (const earning of queue.items) {
      expect((await harness.raw.earningsOfClick(earning.clickId))[0]).toMatchObject({ earningId: earning.earningId, approvalStatus: 'pending', credited: false });
    }
  });

  it('shows one earning with its click and every attempt that touched it', async () => {
    const { tracker, user } = ctx();
    const t = tracker();
    const u = user();
    const { clickId } = await click(t, u);
    const credited = await postback(t, clickId, { amount: '4.00', conversionId: 'x' });
    await postback(t, clickId, { amount: '4.00', conversionId: 'x' });
    await postback(t, clickId, { status: 'reversed', conversionId: 'x' });
    const detail = await t.admin.getEarningDetail(credited.earningId);
    expect(detail.earning).toMatchObject({ earningId: credited.earningId, status: 'cancelled', cancelReason: 'reversed' });
    expect(detail.click).toMatchObject({ clickId, userId: u, network: null, holdEveryConversion: false });
    expect(detail.attempts.map((a) => a.decision)).toEqual(['credited', 'duplicate', 'reversed']);
    await expect(t.admin.getEarningDetail('no-such-earning')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('approves and rejects held earnings: applied once, unchanged again, the other decision a conflict', async () => {
    const { tracker, user, expectBalance } = ctx();
    const t = tracker({ products: catalog() });
    const u = user();
    const review = `review-${uuidv4()}`;
    const a = await postback(t, (await click(t, u, review)).clickId, { amount: '30.00', conversionId: 'a' });
    const b = await postback(t, (await click(t, u, review)).clickId, { amount: '20.00', conversionId: 'b' });
    expect(await t.admin.approve(a.earningId)).toMatchObject({ outcome: 'applied', earning: { approvalStatus: 'manual_approved', credited: true } });
    expect(await t.admin.approve(a.earningId)).toMatchObject({ outcome: 'unchanged' });
    await expect(t.admin.reject(a.earningId)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await t.admin.reject(b.earningId)).toMatchObject({ outcome: 'applied', earning: { status: 'cancelled', cancelReason: 'approval_rejected' } });
    expect(await t.admin.reject(b.earningId)).toMatchObject({ outcome: 'unchanged' });
    await expect(t.admin.approve(b.earningId)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(t.admin.approve('no-such-earning')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expectBalance(u, '30.00', t);
    expect((await t.admin.listEarnings({ userId: u, approvalStatus: 'pending' })).items).toHaveLength(0);
  });

  it('adjusts a wallet exactly once per key, refuses a debit that would overdraw unless allowed', async () => {
    const { tracker, user, harness, expectBalance } = ctx();
    const t = tracker();
    const u = user();
    const credit = await t.admin.adjust({ userId: u, amount: '10.00', direction: 'credit', reason: 'goodwill', key: 'k1' });
    expect(credit).toEqual({ userId: u, key: 'k1', direction: 'credit', amount: '10.00', balance: '10.00', duplicate: false });
    expect(await t.admin.adjust({ userId: u, amount: '10.00', direction: 'credit', reason: 'goodwill', key: 'k1' })).toMatchObject({ duplicate: true, balance: '10.00' });
    await expect(t.admin.adjust({ userId: u, amount: '11.00', direction: 'credit', reason: 'goodwill', key: 'k1' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(t.admin.adjust({ userId: u, amount: '10.01', direction: 'debit', reason: 'payout', key: 'k2' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expectBalance(u, '10.00', t);
    expect(await t.admin.adjust({ userId: u, amount: '4.00', direction: 'debit', reason: 'payout', key: 'k3' })).toMatchObject({ balance: '6.00', duplicate: false });
    // A retry of an applied debit is a duplicate even though the balance could not pay it twice.
    expect(await t.admin.adjust({ userId: u, amount: '4.00', direction: 'debit', reason: 'payout', key: 'k3' })).toMatchObject({ balance: '6.00', duplicate: true });
    expect(await t.admin.adjust({ userId: u, amount: '8.00', direction: 'debit', reason: 'fraud', key: 'k4', allowOverdraft: true })).toMatchObject({ balance: '-2.00' });
    await expectBalance(u, '-2.00', t);
    const entries = await harness.raw.ledgerEntries(u);
    expect(entries.map((e) => [e.kind, e.amountMinor, e.reason])).toEqual([
      ['manual_credit', 1000n, 'goodwill'], ['manual_debit', -400n, 'payout'], ['manual_debit', -800n, 'fraud'],
    ]);
    await expect(t.admin.adjust({ userId: u, amount: '0', direction: 'credit', reason: 'x', key: 'k5' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(t.admin.adjust({ userId: u, amount: '-1', direction: 'credit', reason: 'x', key: 'k6' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('never overdraws a wallet under concurrent debits', async () => {
    const { tracker, user, harness, expectBalance } = ctx();
    const t = tracker();
    const u = user();
    await t.admin.adjust({ userId: u, amount: '10.00', direction: 'credit', reason: 'seed', key: 'seed' });
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => t.admin.adjust({ userId: u, amount: '3.00', direction: 'debit', reason: 'race', key: `d${i}` })),
    );
    const applied = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(applied).toHaveLength(3);
    expect(refused.every((r) => (r as PromiseRejectedResult).reason?.code === 'CONFLICT')).toBe(true);
    await expectBalance(u, '1.00', t);
    expect((await harness.raw.ledgerEntries(u)).filter((e) => e.kind === 'manual_debit')).toHaveLength(3);
  }, 60_000);

  it('answers a ledger statement with the running balance after every entry, across pages', async () => {
    const { tracker, user, harness } = ctx();
    const t = tracker();
    const u = user();
    const amounts = ['5.00', '2.50', '0.10', '7.00', '1.25', '3.00', '0.05'];
    for (const [i, amount] of amounts.entries()) await t.creditWallet({ userId: u, amount, idempotencyKey: `s${i}` });
    await t.admin.adjust({ userId: u, amount: '4.00', direction: 'debit', reason: 'payout', key: 'out' });
    const pages = await allPages((cursor) => t.admin.ledgerStatement(u, { limit: 3, cursor }));
    expect(pages.map((p) => p.length)).toEqual([3, 3, 2]);
    const items = pages.flat();
    const raw = await harness.raw.ledgerEntries(u);
    let running = 0n;
    const expected = raw.map((e) => { running += e.amountMinor; return { key: e.key, balanceAfter: running }; }).reverse();
    expect(items.map((i) => ({ key: i.key, balanceAfter: toMinor(i.balanceAfter) }))).toEqual(expected);
    const statement = await t.admin.ledgerStatement(u);
    expect(statement.wallet).toEqual({ userId: u, balance: '14.90', currency: 'USD' });
    expect(statement.items[0]).toMatchObject({ kind: 'manual_debit', amount: '-4.00', balanceAfter: '14.90' });
    expect((await t.admin.ledgerStatement(user('empty'))).items).toEqual([]);
  });

  it('lists clicks by user, product and status', async () => {
    const { tracker, user, clock } = ctx();
    const t = tracker({ clickTtlSeconds: 60 });
    const u = user();
    const made: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      made.push((await click(t, u, i === 3 ? 'prod-big' : 'prod-50')).clickId);
      clock.advanceSeconds(1);
    }
    await postback(t, made[0]!, { amount: '1.00', conversionId: 'c' });
    expect((await t.admin.listClicks({ userId: u })).items.map((c) => c.clickId)).toEqual([...made].reverse());
    expect((await t.admin.listClicks({ userId: u, productId: 'prod-big' })).items.map((c) => c.clickId)).toEqual([made[3]]);
    expect((await t.admin.listClicks({ userId: u, status: 'converted' })).items.map((c) => c.clickId)).toEqual([made[0]]);
    const pages = await allPages((cursor) => t.admin.listClicks({ userId: u, limit: 3, cursor }));
    expect(pages.flat().map((c) => c.clickId)).toEqual([...made].reverse());
  });

  it('counts clicks, conversions, credited and reversed amounts, holds and refusals per bucket and product', async () => {
    const context: SuiteContext = ctx();
    const { tracker, user, clock } = context;
    const product = `stats-${uuidv4()}`;
    const review = `review-${uuidv4()}`;
    const t = tracker({ products: catalog({ [product]: { productId: product, earnUpTo: '50.00', active: true } }) });
    const u = user();
    const start = new Date(Math.floor(clock.now().getTime() / 3_600_000) * 3_600_000 + 3_600_000);
    clock.advanceSeconds((start.getTime() - clock.now().getTime()) / 1000 + 60);
    const a = await click(t, u, product);
    const b = await click(t, u, product);
    await click(t, u, product);
    await postback(t, a.clickId, { amount: '10.00', conversionId: 'a' });
    await postback(t, b.clickId, { amount: '2.50', conversionId: 'b' });
    await postback(t, b.clickId, { amount: '2.50', conversionId: 'other' }).catch(() => undefined); // conflict
    clock.advanceSeconds(3600);
    await postback(t, a.clickId, { status: 'reversed', conversionId: 'a' });
    await postback(t, (await click(t, u, review)).clickId, { amount: '5.00', conversionId: 'r' });
    const stats = await t.admin.stats({ from: start, to: new Date(start.getTime() + 2 * 3_600_000), bucket: 'hour', productId: product });
    expect(stats.rows).toEqual([
      { bucketStart: start.toISOString(), network: null, productId: product, clicks: 3, conversions: 2, creditedAmount: '12.50', reversedAmount: '0.00', held: 0, refused: { conflict: 1 } },
      { bucketStart: new Date(start.getTime() + 3_600_000).toISOString(), network: null, productId: product, clicks: 0, conversions: 0, creditedAmount: '0.00', reversedAmount: '10.00', held: 0, refused: {} },
    ]);
    const day = await t.admin.stats({ from: start, to: new Date(start.getTime() + 2 * 3_600_000), bucket: 'day', productId: review });
    expect(day.rows.map((r) => ({ clicks: r.clicks, conversions: r.conversions, held: r.held, credited: r.creditedAmount }))).toEqual([{ clicks: 1, conversions: 1, held: 1, credited: '0.00' }]);
  });

  it('filters attempts, earnings and statistics by the network of a user-keyed conversion', async () => {
    const context = ctx();
    const { tracker, user, clock } = context;
    const t = tracker();
    const u = user();
    const network = `wall-${uuidv4().slice(0, 8)}`;
    const from = clock.now();
    const txn = `txn-${uuidv4()}`;
    const outcome = await userKeyed(context, { network, transactionId: txn, userId: u, amount: '6.00' });
    expect(outcome.decision).toBe('credited');
    const attempts = await t.admin.listPostbacks({ network });
    expect(attempts.items.map((a) => [a.decision, a.conversionId])).toEqual([['credited', txn]]);
    expect((await t.admin.listPostbacks({ network, userId: u })).items).toHaveLength(1);
    expect((await t.admin.listEarnings({ network })).items.map((e) => e.earningId)).toEqual([outcome.earning!.earningId]);
    expect((await t.admin.listEarnings({ network, status: 'completed', userId: u })).items).toHaveLength(1);
    const stats = await t.admin.stats({ from, to: new Date(from.getTime() + 3_600_000), bucket: 'hour', network });
    expect(stats.rows.map((r) => [r.network, r.clicks, r.conversions, r.creditedAmount])).toEqual([[network, 1, 1, '6.00']]);
  });

  it('refuses bad admin input with VALIDATION_ERROR before reaching the store', async () => {
    const { tracker } = ctx();
    const t = tracker();
    const bad: Array<() => Promise<unknown>> = [
      () => t.admin.listPostbacks({ cursor: '%%%' }),
      () => t.admin.listPostbacks({ cursor: Buffer.from('x:y').toString('base64url') }),
      () => t.admin.listPostbacks({ decision: 'maybe' as never }),
      () => t.admin.listPostbacks({ limit: 1e9 }),
      () => t.admin.listEarnings({ limit: 0 }),
      () => t.admin.listEarnings({ from: '2026-02-01', to: '2026-01-01' }),
      () => t.admin.listEarnings({ approvalStatus: 'later' as never }),
      () => t.admin.listClicks({ status: 'gone' as never }),
      () => t.admin.listClicks({ from: 'yesterday' }),
      () => t.admin.ledgerStatement('u', { cursor: 'bad cursor' }),
      () => t.admin.stats({ from: '2026-01-02', to: '2026-01-01' }),
      () => t.admin.stats({ from: '2020-01-01', to: '2026-01-01', bucket: 'hour' }),
      () => t.admin.stats({ from: '2026-01-01', to: '2026-01-02', bucket: 'week' as never }),
      () => t.admin.adjust({ userId: 'u', amount: '1.00', direction: 'sideways' as never, reason: 'x', key: 'k' }),
    ];
    for (const call of bad) await expect(call()).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('holds leases: one owner at a time, renewable by its holder, free again after release or expiry', async () => {
    const { harness, clock } = ctx();
    const leases = harness.storage.leases;
    const name = `lease-${uuidv4()}`;
    const now = clock.now();
    const race = await Promise.all(['a', 'b', 'c', 'd'].map((owner) => leases.acquire(name, owner, 60_000, now)));
    expect(race.filter(Boolean)).toHaveLength(1);
    const winner = ['a', 'b', 'c', 'd'][race.indexOf(true)]!;
    const other = winner === 'a' ? 'b' : 'a';
    expect(await leases.acquire(name, winner, 60_000, now)).toBe(true);
    expect(await leases.acquire(name, other, 60_000, new Date(now.getTime() + 59_000))).toBe(false);
    await leases.release(name, other); // not the holder: nothing happens
    expect(await leases.acquire(name, other, 60_000, new Date(now.getTime() + 59_000))).toBe(false);
    await leases.release(name, winner);
    expect(await leases.acquire(name, other, 1_000, now)).toBe(true);
    expect(await leases.acquire(name, winner, 1_000, new Date(now.getTime() + 1_001))).toBe(true);
  });

  it('runs worker batches under the lease and stops after the batch in hand', async () => {
    const { tracker, user, clock, harness } = ctx();
    const t = tracker({ clickTtlSeconds: 1 });
    const made = await click(t, user());
    clock.advanceSeconds(5);
    const workers = t.startWorkers({ expireClicks: { intervalMs: 3_600_000 }, retryPendingCredits: { intervalMs: 3_600_000 } });
    expect(workers.jobs).toEqual(['expireClicks', 'retryPendingCredits']);
    const result = await workers.runOnce('expireClicks');
    expect(result?.count).toBeGreaterThanOrEqual(1);
    expect((await harness.storage.getClick(made.clickId))?.status).toBe('expired');
    // Another instance holding the lease keeps this one out.
    await harness.storage.leases.acquire('worker:retryPendingCredits', 'other-instance', 60_000, clock.now());
    expect(await workers.runOnce('retryPendingCredits')).toBeNull();
    await harness.storage.leases.release('worker:retryPendingCredits', 'other-instance');
    expect(await workers.runOnce('retryPendingCredits')).toMatchObject({ remaining: 0 });
    await workers.stop();
    await expect(workers.runOnce('expireClicks')).rejects.toThrow('stopped');
  });
};
