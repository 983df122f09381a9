/**
 * The example runs the workers: started with the server (their log line), and on SIGTERM stopped
 * (batch in hand finished) before the store is closed and the process exits 0. Express and Fastify.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dataDir = mkdtempSync(join(tmpdir(), 'clickcredit-example-workers-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('the example runs the workers', () => {
  for (const framework of ['express', 'fastify']) {
    it(`${framework}: starts them with the server and stops them on SIGTERM before closing the store`, async () => {
      const port = await freePort();
      const child = spawn(process.execPath, ['--import', 'tsx', `examples/${framework}/server.ts`], {
        env: { ...process.env, PORT: String(port), DATA_DIR: join(dataDir, framework), DATABASE_URL: '', REDIS_URL: '', MONGODB_URL: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout!.on('data', (chunk) => (output += chunk));
      child.stderr!.on('data', (chunk) => (output += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`example did not start:\n${output}`)), 60_000);
        const check = setInterval(() => {
          if (output.includes('workers started') && output.includes('3) See the wallets')) {
            clearInterval(check);
            clearTimeout(timer);
            resolve();
          }
        }, 100);
      });
      expect(output.indexOf('workers started')).toBeGreaterThan(-1);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const stopped = output.indexOf('workers stopped');
      expect(stopped).toBeGreaterThan(0);
      expect(output.indexOf('clickcredit example stopped')).toBeGreaterThan(stopped);
    }, 90_000);
  }
});
