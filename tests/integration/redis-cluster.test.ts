import { execFileSync } from 'node:child_process';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from 'clickcredit/redis';
import { runConformanceSuite } from 'clickcredit/testing';
import { startLocalCluster, type LocalCluster } from '../support/redis-cluster.js';
import { uniqueSchema, unavailable } from '../support/services.js';

function redisServerInstalled(): boolean {
  try {
    execFileSync('redis-server', ['--version']);
    return true;
  } catch (error) {
    return unavailable('redis-cluster', 'redis-server binary', error);
  }
}

let cluster: LocalCluster | undefined;
let client: Cluster | undefined;
const installed = redisServerInstalled();

(installed ? describe : describe.skip)('redis cluster (3 masters on loopback)', () => {
  beforeAll(async () => {
    cluster = await startLocalCluster();
    client = new Cluster(cluster.nodes, { redisOptions: { maxRetriesPerRequest: 3 } });
    await client.ping();
  }, 120_000);
  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  }, 60_000);

  it('spreads click shards over all three masters', async () => {
    const store = createRedisStore({ client: client!, prefix: 'cc', shards: 256 });
    expect(store.supportsInlineLedger).toBe(false);
    const slots = await client!.cluster('SLOTS');
    expect(slots).toHaveLength(3);
  });

  runConformanceSuite({
    name: 'redis cluster',
    test: { describe, it, expect, beforeAll, afterAll },
    createHarness: async () => {
      const store = createRedisStore({ client: client!, prefix: uniqueSchema('cccl'), shards: 32 });
      return { storage: store, raw: store.raw, cleanup: () => store.close() };
    },
  });
});
