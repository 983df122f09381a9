/**
 * Mounting the demo routes on the two example servers: Express through one middleware, Fastify
 * through one route per demo path. Kept apart from `router.ts` so the routes stay framework-free.
 */
import type { Express, NextFunction, Request, Response } from 'express';
import type { FastifyInstance } from 'fastify';
import type { DemoRoutes } from './router.js';

const BODY_LIMIT = 16 * 1024;

/** Express: a middleware before the API router; paths the demo does not serve go on to `next`. */
export function mountDemoOnExpress(app: Express, demo: DemoRoutes): void {
  app.use(async (req: Request, res: Response, next: NextFunction) => {
    if (!req.path.startsWith('/demo') && req.path !== '/') return next();
    try {
      const body = req.method === 'POST' ? await readJson(req) : undefined;
      const answer = await demo.handle(req.method, req.path, body);
      if (!answer) return next();
      res.status(answer.status).set(answer.headers).send(answer.body);
    } catch (error) {
      next(error);
    }
  });
}

/** Fastify: each demo path as a route (Fastify parses the JSON body itself). */
export function mountDemoOnFastify(app: FastifyInstance, demo: DemoRoutes): void {
  for (const { method, path } of demo.paths) {
    app.route({
      method,
      url: path,
      bodyLimit: BODY_LIMIT,
      handler: async (request, reply) => {
        const answer = await demo.handle(request.method, path, request.body);
        if (!answer) return reply.code(404).send({ error: 'not found' });
        return reply.code(answer.status).headers(answer.headers).send(answer.body);
      },
    });
  }
}

/** The JSON body of a demo POST (the API router keeps its own raw-body parsing; this touches only demo paths). */
async function readJson(req: Request): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) return undefined;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
