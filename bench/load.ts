/**
 * The HTTP load generator, run as a child process (see http.ts) so autocannon does not share the
 * server's event loop: each request it answers with one autocannon run.
 */
import autocannon from 'autocannon';
import type { LoadRequest } from './http.js';

/**
 * Two messages per run: the request (with its path list, which can be megabytes), answered with
 * `{ ready: true }` once received, then `'go'`. The server side starts its CPU clock at `'go'`, so
 * sending the path list is not counted as serving requests.
 */
let pending: LoadRequest | null = null;
process.on('message', (message: LoadRequest | 'go') => {
  if (message !== 'go') {
    pending = message;
    process.send!({ ready: true });
    return;
  }
  const request = pending!;
  pending = null;
  void run(request);
});

async function run(request: LoadRequest) {
  let next = 0;
  const result = await autocannon({
    url: request.url,
    connections: request.connections,
    duration: request.seconds,
    requests: [{
      method: request.method,
      body: request.body,
      headers: { 'content-type': 'application/json', ...request.headers },
      // Each request takes the next path; past the end of the list it starts again (replays).
      setupRequest: (req: Record<string, unknown>) => ({ ...req, path: request.paths[next++ % request.paths.length] }),
    }],
  });
  process.send!({
    requestsPerSecond: result.requests.average,
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    non2xx: result.non2xx,
    sent: next,
  });
}
