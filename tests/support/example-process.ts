/**
 * Starting an example server as `npm start` does (a child process on a free port, its own data
 * directory), waiting for its start banner, and stopping it with SIGTERM. The one launcher of
 * the example e2e, the example outage tests and the browser tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface RunningExample {
  /** Origin, e.g. http://127.0.0.1:41234 */
  origin: string;
  /** Base URL of the mounted routes: origin + `/api/v1/earn`. */
  base: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `script` with no store variables unless `env` sets them (pass `DATA_DIR` for PGlite).
 * The child is pushed on `running`, when given, before it has started, so a test file's
 * afterAll can kill it even when it never printed its banner.
 */
export async function startExample(script: string, env: Record<string, string>, running?: ChildProcess[]): Promise<RunningExample> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, DATABASE_URL: '', REDIS_URL: '', MONGODB_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running?.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`example did not start:\n${output}`)), 90_000);
    const check = setInterval(() => {
      if (output.includes('3) See the wallets')) {
        clearInterval(check);
        clearTimeout(timer);
        resolve();
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`example exited with ${code}:\n${output}`));
    });
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    base: `http://127.0.0.1:${port}/api/v1/earn`,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
