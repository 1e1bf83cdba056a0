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
  // Which reverse proxies' X-Forwarded-For to believe: off (none), a hop count, or addresses/CIDRs.
  TRUST_PROXY: z.string().min(1).default('off'),
  // Slow clients: how long a request's headers, its whole request, and an idle keep-alive connection may take.
  HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(10_000),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(120_000),
  KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(5_000),
  MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(1_000),
  // How long a database call may take before it fails with STORE_UNAVAILABLE.
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  // Outgoing requests to admin-given URLs (webhooks, a channel's Graph base URL) never reach private,
  // loopback or link-local addresses unless this is 'allow' (tests, a private network of your own).
  PRIVATE_OUTBOUND_URLS: z.enum(['refuse', 'allow']).default('refuse'),
  // Prometheus metrics: GET /metrics on the server with this bearer token, and/or on a port of their own
  // (METRICS_HOST, default 127.0.0.1, with no token). Neither set: no metrics are kept or served.
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
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
  /** Fastify's trustProxy: false, a hop count, or a list of addresses/CIDRs of trusted proxies. */
  trustProxy: boolean | number | string[];
  server: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number; maxConnections: number; maxConnectionsPerAddress: number };
  db: { statementTimeoutMs: number; connectTimeoutMs: number };
  /** Whether outgoing requests to admin-given URLs may reach private, loopback and link-local addresses. */
  allowPrivateOutboundUrls: boolean;
  /** Prometheus metrics: served at /metrics with a bearer token, and/or on a listener of their own; null when off. */
  metrics: { token: string | null; listener: { host: string; port: number } | null } | null;
}

/** TRUST_PROXY: 'off', 'on' (any proxy: only when nothing else can reach the server), a hop count, or a list. */
function parseTrustProxy(value: string): boolean | number | string[] {
  if (value === 'off' || value === 'false') return false;
  if (value === 'on' || value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((part) => part.trim()).filter(Boolean);
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
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    server: {
      headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.MAX_CONNECTIONS,
      maxConnectionsPerAddress: e.MAX_CONNECTIONS_PER_ADDRESS,
    },
    db: { statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS, connectTimeoutMs: e.DB_CONNECT_TIMEOUT_MS },
    allowPrivateOutboundUrls: e.PRIVATE_OUTBOUND_URLS === 'allow',
    metrics:
      e.METRICS_TOKEN === undefined && e.METRICS_PORT === undefined
        ? null
        : { token: e.METRICS_TOKEN ?? null, listener: e.METRICS_PORT === undefined ? null : { host: e.METRICS_HOST, port: e.METRICS_PORT } },
  };
}
