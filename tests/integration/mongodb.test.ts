/**
 * MongoDB: the full conformance suite on the server at MONGODB_URL, on both paths (transactions
 * when the server supports them, and the standalone path forced with `transactions: 'never'`),
 * plus the adapter's own crash-recovery and storage checks. Each harness gets a fresh database,
 * dropped at the end. Without MONGODB_URL everything here is skipped with one line.
 */
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickTracker, userKeyedClick, type ClickTracker } from 'clickcredit';
import { collectionNames, createMongoRawReads, createMongoStore, ensureIndexes, type MongoStore } from 'clickcredit/mongodb';
import { runConformanceSuite } from 'clickcredit/testing';
import { claimClick } from '../../adapters/mongodb/claim-click.js';
import { openCollections } from '../../adapters/mongodb/collections.js';
import { ledgerToDocument } from '../../adapters/mongodb/documents.js';
import { eventToDocument } from '../../adapters/mongodb/events.js';
import { eventOfAdjustment, eventOfConversion } from 'clickcredit/store';
import { planConversion } from '../../adapters/mongodb/plan.js';
import { uniqueSchema } from '../support/services.js';

const url = process.env.MONGODB_URL;
if (!url) console.info('[mongodb] MONGODB_URL not set: MongoDB conformance suite skipped (set it to a MongoDB 6.0+ server to run it)');

