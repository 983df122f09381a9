/**
 * The (network, transaction id) claims of user-keyed clicks (`network_transactions`, `_id` = the
 * pair): who holds a virtual click's pair, read by a conversion step before it decides.
 * @module
 */
import type { ConversionCommand } from 'clickcredit';
import type { ClientSession } from 'mongodb';
import type { StoreCollections } from './collections.js';
import { networkTransactionOf } from './documents.js';
import { asId } from './guards.js';

/** The click id holding the pair of `command.clickIfAbsent`, or null (no virtual click, no pair, or unclaimed). */
export async function readPairHolder(c: StoreCollections, command: ConversionCommand, session?: ClientSession): Promise<string | null> {
  const claim = command.clickIfAbsent ? networkTransactionOf(command.clickIfAbsent) : null;
  if (claim === null) return null;
  const holder = await c.networkTransactions.findOne({ _id: asId(claim._id, 'networkTransaction') }, { session });
  return holder?.clickId ?? null;
}
