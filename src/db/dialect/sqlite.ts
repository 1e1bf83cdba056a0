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

/**
 * Kysely prepares every query anew; preparing costs as much as running a small query, so compiled
 * statements are kept by their SQL text (a bounded cache, oldest dropped first).
 */
function withStatementCache(database: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(sqlText: string) {
      let statement = cache.get(sqlText);
      if (!statement) {
        statement = database.prepare(sqlText);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
        cache.set(sqlText, statement);
      }
      return statement as unknown as SqliteStatement;
    },
  };
}

/** Opens (creating its folder) an SQLite file with Threadbox's pragmas and returns its Kysely dialect. */
export function sqliteDialect(options: SqliteOptions): { dialect: SqliteDialect; database: BetterSqlite3.Database } {
  if (options.file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
  const database = new BetterSqlite3(options.file);
  database.pragma('journal_mode = WAL');
  database.pragma(`synchronous = ${options.synchronous}`);
  database.pragma('foreign_keys = ON');
  database.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
  return { dialect: new ImmediateSqliteDialect({ database: withStatementCache(database) }), database };
}
