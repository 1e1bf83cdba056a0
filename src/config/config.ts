// The process configuration, read once from the environment; nothing else reads process.env.
import path from 'node:path';
import { z } from 'zod';

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().min(1).optional(),
  SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL', 'EXTRA']).default('FULL'),
  PG_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  JOBS: z.enum(['on', 'off']).default('on'),
  PUBLIC_URL: z.url().optional(),
  ATTACHMENTS_DIR: z.string().min(1).optional(),
  // 25 MiB: above WhatsApp's 16 MB video and audio and any common email limit; raise it (up to 1 GiB) for
  // WhatsApp documents, which may reach 100 MB.
  ATTACHMENT_MAX_BYTES: z.coerce.number().int().min(1).max(1024 ** 3).default(25 * 1024 * 1024),
  // Our own SMTP listener for inbound mail; off unless a port is given (25 for an MX, 2525 behind a relay).
  SMTP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  SMTP_HOST: z.string().min(1).optional(),
  EMAIL_MAX_BYTES: z.coerce.number().int().min(1024).max(1024 ** 3).default(25 * 1024 * 1024),
  // The local fake providers behind sandbox channels and the simulator; a production server may turn them off.
  SANDBOX: z.enum(['on', 'off']).default('on'),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** `postgres://…`, or the SQLite file (default `<DATA_DIR>/threadbox.db`). */
  databaseUrl: string;
  sqliteSynchronous: 'FULL' | 'NORMAL' | 'EXTRA';
  pgPoolSize: number;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  /** Whether this process runs the background jobs (outbox, auto-close, snooze wake-ups). */
  runJobs: boolean;
  /** The address agents and providers reach this server at; defaults to http://HOST:PORT. */
  publicUrl: string;
  /** Where uploaded and downloaded files are kept (default `<DATA_DIR>/attachments`). */
  attachmentsDir: string;
  /** The largest file an agent may upload, in bytes. */
  attachmentMaxBytes: number;
  /** Where our SMTP listener takes inbound mail; null when it is off. */
  smtp: { host: string; port: number } | null;
  /** The largest inbound email accepted (SMTP and HTTP), in bytes. */
  emailMaxBytes: number;
  /** Whether this process runs the fake providers of sandbox channels and serves the simulator. */
  sandbox: boolean;
}

/** Parses the environment; throws one readable error naming every invalid variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseUrl: e.DATABASE_URL ?? path.join(dataDir, 'threadbox.db'),
    sqliteSynchronous: e.SQLITE_SYNCHRONOUS,
    pgPoolSize: e.PG_POOL_SIZE,
    logLevel: e.LOG_LEVEL,
    runJobs: e.JOBS === 'on',
    publicUrl: e.PUBLIC_URL ?? `http://${e.HOST === '0.0.0.0' ? '127.0.0.1' : e.HOST}:${e.PORT}`,
    attachmentsDir: path.resolve(e.ATTACHMENTS_DIR ?? path.join(dataDir, 'attachments')),
    attachmentMaxBytes: e.ATTACHMENT_MAX_BYTES,
    smtp: e.SMTP_PORT === undefined ? null : { host: e.SMTP_HOST ?? e.HOST, port: e.SMTP_PORT },
    emailMaxBytes: e.EMAIL_MAX_BYTES,
    sandbox: e.SANDBOX === 'on',
  };
}
