// The Fastify application: JSON API under /api, validated by Zod schemas that also produce the OpenAPI
// document, one error shape, and health and readiness probes.
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from '../lib/logger.js';
import type { Deps } from '../modules/deps.js';
import { installCallerResolution } from './auth.js';
import { installInputTextCheck } from './input-text.js';
import { handleClientError, handleFrameworkError, installErrorHandling, requestIdOf } from './errors.js';
import { apiTokenRoutes } from './routes/api-tokens.routes.js';
import { attachmentRoutes, type AttachmentRouteOptions } from './routes/attachments.routes.js';
import { autoCloseRuleRoutes } from './routes/auto-close-rules.routes.js';
import { authRoutes } from './routes/auth.routes.js';
import { channelRoutes } from './routes/channels.routes.js';
import { commentRuleRoutes } from './routes/comment-rules.routes.js';
import { contactRoutes } from './routes/contacts.routes.js';
import { eventRoutes } from './routes/events.routes.js';
import { RealtimeFeed } from '../realtime/realtime-feed.js';
import { ticketRoutes } from './routes/tickets.routes.js';
import { teammateRoutes } from './routes/teammates.routes.js';
import { userRoutes } from './routes/users.routes.js';
import { providerWebhookRoutes } from './routes/provider-webhooks.routes.js';
import { channelAdapters } from '../channels/registry.js';
import { emailInboundRoutes } from './routes/email-inbound.routes.js';
import { webhookRoutes } from './routes/webhooks.routes.js';
import { inboundPayloadRoutes } from './routes/inbound-payloads.routes.js';
import { sandboxRoutes } from './routes/sandbox.routes.js';
import type { SandboxProviders } from '../modules/sandbox/sandbox-providers.js';
import { capConnections, DEFAULT_SERVER_LIMITS, serverOptions, type ServerLimits } from './server-limits.js';
import { BUILT_WEB_APP, serveWebApp } from './web-app.js';
import { metricsRoutes } from './routes/metrics.routes.js';
import type { Metrics } from '../metrics/metrics.js';

export interface AppOptions {
  deps: Deps;
  logger: Logger;
  /** The address agents reach the server at; https there makes session cookies Secure. */
  publicUrl: string;
  /** Where uploads are stored and how large they may be; without it the attachment routes are not served. */
  attachments?: Omit<AttachmentRouteOptions, 'deps'>;
  /** Called when a provider delivery was stored, to process it at once rather than at the next job run. */
  onInboundStored?: (storeMs?: number) => void;
  /** The largest raw email the HTTP mail intake accepts, in bytes (default 25 MiB). */
  emailMaxBytes?: number;
  /** The fake providers of sandbox channels; the simulator's routes are served only with them. */
  sandbox?: SandboxProviders;
  /** The built web app to serve at `/` (default: dist/web beside the compiled server); skipped when not built. */
  webRoot?: string;
  /** Prometheus metrics: every request is counted; with a token, GET /metrics serves them here too. */
  metrics?: { metrics: Metrics; token: string | null };
  /** Timeouts and connection caps (default DEFAULT_SERVER_LIMITS). */
  limits?: ServerLimits;
  /** Which reverse proxies' X-Forwarded-For to believe (Fastify's trustProxy); none by default. */
  trustProxy?: boolean | number | string[];
}

/** Builds the HTTP application (not yet listening). */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { deps } = options;
  const limits = options.limits ?? DEFAULT_SERVER_LIMITS;
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    // Only a configured proxy's X-Forwarded-For names the client; otherwise anyone could pick their address.
    trustProxy: trustedProxies(options.trustProxy),
    ...serverOptions(limits),
    frameworkErrors: handleFrameworkError,
    clientErrorHandler: handleClientError,
    // Every log line of a request carries its id (reqId), and so does every answer (X-Request-Id).
    requestIdHeader: false,
    genReqId: requestIdOf,
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  capConnections(app.server, limits);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  installInputTextCheck(app);
  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Threadbox API', version: '0.1.0', description: 'The JSON API of Threadbox, the omnichannel support inbox.' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'threadbox_session' },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  installCallerResolution(app, deps);

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  if (options.metrics) {
    const { metrics, token } = options.metrics;
    // By the route's pattern, never the raw URL: one series per endpoint, none per ticket id.
    app.addHook('onResponse', async (request, reply) => metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000));
    if (token) await app.register(metricsRoutes, { metrics, token });
  }

  // Process up: answers as soon as the server listens.
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  // Ready for traffic: the store answers and every migration is applied.
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const ready = await deps.store.isReady();
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable' });
  });

  const secureCookies = options.publicUrl.startsWith('https://');
  await app.register(authRoutes, { prefix: '/api', deps, secureCookies });
  await app.register(apiTokenRoutes, { prefix: '/api', deps });
  await app.register(ticketRoutes, { prefix: '/api', deps });
  await app.register(contactRoutes, { prefix: '/api', deps });
  await app.register(channelRoutes, { prefix: '/api', deps, publicUrl: options.publicUrl });
  await app.register(commentRuleRoutes, { prefix: '/api', deps });
  if (options.attachments) await app.register(attachmentRoutes, { prefix: '/api', deps, ...options.attachments });
  await app.register(userRoutes, { prefix: '/api', deps });
  await app.register(teammateRoutes, { prefix: '/api', deps });
  await app.register(autoCloseRuleRoutes, { prefix: '/api', deps });
  await app.register(webhookRoutes, { prefix: '/api', deps });
  await app.register(inboundPayloadRoutes, { prefix: '/api', deps });
  if (options.sandbox) await app.register(sandboxRoutes, { prefix: '/api', deps, sandbox: options.sandbox });
  for (const adapter of channelAdapters.filter((a) => a.webhook)) await app.register(providerWebhookRoutes, { deps, adapter, onStored: options.onInboundStored });
  await app.register(emailInboundRoutes, { prefix: '/api', deps, maxBytes: options.emailMaxBytes ?? 25 * 1024 * 1024, onStored: options.onInboundStored });

  const feed = new RealtimeFeed(deps.store, options.logger);
  await feed.start();
  options.metrics?.metrics.countStreams(() => feed.subscriberCount);
  app.addHook('onClose', () => feed.stop());
  await app.register(eventRoutes, { prefix: '/api', feed });
  await serveWebApp(app, options.webRoot ?? BUILT_WEB_APP);
  return app;
}

/** Fastify's trustProxy; a hop count trusts that many proxies in front of the server. */
function trustedProxies(setting: AppOptions['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return setting ?? false;
}
