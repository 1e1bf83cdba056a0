// The Fastify application: health and readiness now; the JSON API plugs in here.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Store } from '../db/store.js';
import type { Logger } from '../lib/logger.js';

export interface AppOptions {
  store: Store;
  logger: Logger;
}

/** Builds the HTTP application (not yet listening). */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: options.logger as FastifyBaseLogger, bodyLimit: 1024 * 1024 });

  // Process up: answers as soon as the server listens.
  app.get('/healthz', async () => ({ status: 'ok' }));

  // Ready for traffic: the store answers and every migration is applied.
  app.get('/readyz', async (_request, reply) => {
    const ready = await options.store.isReady();
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable' });
  });

  return app;
}
