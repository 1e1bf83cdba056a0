// GET /metrics for Prometheus, on the server itself: only with the configured bearer token (compared in
// constant time), since the figures describe the whole installation. The metrics' own listener
// (metrics/metrics-listener.ts) serves them without a token, on an address of the operator's choosing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../../metrics/metrics.js';
import { sendError } from '../errors.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

export const metricsRoutes: FastifyPluginAsync<{ metrics: Metrics; token: string }> = async (app, { metrics, token }) => {
  const expected = digest(token);
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    // Hashes of equal length, so the comparison takes as long whatever was sent.
    if (!given || !timingSafeEqual(digest(given), expected)) {
      return sendError(reply.header('www-authenticate', 'Bearer'), 401, 'UNAUTHENTICATED', 'The metrics need the METRICS_TOKEN as a bearer token.');
    }
    const { contentType, body } = await metrics.render();
    return reply.type(contentType).send(body);
  });
};
