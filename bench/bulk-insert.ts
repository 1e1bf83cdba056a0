// Loading a benchmark store fast, straight through the driver: SQLite in multi-row INSERTs, one
// transaction per 10,000 rows; PostgreSQL in INSERTs of 1,000 rows each, a few at a time over a small pool.
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { Engine } from '../src/db/dialect/engine.js';

export type Value = string | number | null;

export interface BulkWriter {
  /** Queues rows for a table; may return before they are written (see flush). */
  insert(table: string, columns: readonly string[], rows: Value[][]): Promise<void>;
  /** Resolves once every queued row is committed, so the next table may reference them. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

const SQLITE_ROWS_PER_TRANSACTION = 10_000;
// SQLite's default limit of bound parameters per statement.
const SQLITE_MAX_PARAMETERS = 32_766;
const POSTGRES_ROWS_PER_STATEMENT = 1_000;
const POSTGRES_PARALLEL_STATEMENTS = 3;

export function openBulkWriter(engine: Engine, databaseUrl: string): BulkWriter {
  return engine === 'sqlite' ? sqliteWriter(databaseUrl) : postgresWriter(databaseUrl);
}

const insertSql = (table: string, columns: readonly string[], rowCount: number) => {
  const row = `(${columns.map(() => '?').join(', ')})`;
  return `insert into ${table} (${columns.join(', ')}) values ${Array.from({ length: rowCount }, () => row).join(', ')}`;
};

function sqliteWriter(file: string): BulkWriter {
  // A second connection beside the store's: WAL lets it write while the store stays open. Durability
  // of each batch does not matter while seeding; the store reopens the file with its own settings.
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = OFF');
  database.pragma('cache_size = -262144');
  const statements = new Map<string, BetterSqlite3.Statement>();
  const statement = (table: string, columns: readonly string[], rowCount: number) => {
    const key = `${table}:${columns.join(',')}:${rowCount}`;
    let prepared = statements.get(key);
    if (!prepared) {
      prepared = database.prepare(insertSql(table, columns, rowCount));
      statements.set(key, prepared);
    }
    return prepared;
  };
  const writeTransaction = database.transaction((table: string, columns: readonly string[], rows: Value[][]) => {
    const perStatement = Math.min(500, Math.floor(SQLITE_MAX_PARAMETERS / columns.length));
    for (let start = 0; start < rows.length; start += perStatement) {
      const chunk = rows.slice(start, start + perStatement);
      statement(table, columns, chunk.length).run(chunk.flat());
    }
  });
  return {
    async insert(table, columns, rows) {
      for (let start = 0; start < rows.length; start += SQLITE_ROWS_PER_TRANSACTION) {
        writeTransaction(table, columns, rows.slice(start, start + SQLITE_ROWS_PER_TRANSACTION));
      }
    },
    async flush() {},
    async close() {
      database.pragma('wal_checkpoint(TRUNCATE)');
      database.close();
    },
  };
}

function postgresWriter(url: string): BulkWriter {
  // Each statement commits on its own; waiting for the WAL flush of each would only slow the load.
  const pool = new pg.Pool({ connectionString: url, max: POSTGRES_PARALLEL_STATEMENTS, options: '-c synchronous_commit=off' });
  pool.on('error', () => undefined); // the bench drops the database at the end; idle clients may hear of it
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  const send = async (text: string, values: unknown[]) => {
    while (inFlight.size >= POSTGRES_PARALLEL_STATEMENTS) await Promise.race(inFlight);
    if (failure) throw failure;
    const sent: Promise<void> = pool
      .query(text, values)
      .then(
        () => undefined,
        (error: unknown) => {
          failure ??= error;
        },
      )
      .finally(() => inFlight.delete(sent));
    inFlight.add(sent);
  };
  // One array parameter per column (`insert … select * from unnest($1::text[], …)`) rather than a VALUES
  // list of 22,000 parameters: the server parses and plans it in a fraction of the time, which halves
  // the load of a million messages, and the 65,535-parameter limit never comes near.
  const types = new Map<string, Map<string, string>>();
  const typesOf = async (table: string) => {
    let byColumn = types.get(table);
    if (!byColumn) {
      const result = await pool.query<{ column_name: string; data_type: string }>('select column_name, data_type from information_schema.columns where table_schema = current_schema() and table_name = $1', [table]);
      byColumn = new Map(result.rows.map((r) => [r.column_name, r.data_type]));
      types.set(table, byColumn);
    }
    return byColumn;
  };
  return {
    async insert(table, columns, rows) {
      const byColumn = await typesOf(table);
      const text = `insert into ${table} (${columns.join(', ')}) select * from unnest(${columns.map((c, i) => `$${i + 1}::${byColumn.get(c)}[]`).join(', ')})`;
      for (let start = 0; start < rows.length; start += POSTGRES_ROWS_PER_STATEMENT) {
        const chunk = rows.slice(start, start + POSTGRES_ROWS_PER_STATEMENT);
        await send(text, columns.map((_, c) => chunk.map((row) => row[c] ?? null)));
      }
    },
    async flush() {
      await Promise.all(inFlight);
      if (failure) throw failure;
    },
    async close() {
      await Promise.all(inFlight);
      await pool.end();
      if (failure) throw failure;
    },
  };
}
