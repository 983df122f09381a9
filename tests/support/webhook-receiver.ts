/**
 * A real webhook receiver on loopback: verifies each request with the official
 * `standardwebhooks` package, dedupes by `webhook-id`, and answers what the test scripts it to
 * (fail with 500 for a while, hang, then 200).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Arrival {
  id: string;
  at: number;
  verified: boolean;
  body: { id: string; type: string; createdAt: string; data: Record<string, unknown> } | null;
  answered: number | 'hung';
}

/** What the receiver answers to an arrival (by its index among all arrivals). */
export type Script = (arrival: { id: string; index: number; tries: number }) => number | 'hang';

export interface Receiver {
  url: string;
  arrivals: Arrival[];
  /** Distinct webhook ids verified and answered 2xx, in order of their first success. */
  delivered(): string[];
  /** Replaces the script. */
  script(next: Script): void;
  /** Resolves once `predicate` holds (checked on every arrival and every 20 ms). */
  until(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(secret: string, initial: Script = () => 200): Promise<Receiver> {
  const verifier = new Webhook(secret);
  let script = initial;
  const arrivals: Arrival[] = [];
  const tries = new Map<string, number>();
  const hung: ServerResponse[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const payload = Buffer.concat(chunks).toString('utf8');
      const id = String(request.headers['webhook-id'] ?? '');
      let body: Arrival['body'] = null;
      let verified = false;
      try {
        body = verifier.verify(payload, {
          'webhook-id': id,
          'webhook-timestamp': String(request.headers['webhook-timestamp'] ?? ''),
          'webhook-signature': String(request.headers['webhook-signature'] ?? ''),
        }) as Arrival['body'];
        verified = true;
      } catch {
        verified = false;
      }
      const count = (tries.get(id) ?? 0) + 1;
      tries.set(id, count);
      const answer = verified ? script({ id, index: arrivals.length, tries: count }) : 401;
      arrivals.push({ id, at: Date.now(), verified, body, answered: answer === 'hang' ? 'hung' : answer });
      if (answer === 'hang') {
        hung.push(response);
        return;
      }
      response.writeHead(answer, { 'content-type': 'text/plain' }).end(String(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    arrivals,
    delivered() {
      const seen: string[] = [];
      for (const a of arrivals) if (a.verified && typeof a.answered === 'number' && a.answered < 300 && !seen.includes(a.id)) seen.push(a.id);
      return seen;
    },
    script(next) {
      script = next;
    },
    async until(predicate, timeoutMs = 20_000) {
      const started = Date.now();
      while (!predicate()) {
        if (Date.now() - started > timeoutMs) throw new Error(`receiver: condition not met in ${timeoutMs} ms (${arrivals.length} arrivals)`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      for (const response of hung) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
