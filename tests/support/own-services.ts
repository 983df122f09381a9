/**
 * Store servers of a test's own, on free loopback ports, that the test may stop and start at will:
 * the outage tests and the reliability suite take a store away under load with these and never
 * touch the shared Postgres (5432) and Redis (6379) that other tests and engineers use.
 *
 * - {@link startOwnPostgres}: a fresh cluster (`initdb` in a temporary directory, run as the
 *   `postgres` user because the tests may run as root), `pg_ctl` start/stop, trust auth, a `test`
 *   database, fsync off (a server crash keeps every acknowledged commit, since the WAL is written
 *   before the reply; only an OS crash could lose it). `synchronous_commit` stays on.
 * - {@link startOwnRedis}: `redis-server` as a child process, no RDB; AOF (`appendfsync always`) on request.
 *
 * Both hand back an {@link OwnService}: `stop()` takes the server away (connections are dropped,
 * the port refuses), `start()` brings it back on the same port with the same data directory (the
 * Postgres data survives a stop; the Redis data does not, it has no persistence), and `close()`
 * stops it for good and removes its directory. Every instance is also killed when the Node process
 * exits, so a failed or interrupted test leaves no server behind.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian puts the Postgres 15 server binaries; `PG_BIN` overrides it. */
export const POSTGRES_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** How {@link OwnService.stop} takes the server away. */
export interface StopOptions {
  /**
   * `graceful` (default): Postgres `pg_ctl stop -m fast` (backends terminated, clients see their
   * connections closed), Redis `SIGTERM`. `crash`: Postgres `-m immediate`, Redis `SIGKILL`.
   */
  mode?: 'graceful' | 'crash';
}

/** A store server owned by one test: stop it, start it again, close it at the end. */
export interface OwnService {
  /** Connection URL: `postgres://postgres@127.0.0.1:PORT/test` or `redis://127.0.0.1:PORT`. */
  readonly url: string;
  /** The loopback port it listens on (the same after every `start()`). */
  readonly port: number;
  /** Whether the server is up (after `start()`, before `stop()`). */
  readonly running: boolean;
  /** Takes the server away; resolves once the port refuses connections. A no-op when stopped. */
  stop(options?: StopOptions): Promise<void>;
  /** Brings it back on the same port; resolves once it answers. A no-op when running. */
  start(): Promise<void>;
  /** Stops it for good and removes its directory. Safe to call twice. */
  close(): Promise<void>;
}

/** Postgres instance: {@link OwnService} plus the server's data directory. */
export interface OwnPostgres extends OwnService {
  readonly dataDir: string;
  /**
   * Freezes the server (`SIGSTOP` to the postmaster and every backend): connections stay open,
   * new ones are accepted by the kernel, nothing answers, as with a hung host or a partition.
   */
  pause(): Promise<void>;
  /** Thaws a server frozen by {@link pause} (`SIGCONT`). */
  resume(): Promise<void>;
}

/** Redis instance: {@link OwnService} plus the child process's pid while it runs. */
export interface OwnRedis extends OwnService {
  readonly pid: number | undefined;
  /**
   * Freezes the server (`SIGSTOP`): connections stay open but nothing answers, as with a hung
   * server or a network partition. Commands sent meanwhile run once {@link resume} is called.
   */
  pause(): void;
  /** Thaws a server frozen by {@link pause} (`SIGCONT`). */
  resume(): void;
}

/** Options of {@link startOwnRedis}. */
export interface OwnRedisOptions {
  /**
   * Keep the data across `stop()`/`start()` with an append-only file, `appendfsync always`
   * (every write on disk before its reply), so a crash loses nothing acknowledged. Default false.
   */
  appendOnly?: boolean;
}

/** A TCP port that was free on 127.0.0.1 a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// Synchronous clean-up on exit: a test that throws (or a Ctrl-C) must not leave servers running.
const onExit = new Set<() => void>();
let exitHookInstalled = false;
/**
 * Starts a server on a port picked free. Another process may take the port before the server
 * binds, so it retries on a new port (five tries); after the last, `dir` is removed and the error
 * thrown. Returns the port the server runs on.
 */
async function startOnFreePort(start: (port: number) => Promise<void>, dir: string): Promise<number> {
  for (let attempt = 0; ; attempt += 1) {
    const port = await freePort();
    try {
      await start(port);
      return port;
    } catch (error) {
      if (attempt >= 4) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
}

function killOnExit(kill: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const fn of onExit) {
        try {
          fn();
        } catch {
          // best effort: the process is going away
        }
      }
    });
  }
  onExit.add(kill);
  return () => onExit.delete(kill);
}

/** SIGCONT to a possibly frozen server, synchronously (exit hook): it cannot stop while frozen. */
function thawSync(dataDir: string): void {
  let postmaster: string;
  try {
    postmaster = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]!;
  } catch {
    return; // not running
  }
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', postmaster], { encoding: 'utf8' });
  for (const pid of [postmaster, ...children.split('\n')].map((line) => Number(line.trim())).filter((n) => n > 0)) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // already gone
    }
  }
}

