// SQLite through better-sqlite3: WAL, durable commits by default, and write transactions that take
// the write lock up front so two processes on one file wait for each other instead of failing.
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDatabase, type SqliteStatement } from 'kysely';

export type SqliteSynchronous = 'FULL' | 'NORMAL' | 'EXTRA';

export interface SqliteOptions {
  file: string;
  synchronous: SqliteSynchronous;
  busyTimeoutMs?: number;
  /** False when a background checkpointer keeps the WAL short instead of the committing connection. */
  autoCheckpoint?: boolean;
}

class ImmediateSqliteDriver extends SqliteDriver {
  // A deferred BEGIN that later writes can fail with SQLITE_BUSY when another process wrote first;
  // BEGIN IMMEDIATE queues on the busy timeout instead.
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: ConstructorParameters<typeof SqliteDialect>[0];
  constructor(config: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

const STATEMENT_CACHE_SIZE = 500;

interface CachedDatabase extends SqliteDatabase {
  /** Runs compiled SQL on the connection (see DirectRunner in prepared.ts). */
  run(sqlText: string, parameters: readonly unknown[]): unknown[];
}

/**
 * Kysely prepares every query anew; preparing costs as much as running a small query, so compiled
 * statements are kept by their SQL text (a bounded cache, oldest dropped first).
 */
function withStatementCache(database: BetterSqlite3.Database): CachedDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = (sqlText: string) => {
    let statement = cache.get(sqlText);
    if (!statement) {
      statement = database.prepare(sqlText);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(sqlText, statement);
    }
    return statement;
  };
  return {
    close: () => database.close(),
    prepare: (sqlText: string) => prepare(sqlText) as unknown as SqliteStatement,
    run(sqlText, parameters) {
      const statement = prepare(sqlText);
      if (statement.reader) return statement.all(parameters as unknown[]);
      statement.run(parameters as unknown[]);
      return [];
    },
  };
}

/** Opens (creating its folder) an SQLite file with Threadbox's pragmas and returns its Kysely dialect. */
export function sqliteDialect(options: SqliteOptions): { dialect: SqliteDialect; database: BetterSqlite3.Database; run: CachedDatabase['run'] } {
  if (options.file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
  const database = new BetterSqlite3(options.file);
  database.pragma('page_size = 1024');
  database.pragma('journal_mode = WAL');
  database.pragma(`synchronous = ${options.synchronous}`);
  database.pragma('foreign_keys = ON');
  // Checkpoints run on a worker thread (sqlite-checkpointer.ts); see openSqlite in store.ts.
  database.pragma(`wal_autocheckpoint = ${options.autoCheckpoint === false ? 0 : 1000}`);
  database.pragma('cache_size = -65536');
  database.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
  const cached = withStatementCache(database);
  return { dialect: new ImmediateSqliteDialect({ database: cached }), database, run: cached.run };
}
