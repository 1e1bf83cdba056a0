// Creating and dropping throwaway PostgreSQL databases for tests and benchmarks.
import pg from 'pg';

/** The server tests use: TEST_POSTGRES_URL, or the local server with trust auth. */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL of another database on the same server. */
export function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Fails with a sentence that says how to get PostgreSQL when it does not answer. */
export async function assertPostgresReachable(): Promise<void> {
  try {
    await withAdmin((c) => c.query('select 1'));
  } catch (error) {
    throw new Error(
      `PostgreSQL is required for the test suite and did not answer at ${POSTGRES_ADMIN_URL} (${String(error)}). ` +
        'Start it (.ci/run does) or point TEST_POSTGRES_URL at a server.',
      { cause: error },
    );
  }
}

/** Creates an empty database, optionally as a copy of a template database. */
export async function createDatabase(name: string, template?: string): Promise<string> {
  await withAdmin((c) => c.query(`create database "${name}"${template ? ` template "${template}"` : ''}`));
  return databaseUrl(name);
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdmin((c) => c.query(`drop database if exists "${name}" with (force)`));
}

/** Drops databases a crashed earlier run left behind under a prefix. */
export async function dropDatabasesLike(prefix: string): Promise<void> {
  const names = await withAdmin(async (c) => (await c.query<{ datname: string }>('select datname from pg_database where datname like $1', [`${prefix}%`])).rows);
  for (const { datname } of names) await dropDatabase(datname);
}