/** Runs a Postgres binary as the `postgres` user (initdb and the server refuse to run as root). */
function asPostgres(binary: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const command = join(POSTGRES_BIN, binary);
  if (process.getuid?.() === 0) return run('runuser', ['-u', 'postgres', '--', command, ...args]);
  return run(command, args);
}

/**
 * Starts a Postgres server of the test's own: a new cluster in a temporary directory on a free
 * port, with a `test` database, trust auth for `postgres`. `stop()` keeps the data directory, so
 * `start()` brings back the same database (what a failover or a restart looks like to a client).
 */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const root = mkdtempSync(join(tmpdir(), 'clickcredit-pg-'));
  const dataDir = join(root, 'data');
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(root, Number(stdout.trim()), Number(gid.trim()));
  }
  await asPostgres('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
  let port = 0;
  let running = false;
  const pgCtl = (...args: string[]) => asPostgres('pg_ctl', ['-D', dataDir, ...args]);
  const serverOptions = () => `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;

  const start = async () => {
    if (running) return;
    await pgCtl('-o', serverOptions(), '-l', join(root, 'server.log'), '-w', '-t', '30', 'start');
    running = true;
  };
  const stop = async (options: StopOptions = {}) => {
    if (!running) return;
    await pgCtl('-m', options.mode === 'crash' ? 'immediate' : 'fast', '-w', '-t', '30', 'stop');
    running = false;
    await waitFor(async () => !(await accepting(port)), `postgres on ${port} to stop`);
  };

  port = await startOnFreePort((free) => ((port = free), start()), root);
  const forget = killOnExit(() => {
    thawSync(dataDir);
    execFileSync('runuser', ['-u', 'postgres', '--', join(POSTGRES_BIN, 'pg_ctl'), '-D', dataDir, '-m', 'immediate', 'stop'], { stdio: 'ignore' });
    rmSync(root, { recursive: true, force: true });
  });
  try {
    await asPostgres('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'test']);
  } catch (error) {
    await stop({ mode: 'crash' }).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
    forget();
    throw error;
  }

  // The postmaster's pid is the first line of postmaster.pid; backends are its children.
  const serverPids = async (): Promise<number[]> => {
    const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const { stdout } = await run('ps', ['-o', 'pid=', '--ppid', String(postmaster)]).catch(() => ({ stdout: '' }));
    return [postmaster, ...stdout.split('\n').map((line) => Number(line.trim())).filter((pid) => pid > 0)];
  };
  const signal = async (name: NodeJS.Signals) => {
    if (!running) return;
    for (const pid of await serverPids()) {
      try {
        process.kill(pid, name);
      } catch {
        // a backend that ended meanwhile
      }
    }
  };

  let closed = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/test`,
    port,
    dataDir,
    get running() {
      return running;
    },
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    stop: async (options?: StopOptions) => {
      await signal('SIGCONT'); // a frozen server must be able to shut down
      await stop(options);
    },
    start: async () => {
      if (closed) throw new Error('this Postgres instance is closed');
      await start();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await signal('SIGCONT').catch(() => undefined);
      await stop({ mode: 'crash' }).catch(() => undefined);
      forget();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * Starts a Redis server of the test's own on a free port (`redis-server` as a child process, no
 * persistence unless `appendOnly`). Without it, the server is empty after `stop()` and `start()`,
 * as a Redis without AOF would be.
 */
export async function startOwnRedis(options: OwnRedisOptions = {}): Promise<OwnRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'clickcredit-redis-'));
  let port = 0;
  let child: ChildProcess | undefined;

  const spawnServer = () => {
    const server = spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '',
      ...(options.appendOnly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
      '--dir', dir, '--daemonize', 'no', '--protected-mode', 'no',
    ], { stdio: 'ignore' });
    server.once('exit', () => {
      if (child === server) child = undefined;
    });
    return server;
  };
  const start = async () => {
    if (child) return;
    const server = spawnServer();
    child = server;
    try {
      await waitFor(async () => {
        if (server.exitCode !== null) throw new Error(`redis-server on ${port} exited with ${server.exitCode}`);
        return (await run('redis-cli', ['-p', String(port), 'ping'])).stdout.trim() === 'PONG';
      }, `redis on ${port}`, 10_000);
    } catch (error) {
      if (server.exitCode === null) server.kill('SIGKILL');
      child = undefined;
      throw error;
    }
  };
  const stop = async (options: StopOptions = {}) => {
    const server = child;
    if (!server) return;
    server.kill('SIGCONT'); // a paused server must be able to act on the signal below
    const exited = new Promise((resolve) => (server.exitCode !== null ? resolve(undefined) : server.once('exit', resolve)));
    server.kill(options.mode === 'crash' ? 'SIGKILL' : 'SIGTERM');
    await exited;
    child = undefined;
    await waitFor(async () => !(await accepting(port)), `redis on ${port} to stop`);
  };

  port = await startOnFreePort((free) => ((port = free), start()), dir);
  const forget = killOnExit(() => {
    if (child?.exitCode === null) {
      child.kill('SIGKILL');
      child.kill('SIGCONT');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  let closed = false;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid;
    },
    get running() {
      return child !== undefined;
    },
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    stop,
    start: async () => {
      if (closed) throw new Error('this Redis instance is closed');
      await start();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await stop({ mode: 'crash' }).catch(() => undefined);
      forget();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
