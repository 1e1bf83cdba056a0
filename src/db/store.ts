// The store: one Kysely query layer over SQLite (embedded default) or PostgreSQL (scale-out).
import { Kysely, Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import type { Engine } from './dialect/engine.js';
import { isRetryablePostgresError, postgresDialect } from './dialect/postgres.js';
import { listenForNotifications } from './dialect/postgres-notifications.js';
import { startCheckpointer } from './dialect/sqlite-checkpointer.js';
import { sqliteDialect, type SqliteSynchronous } from './dialect/sqlite.js';
import { GroupCommitter, type Unit } from './group-commit.js';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';

export interface StoreOptions {
  /** `postgres://…` for PostgreSQL; otherwise a SQLite file path (or `sqlite:` URL). */
  databaseUrl: string;
  sqliteSynchronous?: SqliteSynchronous;
  poolSize?: number;
  /** Told when a PostgreSQL connection drops, idle or busy (the pool reconnects by itself). */
  onConnectionError?: (error: Error) => void;
  /** PostgreSQL: the longest one statement may run, in ms (default: no limit). Migrations run without it. */
  statementTimeoutMs?: number;
  /** PostgreSQL: the longest a query waits for a connection, in ms (default 5 s). */
  connectTimeoutMs?: number;
  /** SQLite: how long a write waits for another process's write lock, in ms (default 10 s). */
  busyTimeoutMs?: number;
}

export interface Store {
  readonly engine: Engine;
  /** How many units can run at the same moment: 1 on SQLite (one writer), the pool size on PostgreSQL. */
  readonly connections: number;
  /** Reads, and writes that need no atomicity with others. */
  readonly db: Kysely<Database>;
  /**
   * Runs one use case atomically and resolves only once it is durable. On SQLite, units that arrive
   * together share one commit (each in its own savepoint); on PostgreSQL each unit is its own
   * transaction, run again on deadlock or serialization failure. `urgent` units (someone waits for
   * the answer, e.g. a webhook's acknowledgement) go ahead of queued background units on SQLite.
   */
  unit<T>(work: Unit<T>, options?: { urgent?: boolean }): Promise<T>;
  migrate(): Promise<void>;
  /** Whether the store answers within the time given (default 2 s) and every migration has been applied. */
  isReady(timeoutMs?: number): Promise<boolean>;
  /**
   * Calls `onSignal` when any connection signals `channel` (PostgreSQL NOTIFY), and once after the
   * listening connection was lost and is back, since signals sent meanwhile are gone. Never throws:
   * trouble goes to `onError` (default: the store's `onConnectionError`). On SQLite, where one process owns
   * the database file, nothing signals and the returned stop function does nothing. Closing the store
   * stops every watch.
   */
  watch(channel: string, onSignal: () => void, options?: { onError?: (error: Error) => void }): Promise<() => Promise<void>>;
  /** PostgreSQL: the pool's connections now (open, idle, and queries waiting for one); null on SQLite. */
  connectionUse(): { open: number; idle: number; waiting: number } | null;
  close(): Promise<void>;
}

type Watch = (channel: string, onSignal: () => void, onError: (error: Error) => void) => Promise<() => Promise<void>>;

const provider: MigrationProvider = { getMigrations: async (): Promise<Record<string, Migration>> => migrations };

const DEFAULT_POOL_SIZE = 10;
const READY_TIMEOUT_MS = 2_000;

/** Opens the store that a database URL names. */
export function openStore(options: StoreOptions): Store {
  return isPostgresUrl(options.databaseUrl) ? openPostgres(options) : openSqlite(options);
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/** The SQLite file a `sqlite:` URL or a bare path points at. */
export function sqliteFileOf(url: string): string {
  return url.replace(/^sqlite:(\/\/)?/, '');
}

function openSqlite(options: StoreOptions): Store {
  const file = sqliteFileOf(options.databaseUrl);
  const background = file !== ':memory:';
  const { dialect, database, run } = sqliteDialect({ file, synchronous: options.sqliteSynchronous ?? 'FULL', autoCheckpoint: !background, ...(options.busyTimeoutMs ? { busyTimeoutMs: options.busyTimeoutMs } : {}) });
  const checkpointer = background ? startCheckpointer(file) : null;
  const db = new Kysely<Database>({ dialect });
  const group = new GroupCommitter(db, (statement) => database.exec(statement), run);
  const store = makeStore('sqlite', db, (work, options) => group.run(work, options?.urgent), async () => async () => undefined, options.onConnectionError);
  return {
    ...store,
    async close() {
      await checkpointer?.stop();
      await store.close();
    },
  };
}

function openPostgres(options: StoreOptions): Store {
  const connection = { url: options.databaseUrl, onConnectionError: options.onConnectionError, connectTimeoutMs: options.connectTimeoutMs };
  const { dialect, pool } = postgresDialect({ ...connection, poolSize: options.poolSize ?? DEFAULT_POOL_SIZE, statementTimeoutMs: options.statementTimeoutMs });
  const db = new Kysely<Database>({ dialect });
  // A migration may rewrite a large table: it runs on a connection of its own, without the statement limit.
  const migrationDb = () => new Kysely<Database>({ dialect: postgresDialect({ ...connection, poolSize: 1 }).dialect });
  const watch: Watch = (channel, onSignal, onError) => listenForNotifications({ url: options.databaseUrl, channel, onSignal, onError });
  const unit = async <T>(work: Unit<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction().execute(work);
      } catch (error) {
        if (attempt >= 5 || !isRetryablePostgresError(error)) throw error;
      }
    }
  };
  const connectionUse = () => ({ open: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount });
  return makeStore('postgres', db, unit, watch, options.onConnectionError, options.poolSize ?? DEFAULT_POOL_SIZE, migrationDb, connectionUse);
}

function makeStore(
  engine: Engine,
  db: Kysely<Database>,
  unit: Store['unit'],
  listen: Watch,
  onConnectionError: ((error: Error) => void) | undefined,
  connections = 1,
  migrationDb?: () => Kysely<Database>,
  connectionUse: Store['connectionUse'] = () => null,
): Store {
  const migrator = new Migrator({ db, provider });
  const watches = new Set<() => Promise<void>>();
  return {
    engine,
    connections,
    db,
    unit,
    connectionUse,
    async migrate() {
      const own = migrationDb?.();
      try {
        const { error, results } = await (own ? new Migrator({ db: own, provider }) : migrator).migrateToLatest();
        const failed = results?.find((r) => r.status === 'Error');
        if (error || failed) throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error });
      } finally {
        await own?.destroy();
      }
    },
    async isReady(timeoutMs = READY_TIMEOUT_MS) {
      const answer = (async () => {
        await sql`select 1`.execute(db);
        const all = await migrator.getMigrations();
        return all.every((m) => m.executedAt !== undefined);
      })().catch(() => false);
      // A stalled database must not stall the probe: not answering in time is not ready.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
      try {
        return await Promise.race([answer, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    async watch(channel, onSignal, watchOptions) {
      const stopListening = await listen(channel, onSignal, watchOptions?.onError ?? onConnectionError ?? (() => undefined));
      let stopped: Promise<void> | null = null;
      const stop = () => {
        watches.delete(stop);
        stopped ??= stopListening();
        return stopped;
      };
      watches.add(stop);
      return stop;
    },
    async close() {
      await Promise.all([...watches].map((stop) => stop()));
      await db.destroy();
    },
  };
}
