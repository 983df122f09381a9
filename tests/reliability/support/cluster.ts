/**
 * Several example servers on one store (Express and Fastify alternating), and the store's raw
 * reads. PGlite is one process's files: it gets one server, and its raw reads open only while
 * no server runs.
 */
import { startExample, type ExampleServer, type Framework } from './example-server.js';
import type { SuiteStore } from './stores.js';

export async function startServers(store: SuiteStore, count: number, first: Framework = 'express'): Promise<ExampleServer[]> {
  const frameworks: Framework[] = Array.from({ length: store.multiProcess ? count : 1 }, (_, i) =>
    (i % 2 === 0) === (first === 'express') ? 'express' : 'fastify');
  // The first server runs the migrations alone; the others find them done.
  const servers = [await startExample(frameworks[0]!, store.env())];
  servers.push(...(await Promise.all(frameworks.slice(1).map((framework) => startExample(framework, store.env())))));
  return servers;
}

export async function stopServers(servers: readonly ExampleServer[]): Promise<void> {
  await Promise.all(servers.map((server) => server.stop()));
}

/** Runs `read` on the store's raw reads (stopping nothing: the caller stops PGlite's server first). */
export async function withRaw<T>(store: SuiteStore, read: (raw: Awaited<ReturnType<SuiteStore['openRaw']>>['raw']) => Promise<T>): Promise<T> {
  const opened = await store.openRaw();
  try {
    return await read(opened.raw);
  } finally {
    await opened.close();
  }
}
