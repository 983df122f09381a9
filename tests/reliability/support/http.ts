/**
 * A small HTTP client on node:http that never throws: a refused or reset connection is status
 * 0 with its error code, so a scenario counts faults instead of dying on them. Paths are sent
 * exactly as given (already percent-encoded by the caller), bodies as raw bytes.
 */
import { Agent, request } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  json: any;
  ms: number;
  /** Connection-level error code (ECONNREFUSED, ECONNRESET, timeout...) when status is 0. */
  error?: string;
}

export interface Outgoing {
  method?: string;
  /** Full URL; its path and query are sent byte for byte. */
  url: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  timeoutMs?: number;
}

/** Keep-alive agents with enough sockets for hundreds of requests in flight at once. */
export function makeAgent(maxSockets = 512): Agent {
  return new Agent({ keepAlive: true, maxSockets, maxFreeSockets: 64 });
}

const defaultAgent = makeAgent();

export function send(out: Outgoing, agent: Agent = defaultAgent): Promise<Reply> {
  const started = performance.now();
  const target = new URL(out.url);
  const path = out.url.slice(out.url.indexOf('/', target.protocol.length + 2));
  return new Promise((resolve) => {
    let settled = false;
    const finish = (reply: Omit<Reply, 'ms'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...reply, ms: performance.now() - started });
    };
    const headers: Record<string, string | string[] | number> = { ...out.headers };
    if (out.body !== undefined) headers['content-length'] = Buffer.byteLength(out.body);
    let req: ReturnType<typeof request>;
    try {
      req = request({ host: target.hostname, port: target.port, method: out.method ?? 'GET', path, headers, agent, insecureHTTPParser: false });
    } catch (error) {
      finish({ status: -1, headers: {}, text: '', json: undefined, error: `client refused to send: ${(error as Error).message}` });
      return;
    }
    req.setTimeout(out.timeoutMs ?? 30_000, () => {
      req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => finish({ status: 0, headers: {}, text: '', json: undefined, error: error.code ?? error.message }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error: NodeJS.ErrnoException) => finish({ status: 0, headers: {}, text: '', json: undefined, error: error.code ?? error.message }));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: any;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        finish({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.end(out.body);
  });
}

/** JSON POST helper. */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}, agent?: Agent): Promise<Reply> {
  return send({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }, agent);
}

/** Runs `tasks` with at most `limit` in flight; results keep the input order. */
export async function pool<T>(limit: number, count: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}

/** The p-th percentile (0-100) of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
