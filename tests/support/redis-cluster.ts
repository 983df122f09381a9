/**
 * A real 3-master Redis Cluster on loopback ports, started for a test run and stopped after.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LocalCluster {
  nodes: Array<{ host: string; port: number }>;
  stop(): Promise<void>;
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Starts three cluster-enabled redis-servers on `basePort`..`basePort + 2` and joins them. */
export async function startLocalCluster(basePort = 7100 + (process.pid % 50) * 3): Promise<LocalCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'clickcredit-cluster-'));
  const ports = [basePort, basePort + 1, basePort + 2];
  for (const port of ports) {
    const child = spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
      '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', '5000',
      '--appendonly', 'no', '--save', '', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'no',
    ], { stdio: 'ignore', detached: false });
    child.unref();
  }
  for (const port of ports) {
    await waitFor(async () => (await run('redis-cli', ['-p', String(port), 'ping'])).stdout.trim() === 'PONG', `redis on ${port}`);
  }
  await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
  await waitFor(async () => {
    const infos = await Promise.all(ports.map((p) => run('redis-cli', ['-p', String(p), 'cluster', 'info'])));
    return infos.every((info) => info.stdout.includes('cluster_state:ok'));
  }, 'cluster_state:ok');
  return {
    nodes: ports.map((port) => ({ host: '127.0.0.1', port })),
    async stop() {
      for (const port of ports) await run('redis-cli', ['-p', String(port), 'shutdown', 'nosave']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
