/**
 * The HTTP load generator, run as a child process (see http.ts) so autocannon does not share the
 * server's event loop: each request it answers with one autocannon run.
 */
import autocannon from 'autocannon';
import type { LoadRequest } from './http.js';

process.on('message', async (request: LoadRequest) => {
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
});
