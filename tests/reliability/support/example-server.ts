/**
 * The example servers as an operator runs them: `npm start` (Express) and `npm run
 * start:fastify` run `tsx examples/<framework>/server.ts`; the suite runs the same script with
 * `node --import tsx` so the child's pid is the server's own (kill -9 hits the server, and
 * /proc/<pid>/status is its memory), configured only through the example's environment.
 */
import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { exited, freePort, signalGroup, sleep, spawnGroup } from './processes.js';

export type Framework = 'express' | 'fastify';

/** What selects the store of the example (see examples/shared/storage.ts). */
export interface StoreEnv {
  DATABASE_URL?: string;
  REDIS_URL?: string;
  DATA_DIR?: string;
}

export interface ExampleServer {
  framework: Framework;
  port: number;
  /** Base of the routes, e.g. http://127.0.0.1:PORT/api/v1/earn. */
  base: string;
  child: ChildProcess;
  pid: number;
  /** Everything the server printed so far. */
  output(): string;
  /** Resident memory of the server process in KiB (VmRSS). */
  rssKiB(): number;
  /** kill -9 of the server (its whole process group), resolved once it is gone. */
  kill9(): Promise<void>;
  /** SIGTERM (the example's graceful shutdown); SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  alive(): boolean;
}

const SCRIPTS: Record<Framework, string> = {
  express: 'examples/express/server.ts',
  fastify: 'examples/fastify/server.ts',
};

/** Starts one example server on a free port and waits until it prints its banner. */
export async function startExample(framework: Framework, store: StoreEnv, port?: number): Promise<ExampleServer> {
  const listenPort = port ?? (await freePort());
  const child = spawnGroup(process.execPath, ['--import', 'tsx', SCRIPTS[framework]], {
    env: {
      ...process.env,
      PORT: String(listenPort),
      DATABASE_URL: store.DATABASE_URL ?? '',
      REDIS_URL: store.REDIS_URL ?? '',
      MONGODB_URL: '',
      DATA_DIR: store.DATA_DIR ?? '',
      POSTBACK_SECRET: '',
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const server: ExampleServer = {
    framework,
    port: listenPort,
    base: `http://127.0.0.1:${listenPort}/api/v1/earn`,
    child,
    pid: child.pid!,
    output: () => output,
    rssKiB: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    },
    kill9: async () => {
      signalGroup(child, 'SIGKILL');
      await exited(child);
    },
    stop: async (graceMs = 10_000) => {
      signalGroup(child, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
      await exited(child);
      clearTimeout(timer);
    },
    alive: () => child.exitCode === null && child.signalCode === null,
  };
  const deadline = Date.now() + 90_000;
  while (!output.includes('3) See the wallets')) {
    if (!server.alive() || Date.now() > deadline) {
      await server.kill9();
      throw new Error(`${framework} example did not start (${server.alive() ? 'timeout' : 'exited'}):\n${output.slice(-2000)}`);
    }
    await sleep(100);
  }
  return server;
}
