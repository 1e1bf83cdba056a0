// The composition root of a server process: store, HTTP app, background jobs, graceful shutdown.
import type { FastifyInstance } from 'fastify';
import { channelAdapters } from './channels/registry.js';
import { sandboxSender } from './channels/sandbox-sender.js';
import type { Config } from './config/config.js';
import { isStoreUnavailable } from './db/errors.js';
import { openStore, type Store } from './db/store.js';
import { systemClock } from './domain/clock.js';
import { buildApp } from './http/app.js';
import { jobsFor } from './jobs/index.js';
import { createMetrics } from './metrics/metrics.js';
import { startMetricsListener } from './metrics/metrics-listener.js';
import { startJobs } from './jobs/runner.js';
import type { Logger } from './lib/logger.js';
import { LocalDiskAttachmentStorage } from './modules/attachments/local-disk-storage.js';
import { createDeps, type Deps } from './modules/deps.js';
import { inboundHandlers } from './modules/inbound/handlers.js';
import { InboundProcessor } from './modules/inbound/process-inbound.js';
import { startListenerIntake } from './modules/inbound/listener-intake.js';
import { senderPorts } from './modules/outbox/sender-ports.js';
import { startSandboxProviders } from './modules/sandbox/sandbox-providers.js';

export interface RunningServer {
  app: FastifyInstance;
  deps: Deps;
  url: string;
  /** Where the metrics' own listener answers (METRICS_PORT); null when it is off. */
  metricsUrl: string | null;
  /** Stops accepting, finishes in-flight requests and job runs, then closes the store. */
  close(): Promise<void>;
}

/** Opens the store named by the configuration, with its timeouts and its logger hooked to dropped connections. */
export function openConfiguredStore(config: Config, logger: Logger): Store {
  return openStore({
    databaseUrl: config.databaseUrl,
    sqliteSynchronous: config.sqliteSynchronous,
    poolSize: config.pgPoolSize,
    statementTimeoutMs: config.db.statementTimeoutMs,
    connectTimeoutMs: config.db.connectTimeoutMs,
    onConnectionError: (error) => logger.warn({ err: error }, 'database connection dropped; the pool will reconnect'),
  });
}

/**
 * Migrates, starts listening and (unless JOBS=off) runs the background jobs. `options.webRoot` serves the
 * web app from another folder than dist/web beside the compiled server (tests run from the sources).
 */
export async function startServer(config: Config, logger: Logger, store = openConfiguredStore(config, logger), options: { webRoot?: string } = {}): Promise<RunningServer> {
  await migrateOnceReachable(store, logger);
  const deps = createDeps(store, systemClock, { allowPrivateOutboundUrls: config.allowPrivateOutboundUrls });
  const storage = new LocalDiskAttachmentStorage(config.attachmentsDir);
  const inbound = new InboundProcessor(deps, inboundHandlers(logger, storage), logger);
  // Without jobs this process only stores deliveries; a process running jobs processes them.
  const onInboundStored = config.runJobs ? (storeMs?: number) => inbound.kick(storeMs) : undefined;
  const senders = Object.fromEntries(channelAdapters.map((adapter) => [adapter.kind, adapter.createSender(senderPorts(deps, storage))]));
  const mailAdapter = channelAdapters.find((adapter) => adapter.listener);
  const smtp = config.smtp && mailAdapter ? await startListenerIntake(deps, mailAdapter, { ...config.smtp, maxBytes: config.emailMaxBytes }, logger, onInboundStored) : null;
  // The simulator mails sandbox channels over SMTP: through our configured listener, or a private one.
  const sandboxSmtp = config.sandbox && !smtp && mailAdapter ? await startListenerIntake(deps, mailAdapter, { host: '127.0.0.1', port: 0, maxBytes: config.emailMaxBytes }, logger, onInboundStored) : null;
  let url = '';
  const sandbox = config.sandbox
    ? await startSandboxProviders(deps, { appUrl: () => url, smtp: sandboxSmtp ? { host: '127.0.0.1', port: sandboxSmtp.port } : { host: loopbackFor(config.smtp?.host ?? '127.0.0.1'), port: smtp?.port ?? 0 }, senders })
    : null;
  const metrics = config.metrics ? createMetrics(store, systemClock) : null;
  const app = await buildApp({
    deps,
    logger,
    publicUrl: config.publicUrl,
    attachments: { storage, maxBytes: config.attachmentMaxBytes },
    emailMaxBytes: config.emailMaxBytes,
    ...(options.webRoot ? { webRoot: options.webRoot } : {}),
    onInboundStored,
    ...(sandbox ? { sandbox } : {}),
    limits: config.server,
    trustProxy: config.trustProxy,
    ...(metrics ? { metrics: { metrics, token: config.metrics?.token ?? null } } : {}),
  });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  url = `http://${loopbackFor(config.host)}:${port}`;
  const mediaFetchers = Object.fromEntries(channelAdapters.flatMap((adapter) => (adapter.mediaFetcher ? [[adapter.kind, adapter.mediaFetcher]] : [])));
  const ports = { senders: { byKind: senders, sandbox: sandboxSender, ...(sandbox ? { sandboxByKind: sandbox.senders } : {}) }, inbound, attachments: storage, mediaFetchers, logger };
  const stopJobs = config.runJobs ? startJobs(jobsFor(deps, ports), logger) : async () => undefined;
  const metricsListener = metrics && config.metrics?.listener ? await startMetricsListener(metrics, config.metrics.listener, logger) : null;
  return {
    app,
    deps,
    url,
    metricsUrl: metricsListener ? `http://${loopbackFor(config.metrics?.listener?.host ?? '127.0.0.1')}:${metricsListener.port}` : null,
    async close() {
      await smtp?.close();
      await sandboxSmtp?.close();
      await metricsListener?.close();
      await app.close();
      await sandbox?.close();
      await stopJobs();
      metrics?.stop();
      await store.close();
    },
  };
}

const FIRST_STARTUP_RETRY_MS = 250;
const MAX_STARTUP_RETRY_MS = 5_000;

/**
 * Migrates as soon as the store answers. A server starting while its database is still starting, or
 * restarting, waits for it (retrying with a growing pause) instead of exiting; any other failure is fatal.
 */
async function migrateOnceReachable(store: Store, logger: Logger): Promise<void> {
  for (let pauseMs = FIRST_STARTUP_RETRY_MS; ; pauseMs = Math.min(pauseMs * 2, MAX_STARTUP_RETRY_MS)) {
    try {
      await store.migrate();
      return;
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error;
      logger.warn({ err: error, retryInMs: pauseMs }, 'the database is not reachable yet; waiting for it');
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}

/** An address this process can reach a listener of its own on. */
function loopbackFor(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}

/** Closes the server on SIGINT / SIGTERM, once. */
export function closeOnSignals(server: RunningServer, logger: Logger): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
