// The composition root of a server process: store, HTTP app, background jobs, graceful shutdown.
import type { FastifyInstance } from 'fastify';
import { sandboxSender } from './channels/sandbox/sender.js';
import { whatsappSender } from './channels/whatsapp/sender.js';
import { whatsappMediaFetcher } from './channels/whatsapp/media.js';
import { instagramMediaFetcher } from './channels/instagram/media.js';
import { instagramSender } from './channels/instagram/sender.js';
import type { Config } from './config/config.js';
import { openStore, type Store } from './db/store.js';
import { systemClock } from './domain/clock.js';
import { buildApp } from './http/app.js';
import { jobsFor } from './jobs/index.js';
import { startJobs } from './jobs/runner.js';
import type { Logger } from './lib/logger.js';
import { LocalDiskAttachmentStorage } from './modules/attachments/local-disk-storage.js';
import { createDeps, type Deps } from './modules/deps.js';
import { inboundHandlers } from './modules/inbound/handlers.js';
import { InboundProcessor } from './modules/inbound/process-inbound.js';
import { createEmailSender } from './modules/email/send-email.js';
import { startSmtpIntake } from './modules/email/smtp-intake.js';

export interface RunningServer {
  app: FastifyInstance;
  deps: Deps;
  url: string;
  /** Stops accepting, finishes in-flight requests and job runs, then closes the store. */
  close(): Promise<void>;
}

/** Opens the store named by the configuration, with its logger hooked to idle-connection errors. */
export function openConfiguredStore(config: Config, logger: Logger): Store {
  return openStore({
    databaseUrl: config.databaseUrl,
    sqliteSynchronous: config.sqliteSynchronous,
    poolSize: config.pgPoolSize,
    onIdleError: (error) => logger.warn({ err: error }, 'database connection dropped; the pool will reconnect'),
  });
}

/** Migrates, starts listening and (unless JOBS=off) runs the background jobs. */
export async function startServer(config: Config, logger: Logger, store = openConfiguredStore(config, logger)): Promise<RunningServer> {
  await store.migrate();
  const deps = createDeps(store, systemClock);
  const storage = new LocalDiskAttachmentStorage(config.attachmentsDir);
  const inbound = new InboundProcessor(deps, inboundHandlers(logger, storage), logger);
  const app = await buildApp({
    deps,
    logger,
    publicUrl: config.publicUrl,
    attachments: { storage, maxBytes: config.attachmentMaxBytes },
    emailMaxBytes: config.emailMaxBytes,
    // Without jobs this process only stores deliveries; a process running jobs processes them.
    onInboundStored: config.runJobs ? () => inbound.kick() : undefined,
  });
  await app.listen({ port: config.port, host: config.host });
  const ports = { senders: { byKind: { whatsapp: whatsappSender({ readAttachment: (key) => storage.get(key) }), instagram: instagramSender() }, sandbox: sandboxSender }, inbound, attachments: storage, mediaFetchers: { whatsapp: whatsappMediaFetcher, instagram: instagramMediaFetcher }, logger };
  // Email goes out through each channel's own SMTP server.
  Object.assign(ports.senders.byKind, { email: createEmailSender(deps, storage) });
  const stopJobs = config.runJobs ? startJobs(jobsFor(deps, ports), logger) : async () => undefined;
  const smtp = config.smtp ? await startSmtpIntake(deps, { ...config.smtp, maxBytes: config.emailMaxBytes }, logger, config.runJobs ? () => inbound.kick() : undefined) : null;
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return {
    app,
    deps,
    url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`,
    async close() {
      await smtp?.close();
      await app.close();

      await stopJobs();
      await store.close();
    },
  };
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
