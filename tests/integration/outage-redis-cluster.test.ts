/**
 * A Redis Cluster losing a master, on a 3-master cluster of the test's own (free ports, no
 * replicas): the master is frozen (SIGSTOP: unreachable, as a crashed host or a partition looks)
 * for longer than the cluster's node timeout, so the cluster itself declares the failure and
 * refuses every slot (CLUSTERDOWN), then thawed. With a DEFAULT ioredis Cluster client, requests
 * must answer 503 within the tracker's storage deadline, service must resume by itself, and the
 * outbox must leave every wallet exact once `retryPendingCredits()` has run.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawOf, redisStoreWithRaw } from '../support/raw-reads.js';
import { startLocalCluster, type LocalCluster } from '../support/redis-cluster.js';
import { describeFigures, runOutage, serveTracker, sleep } from './outage-load.js';

const run = promisify(execFile);

let cluster: LocalCluster;
beforeAll(async () => {
  cluster = await startLocalCluster(7400);
});
afterAll(async () => cluster?.stop());

async function serverPid(port: number): Promise<number> {
  const { stdout } = await run('redis-cli', ['-p', String(port), 'info', 'server']);
  return Number(/process_id:(\d+)/.exec(stdout)![1]);
}

describe('Redis Cluster losing a master (own cluster)', () => {
  it('a master unreachable for 7 s (past the node timeout): 503 within the bound, recovery, every wallet exact after the outbox run', async () => {
    const client = new Cluster(cluster.nodes); // ioredis defaults
    client.on('error', () => undefined);
    const storage = redisStoreWithRaw({ client, prefix: 'outage' });
    const served = await serveTracker(storage);
    const pid = await serverPid(cluster.nodes[1]!.port);
    try {
      const figures = await runOutage({
        baseUrl: served.baseUrl,
        raw: () => rawOf(storage),
        outage: {
          name: 'cluster master frozen',
          downMs: 7000,
          down: async () => void process.kill(pid, 'SIGSTOP'),
          up: async () => void process.kill(pid, 'SIGCONT'),
        },
        // Cluster layout: money goes through the outbox; what the outage left owed is finished here.
        settle: async () => {
          for (let round = 0; round < 20; round += 1) {
            const { remaining } = await served.tracker.retryPendingCredits({ limit: 500 }).catch(() => ({ remaining: 1 }));
            if (remaining === 0) return;
            await sleep(200);
          }
        },
      });
      console.info(describeFigures('Redis Cluster, one of 3 masters frozen 7 s (default ioredis Cluster)', figures));
      expect(figures.otherFailures).toEqual([]);
      expect(figures.unavailable).toBeGreaterThan(0);
      expect(figures.firstUnavailableMs!).toBeLessThan(4000);
      expect(figures.max503LatencyMs).toBeLessThan(4000);
      // Outbox mode: a credited postback may wait for one more bounded call (the wallet
      // operation, left owed when it times out) before its 200.
      expect(figures.maxOutageLatencyMs).toBeLessThan(7500);
      expect(figures.recoveryMs).not.toBeNull();
      expect(figures.lost).toBe(0);
      expect(figures.doubled).toBe(0);
    } finally {
      process.kill(pid, 'SIGCONT');
      await served.close();
      client.disconnect();
    }
  });
});
