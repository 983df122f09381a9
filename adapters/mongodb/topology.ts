/**
 * Whether the deployment can run multi-document transactions, asked of the server once.
 * @module
 */
import type { Db } from 'mongodb';

/** The fields of the `hello` reply this module reads. */
interface HelloReply {
  /** Present on replica set members. */
  setName?: unknown;
  /** `isdbgrid` on a mongos (sharded cluster). */
  msg?: unknown;
}

/**
 * True on a replica set member (`hello` answers a `setName`) or a mongos (`msg: 'isdbgrid'`),
 * where multi-document transactions exist; false on a standalone server.
 */
export async function supportsTransactions(db: Db): Promise<boolean> {
  const hello = (await db.command({ hello: 1 })) as HelloReply;
  return isTransactionalTopology(hello);
}

/** The decision of {@link supportsTransactions}, on a `hello` reply already in hand. */
export function isTransactionalTopology(hello: HelloReply): boolean {
  return (typeof hello.setName === 'string' && hello.setName.length > 0) || hello.msg === 'isdbgrid';
}
