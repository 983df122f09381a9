/**
 * The standalone path's journal. Without transactions a step writes several documents, so the
 * first write — the compare-and-set that claims the click — also stores every later write of
 * the step on the click. Finishing a journal is idempotent and safe to run concurrently, so
 * anyone may do it: the step's own caller right away, the next postback or approval that finds
 * the click claimed, or `retryPendingCredits()` after a crash.
 * @module
 */
import type { StoreCollections } from './collections.js';
import type { AttemptDocument, JournalDocument } from './documents.js';
import { insertEarningOnce, updateEarningOnce } from './earning-writes.js';
import { isDuplicateKey } from './errors.js';
import { insertEventOnce } from './events.js';
import { asId, asLimit } from './guards.js';

/** Applies a journal's writes (each at most once) and then removes it from the click. */
export async function finishJournal(c: StoreCollections, clickId: string, journal: JournalDocument): Promise<void> {
  if (journal.insert) await insertEarningOnce(c, journal.insert);
  if (journal.update) await updateEarningOnce(c, journal.update);
  if (journal.attempt) await insertAttemptOnce(c, journal.attempt);
  // The event by its deterministic id: a second finisher (or a replay) finds it already there.
  if (journal.event) await insertEventOnce(c, journal.event);
  // Only this journal: a later step's journal (after this one was finished by someone else)
  // is left alone.
  await c.clicks.updateOne({ _id: asId(clickId, 'clickId'), 'journal.id': asId(journal.id, 'journalId') }, { $unset: { journal: '' } });
}

/** Finishes up to `limit` journals, oldest first (crash recovery); returns how many. */
export async function finishStaleJournals(c: StoreCollections, limit: number): Promise<number> {
  const claimed = await c.clicks
    .find({ 'journal.at': { $exists: true } }, { projection: { _id: 1, journal: 1 } })
    .sort({ 'journal.at': 1 })
    .limit(asLimit(limit))
    .toArray();
  for (const click of claimed) if (click.journal) await finishJournal(c, click._id, click.journal);
  return claimed.length;
}

async function insertAttemptOnce(c: StoreCollections, attempt: AttemptDocument): Promise<void> {
  try {
    await c.attempts.insertOne(attempt);
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
}
