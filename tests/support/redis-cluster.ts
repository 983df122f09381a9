/**
 * A real 3-master Redis Cluster on loopback ports, started for a test run and stopped after:
 * three `redis-server --cluster-enabled yes` processes in a temporary directory, joined with
 * `redis-cli --cluster create`, ready once every node reports `cluster_state:ok`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A running local cluster. */
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

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Three consecutive ports from `from` whose cluster bus ports (+10000) are free as well. */
async function freePorts(from: number): Promise<number[]> {
  for (let base = from; base < from + 300; base += 3) {
    const ports = [base, base + 1, base + 2];
    const all = [...ports, ...ports.map((p) => p + 10_000)];
    if ((await Promise.all(all.map(portFree))).every(Boolean)) return ports;
  }
  throw new Error(`no three free loopback ports from ${from}`);
}

/** Starts three cluster-enabled redis-servers on free ports from `fromPort` and joins them. */
export async function startLocalCluster(fromPort = 7100): Promise<LocalCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'clickcredit-cluster-'));
  const ports = await freePorts(fromPort);
  const children: ChildProcess[] = ports.map((port) =>
    spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
      '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', '5000',
      '--appendonly', 'no', '--save', '', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'no',
    ], { stdio: 'ignore' }),
  );
  const stop = async () => {
    for (const port of ports) await run('redis-cli', ['-p', String(port), 'shutdown', 'nosave']).catch(() => undefined);
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      await waitFor(async () => (await run('redis-cli', ['-p', String(port), 'ping'])).stdout.trim() === 'PONG', `redis on ${port}`);
    }
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
    await waitFor(async () => {
      const infos = await Promise.all(ports.map((p) => run('redis-cli', ['-p', String(p), 'cluster', 'info'])));
      return infos.every((info) => info.stdout.includes('cluster_state:ok'));
    }, 'cluster_state:ok');
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes: ports.map((port) => ({ host: '127.0.0.1', port })), stop };
}
