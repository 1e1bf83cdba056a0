// PostgreSQL through a pg pool. int8 values (epoch-millisecond times, counts) come back as numbers.
import { PostgresDialect } from 'kysely';
import pg from 'pg';

pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface PostgresOptions {
  url: string;
  poolSize: number;
  onIdleError?: (error: Error) => void;
}

/** Creates the pool and the Kysely dialect for one PostgreSQL database. */
export function postgresDialect(options: PostgresOptions): { dialect: PostgresDialect; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize });
  // An idle connection the server closes (restart, failover) must not crash the process; the pool
  // replaces it on the next checkout.
  pool.on('error', (error) => options.onIdleError?.(error));
  return { dialect: new PostgresDialect({ pool }), pool };
}

/** PostgreSQL errors after which the whole transaction can safely run again. */
export function isRetryablePostgresError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '40P01' || code === '40001';
}
