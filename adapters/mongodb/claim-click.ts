/**
 * Claiming a click: the compare-and-set on its `version` that every state change of the click
 * or its earning goes through. Of any number of concurrent steps on one click, exactly one
 * claims a given version; the others read again and decide again.
 * @module
 */
import type { ClientSession } from 'mongodb';
import type { StoreCollections } from './collections.js';
import type { ClickDocument, JournalDocument } from './documents.js';
import { LostRace } from './errors.js';
import { asId, asVersion } from './guards.js';

/**
 * Claims `click` at the version it was read with, setting `fields` (and, on the standalone
 * path, the step's journal) in the same single-document write. Throws {@link LostRace} when the
 * click moved on or carries an unfinished journal.
 */
export async function claimClick(
  c: StoreCollections,
  click: Pick<ClickDocument, '_id' | 'version'>,
  fields: Partial<ClickDocument>,
  journal: JournalDocument | null,
  session?: ClientSession,
): Promise<void> {
  const set = journal ? { ...fields, journal } : fields;
  const result = await c.clicks.updateOne(
    { _id: asId(click._id, 'clickId'), version: asVersion(click.version), journal: { $exists: false } },
    Object.keys(set).length > 0 ? { $set: set, $inc: { version: 1 } } : { $inc: { version: 1 } },
    { session },
  );
  if (result.matchedCount === 0) throw new LostRace('click');
}
