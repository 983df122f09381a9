/**
 * Writing an earning: a new one by insert (the unique (clickId, conversionId) index refuses a
 * second), a changed one by compare-and-set on its `version` with its new owed operations
 * appended in the same single-document write. Two flavours:
 * - strict, inside a transaction: anything unexpected aborts the transaction (it is retried);
 * - idempotent, when finishing a standalone journal: the write may already have been done by
 *   whoever finished the journal first, and that is success.
 * @module
 */
import type { ClientSession } from 'mongodb';
import type { StoreCollections } from './collections.js';
import type { EarningDocument, EarningUpdate } from './documents.js';
import { LostRace, isDuplicateKey } from './errors.js';
import { asId, asVersion } from './guards.js';

/** Inserts a new earning in a transaction; a duplicate key aborts it. */
export async function insertEarning(c: StoreCollections, doc: EarningDocument, session?: ClientSession): Promise<void> {
  await c.earnings.insertOne(doc, { session });
}

/** Applies an earning update in a transaction; a moved version aborts it ({@link LostRace}). */
export async function updateEarning(c: StoreCollections, update: EarningUpdate, session?: ClientSession): Promise<void> {
  const result = await c.earnings.updateOne(casFilter(update), updateDocument(update), { session });
  if (result.matchedCount === 0) throw new LostRace('earning');
}

/** Inserts a journal's new earning unless it is already there. */
export async function insertEarningOnce(c: StoreCollections, doc: EarningDocument): Promise<void> {
  try {
    await c.earnings.insertOne(doc);
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    // Ours if the id is there; a different earning holding (clickId, conversionId) would mean
    // the click's serialisation was bypassed, which must never be papered over.
    const existing = await c.earnings.findOne({ _id: asId(doc._id, 'earningId') }, { projection: { _id: 1 } });
    if (!existing) throw new Error('clickcredit/mongodb: another earning holds this conversion; the click journal cannot be finished');
  }
}

/** Applies a journal's earning update unless it is already applied (the version moved past it). */
export async function updateEarningOnce(c: StoreCollections, update: EarningUpdate): Promise<void> {
  const result = await c.earnings.updateOne(casFilter(update), updateDocument(update));
  if (result.matchedCount > 0) return;
  // Versions only move by finishing journals of the click, one at a time, so a version past
  // the expected one means this very update was applied.
  const current = await c.earnings.findOne({ _id: asId(update.earningId, 'earningId') }, { projection: { version: 1 } });
  if (!current || current.version <= update.expectedVersion) {
    throw new Error('clickcredit/mongodb: earning is not at the version its click journal expects');
  }
}

/** By id and version; the click id routes the write to one shard when earnings are sharded by it. */
function casFilter(update: EarningUpdate) {
  return { _id: asId(update.earningId, 'earningId'), clickId: asId(update.set.clickId, 'clickId'), version: asVersion(update.expectedVersion) };
}

function updateDocument(update: EarningUpdate) {
  const owing = update.push.length > 0 ? { owing: true } : {};
  return {
    $set: { ...update.set, ...owing, version: update.expectedVersion + 1 },
    $push: { owed: { $each: update.push } },
  };
}