(url ? describe : describe.skip)('mongodb server', () => {
  const client = new MongoClient(url ?? 'mongodb://unused');
  const databases: string[] = [];

  async function freshDb(): Promise<Db> {
    const name = uniqueSchema('cc');
    databases.push(name);
    const db = client.db(name);
    await ensureIndexes(db);
    return db;
  }

  afterAll(async () => {
    for (const name of databases) await client.db(name).dropDatabase().catch(() => undefined);
    await client.close();
  });

  for (const transactions of ['auto', 'never'] as const) {
    runConformanceSuite({
      name: `mongodb (transactions: ${transactions})`,
      test: { describe, it, expect, beforeAll, afterAll },
      createHarness: async () => {
        const db = await freshDb();
        const store = await createMongoStore({ db, client, transactions });
        return { storage: store, raw: createMongoRawReads({ db }), cleanup: () => store.close() };
      },
    });
  }

  describe('mongodb (standalone path): crash recovery and storage', () => {
    let db: Db;
    let store: MongoStore;
    let tracker: ClickTracker;
    beforeAll(async () => {
      db = await freshDb();
      store = await createMongoStore({ db, client, transactions: 'never' });
      tracker = createClickTracker({
        storage: store,
        products: { getProduct: (id) => (id === 'p' ? { productId: 'p', earnUpTo: '50.00', active: true } : null) },
        publicUrl: 'https://api.example.test',
        allowUnverifiedPostbacks: true,
        logger: { info() {}, warn() {}, error() {} },
      });
    });

    it('creates the unique indexes', async () => {
      const names = collectionNames();
      const earnings = await db.collection(names.earnings).indexes();
      const ledger = await db.collection(names.ledger).indexes();
      expect(earnings.find((i) => i.name === 'one_earning_per_conversion')).toMatchObject({ unique: true, key: { clickId: 1, conversionId: 1 } });
      expect(ledger.find((i) => i.name === 'ledger_idempotency_key')).toMatchObject({ unique: true, key: { key: 1 } });
      const events = await db.collection(names.events).indexes();
      expect(events.find((i) => i.name === 'events_pending')).toMatchObject({ key: { createdAt: 1, order: 1 }, partialFilterExpression: { state: 'pending' } });
      expect(events.map((i) => i.name)).toEqual(expect.arrayContaining(['events_by_user', 'events_recent', 'events_by_state']));
      await ensureIndexes(db); // idempotent
    });

    it('finishes a postback whose process died right after claiming the click', async () => {
      const { clickId } = await tracker.createClick({ userId: 'crash-user', productId: 'p', taskUrl: 'https://advertiser.example/' });
      const c = openCollections(db);
      const clickDoc = (await c.clicks.findOne({ _id: clickId }))!;
      const now = new Date();
      const command = {
        attemptId: 'attempt-crash', clickId, conversionId: 'conv', action: 'credit' as const, postbackStatus: 'completed', amountMinor: 1234n,
        rawAmount: '12.34', transactionId: null, offerId: null, now, newEarningId: 'earning-crash', ledger: 'outbox' as const, sourceIp: null, rawData: { $where: 'x' },
      };
      // Exactly what the standalone step has written when a crash stops it after its first write.
      const plan = planConversion(clickDoc, null, command, false);
      const event = eventToDocument(eventOfConversion(plan, command.attemptId, now)!);
      await claimClick(c, clickDoc, plan.clickSet!, { id: command.attemptId, at: now, insert: plan.insert, update: plan.update, attempt: plan.attempt, event });
      expect(await store.getEarning('earning-crash')).toBeNull();
      expect(await store.events!.eventsOfUser('crash-user')).toEqual([]);

      const retried = await tracker.retryPendingCredits();
      expect(retried).toEqual({ settled: 1, remaining: 0 }); // no referrer: one credit owed
      expect((await c.clicks.findOne({ _id: clickId }))?.journal).toBeUndefined();
      expect(await store.getEarning('earning-crash')).toMatchObject({ status: 'completed', credited: true, amountMinor: 1234n });
      expect((await store.listPostbackAttempts(clickId)).map((a) => a.decision)).toEqual(['credited']);
      expect((await tracker.getWallet('crash-user')).balance).toBe('12.34');
      // The advertiser's retry of the same postback is a duplicate and moves nothing.
      const again = await tracker.handlePostback({ query: { click_id: clickId }, body: { amount: '12.34', conversionId: 'conv' } });
      expect(again.duplicate).toBe(true);
      expect(await createMongoRawReads({ db }).cachedBalance('crash-user')).toBe(1234n);
      // The journal's event, recorded once by the recovery; the replayed journal finish and the retry add none.
      await c.clicks.updateOne({ _id: clickId }, { $set: { journal: { id: 'replayed', at: now, insert: plan.insert, update: null, attempt: null, event } } });
      expect(await tracker.retryPendingCredits()).toMatchObject({ remaining: 0 });
      const events = await store.events!.eventsOfUser('crash-user');
      expect(events.map((e) => [e.id, e.type, e.data.walletDeltaMinor, e.state])).toEqual([['evt_attempt-crash', 'conversion.credited', 1234n, 'pending']]);
    });

    it('records the event of an adjustment whose process died before the fold, exactly once', async () => {
      const c = openCollections(db);
      const op = { key: 'adjustment:crashed', userId: 'adjust-crash', kind: 'manual_credit' as const, amountMinor: 250n, earningId: null, reversesKey: null, reason: 'goodwill', createdAt: new Date() };
      const event = eventToDocument(eventOfAdjustment(op, 'evt_adjust-crash'));
      // What the standalone adjustment has written when a crash stops it after the entry insert.
      await c.ledger.insertOne({ ...ledgerToDocument(op, false), event });
      expect(await store.events!.eventsOfUser('adjust-crash')).toEqual([]);
      expect(await store.recoverOwed!(100)).toBeGreaterThan(0);
      expect(await store.wallet.getBalance('adjust-crash')).toBe(250n);
      // The replayed adjustment is a duplicate: no second entry, no second event.
      expect(await store.admin.adjustWallet({ op, allowOverdraft: true, eventId: 'evt_adjust-crash' })).toMatchObject({ decision: 'duplicate', balanceMinor: 250n });
      const events = await store.events!.eventsOfUser('adjust-crash');
      expect(events.map((e) => [e.id, e.type, e.data.walletDeltaMinor, e.data.reason])).toEqual([['evt_adjust-crash', 'wallet.adjusted', 250n, 'goodwill']]);
      expect((await c.ledger.findOne({ key: op.key }))?.event).toBeUndefined();
    });

    it('folds a ledger entry whose process died before moving the balance, exactly once', async () => {
      const c = openCollections(db);
      const op = { key: 'manual:crashed', userId: 'fold-user', kind: 'manual_credit' as const, amountMinor: 500n, earningId: null, reversesKey: null, reason: null, createdAt: new Date() };
      await c.ledger.insertOne(ledgerToDocument(op, false));
      expect(await createMongoRawReads({ db }).cachedBalance('fold-user')).toBe(0n);
      expect(await store.wallet.getBalance('fold-user')).toBe(500n);
      expect(await store.wallet.apply(op)).toMatchObject({ duplicate: true, balanceMinor: 500n });
      expect(await createMongoRawReads({ db }).cachedBalance('fold-user')).toBe(500n);
    });

    it('keeps money exact past 2^53 as int64', async () => {
      // Above what the tracker accepts at scale 2, so straight to the wallet: 2^53 + 1 minor units.
      const op = { key: 'manual:big', userId: 'rich', kind: 'manual_credit' as const, amountMinor: 9_007_199_254_740_993n, earningId: null, reversesKey: null, reason: null, createdAt: new Date() };
      expect(await store.wallet.apply(op)).toMatchObject({ duplicate: false, balanceMinor: 9_007_199_254_740_993n });
      await store.wallet.apply({ ...op, key: 'manual:big-2', amountMinor: 2n });
      const raw = await openCollections(db).wallets.findOne({ _id: 'rich' });
      expect(raw?.balance).toBe(9_007_199_254_740_995n);
      expect((await createMongoRawReads({ db }).ledgerEntries('rich')).map((e) => e.amountMinor)).toEqual([9_007_199_254_740_993n, 2n]);
    });

    it('finishes a user-keyed step whose process died after the pair claim and the virtual click insert', async () => {
      const c = openCollections(db);
      const now = new Date();
      const virtual = userKeyedClick({
        network: 'wall', transactionId: 'tx-crash', userId: 'uk-crash', offerId: null, earnUpToMinor: 5000n, referrerId: null,
        commissionPpm: 0, holdAboveMinor: null, ipAddress: null, now,
      });
      const command = {
        attemptId: 'attempt-uk-crash', clickId: virtual.clickId, conversionId: 'tx-crash', action: 'credit' as const, postbackStatus: 'completed',
        amountMinor: 700n, rawAmount: '7.00', transactionId: 'tx-crash', offerId: null, now, newEarningId: 'earning-uk-crash', ledger: 'outbox' as const,
        sourceIp: null, rawData: {}, clickIfAbsent: virtual,
      };
      // Exactly what the standalone step has written when a crash stops it after inserting the virtual click.
      const plan = planConversion(null, null, command, false);
      await c.networkTransactions.insertOne(plan.networkTransaction!);
      await c.clicks.insertOne({ ...plan.clickInsert!, journal: { id: command.attemptId, at: now, insert: plan.insert, update: null, attempt: plan.attempt } });
      expect(await store.getEarning('earning-uk-crash')).toBeNull();
      // The network's retry: a new attempt finishes the journal first, then sees its earning (duplicate).
      const retry = await store.applyConversion({ ...command, attemptId: 'attempt-uk-retry', newEarningId: 'earning-uk-other' });
      expect(retry.decision).toBe('duplicate');
      expect(await store.getEarning('earning-uk-crash')).toMatchObject({ clickId: virtual.clickId, amountMinor: 700n });
      expect((await store.listPostbackAttempts(virtual.clickId)).map((a) => a.decision)).toEqual(['credited', 'duplicate']);
      expect(await tracker.retryPendingCredits()).toMatchObject({ remaining: 0 });
      expect(await createMongoRawReads({ db }).cachedBalance('uk-crash')).toBe(700n);
    });

    it('reuses a pair claim left by a crash before the virtual click insert, and refuses the pair to any other click id', async () => {
      const now = new Date();
      const virtual = userKeyedClick({
        network: 'wall', transactionId: 'tx-claimed', userId: 'uk-claim', offerId: null, earnUpToMinor: 5000n, referrerId: null,
        commissionPpm: 0, holdAboveMinor: null, ipAddress: null, now,
      });
      await openCollections(db).networkTransactions.insertOne({ _id: '["wall","tx-claimed"]', clickId: virtual.clickId });
      const command = {
        attemptId: 'attempt-claimed', clickId: virtual.clickId, conversionId: 'tx-claimed', action: 'credit' as const, postbackStatus: 'completed',
        amountMinor: 300n, rawAmount: '3.00', transactionId: 'tx-claimed', offerId: null, now, newEarningId: 'earning-claimed', ledger: 'outbox' as const,
        sourceIp: null, rawData: {}, clickIfAbsent: virtual,
      };
      expect((await store.applyConversion(command)).decision).toBe('credited');
      const impostor = { ...virtual, clickId: 'impostor-click' };
      const refused = await store.applyConversion({ ...command, attemptId: 'attempt-impostor', clickId: impostor.clickId, clickIfAbsent: impostor });
      expect(refused).toMatchObject({ decision: 'conflict', earning: null });
      expect(await createMongoRawReads({ db }).clickOf('impostor-click')).toBeNull();
      await expect(store.insertClick(impostor)).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('refuses operator objects in ids before they reach a filter', async () => {
      await expect(tracker.handlePostback({ query: { click_id: { $ne: null } } })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
      await expect(store.getClick({ $ne: null } as unknown as string)).rejects.toBeInstanceOf(TypeError);
    });
  });
});
