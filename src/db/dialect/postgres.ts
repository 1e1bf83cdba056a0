// PostgreSQL through a pg pool. int8 values (epoch-millisecond times, counts) come back as numbers.
import { PostgresDialect } from 'kysely';
import pg from 'pg';

pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface PostgresOptions {
  url: string;
  poolSize: number;
  /** Told when a connection drops (restart, failover, network); the pool replaces it on the next checkout. */
  onConnectionError?: (error: Error) => void;
  /** The longest one statement may run, in ms (the server cancels it); 0 or absent for no limit (migrations). */
  statementTimeoutMs?: number;
  /** The longest a checkout may wait for a connection, new or pooled, in ms. */
  connectTimeoutMs?: number;
}

// The client gives up on an answer this long after the server should have cancelled the statement: only a
// network that swallows packets gets that far.
const CLIENT_TIMEOUT_MARGIN_MS = 1_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** Creates the pool and the Kysely dialect for one PostgreSQL database. */
export function postgresDialect(options: PostgresOptions): { dialect: PostgresDialect; pool: pg.Pool } {
  const statementTimeoutMs = options.statementTimeoutMs ?? 0;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    // A connection that dies without a goodbye (network cut, host gone) is noticed and replaced.
    keepAlive: true,
    ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs, query_timeout: statementTimeoutMs + CLIENT_TIMEOUT_MARGIN_MS } : {}),
  });
  const onError = (error: Error) => options.onConnectionError?.(error);
  // The pool listens to its idle connections only; each connection's own listener (below) reports.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => guardConnection(client, onError));
  return { dialect: new PostgresDialect({ pool }), pool };
}

/**
 * A pg client emits 'error' when its socket dies. The pool listens only while the client is idle; one
 * checked out (a transaction in a job or request) would crash the process with an unhandled 'error'.
 * Every client gets a listener for its whole life instead, and one whose answer timed out has its
 * socket closed, so the pool discards it rather than handing out a connection still waiting for a reply.
 */
function guardConnection(client: pg.PoolClient, onError: (error: Error) => void): void {
  client.on('error', onError);
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const result = query(...args);
    if (result instanceof Promise) {
      result.catch((error: unknown) => {
        if ((error as Error | null)?.message === 'Query read timeout') socketOf(client)?.destroy();
      });
    }
    return result;
  };
}

function socketOf(client: pg.PoolClient): { destroy(): void } | undefined {
  return (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
}

/** PostgreSQL errors after which the whole transaction can safely run again. */
export function isRetryablePostgresError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '40P01' || code === '40001';
}
