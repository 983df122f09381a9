import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { asDate, asId, asLimit, createMongoRawReads, createMongoStore } from 'clickcredit/mongodb';
import { asVersion } from '../../adapters/mongodb/guards.js';

const OPERATOR_OBJECTS: unknown[] = [{ $ne: null }, { $gt: '' }, { $regex: '.*' }, { $where: 'true' }, ['a'], 42, null, undefined, true];

describe('mongodb filter guards', () => {
  it('let only plain strings reach a filter as ids', () => {
    expect(asId('550e8400-e29b-41d4-a716-446655440000')).toBe('550e8400-e29b-41d4-a716-446655440000');
    expect(asId('$ne')).toBe('$ne'); // a string is only ever an equality value, whatever it says
    for (const evil of [...OPERATOR_OBJECTS, '', 'x'.repeat(513)]) expect(() => asId(evil, 'clickId')).toThrow(TypeError);
  });

  it('let only valid Dates, positive integer limits and versions through', () => {
    const now = new Date();
    expect(asDate(now)).toBe(now);
    for (const bad of [new Date('nope'), '2026-01-01', 0, { $gt: new Date() }]) expect(() => asDate(bad)).toThrow(TypeError);
    expect(asLimit(20)).toBe(20);
    expect(asLimit(1e9)).toBe(10_000);
    for (const bad of [0, -1, 1.5, '10', { $gt: 0 }]) expect(() => asLimit(bad)).toThrow(TypeError);
    expect(asVersion(0)).toBe(0);
    for (const bad of [-1, 0.5, '1', { $gte: 0 }]) expect(() => asVersion(bad)).toThrow(TypeError);
  });
});

describe('mongodb store refuses operator objects before any I/O', () => {
  // A client aimed at a closed port: an operation that got past the guard would wait for server
  // selection (then fail with a selection error), so a prompt TypeError proves the guard stopped it.
  const client = new MongoClient('mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300&connectTimeoutMS=300');
  afterAll(() => client.close());
  const evil = { $ne: null } as unknown as string;

  it('on every read and write that takes an id, a key or a time', async () => {
    const store = await createMongoStore({ db: client.db('guard_test'), client, transactions: 'never' });
    const at = new Date();
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['getClick', () => store.getClick(evil)],
      ['recordVisit', () => store.recordVisit(evil, at)],
      ['recordVisit(bad date)', () => store.recordVisit('c', 'yesterday' as unknown as Date)],
      ['getEarning', () => store.getEarning(evil)],
      ['listEarnings', () => store.listEarnings({ userId: evil, limit: 10, after: null })],
      ['listEarnings(cursor)', () => store.listEarnings({ userId: 'u', limit: 10, after: { createdAt: at, earningId: evil } })],
      ['listPostbackAttempts', () => store.listPostbackAttempts(evil)],
      ['expireClicks', () => store.expireClicks(evil as unknown as Date, 10)],
      ['settleOwedOperation', () => store.settleOwedOperation(evil, at)],
      ['listOwedOperations', () => store.listOwedOperations(-1)],
      ['wallet.getBalance', () => store.wallet.getBalance(evil)],
      ['raw.ledgerEntries', () => createMongoRawReads({ db: client.db('guard_test') }).ledgerEntries(evil)],
      ['raw.earningsOfClick', () => createMongoRawReads({ db: client.db('guard_test') }).earningsOfClick(evil)],
      ['decideApproval', () => store.decideApproval({ earningId: evil, approve: true, now: at, ledger: 'outbox' })],
      ['applyConversion', () => store.applyConversion({
        attemptId: 'a', clickId: evil, conversionId: 'c', action: 'credit', postbackStatus: 'completed', amountMinor: null, rawAmount: null,
        transactionId: null, offerId: null, now: at, newEarningId: 'e', ledger: 'outbox', sourceIp: null, rawData: {},
      })],
      ['applyConversion(conversionId)', () => store.applyConversion({
        attemptId: 'a', clickId: 'c', conversionId: evil, action: 'credit', postbackStatus: 'completed', amountMinor: null, rawAmount: null,
        transactionId: null, offerId: null, now: at, newEarningId: 'e', ledger: 'outbox', sourceIp: null, rawData: {},
      })],
    ];
    for (const [name, call] of calls) {
      const started = Date.now();
      await expect(call(), name).rejects.toBeInstanceOf(TypeError);
      expect(Date.now() - started, `${name} answered without waiting for a server`).toBeLessThan(250);
    }
  });

  it('while a well-typed call does go to the (absent) server', async () => {
    const store = await createMongoStore({ db: client.db('guard_test'), client, transactions: 'never' });
    await expect(store.getClick('550e8400-e29b-41d4-a716-446655440000')).rejects.toMatchObject({ name: 'MongoServerSelectionError' });
  });
});
