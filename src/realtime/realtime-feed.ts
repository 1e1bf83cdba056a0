// Fans the realtime_events list out to the open streams of this process. Every process reads the same
// list from the store, so an event written by one server reaches clients connected to another. On
// PostgreSQL each insert signals every process (migration 0005), which reads at once; the timer only
// covers a lost listening connection. SQLite has one process per file and no signal: the timer it is.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Store } from '../db/store.js';
import type { Logger } from '../lib/logger.js';

export interface RealtimeEvent {
  seq: number;
  workspaceId: string;
  type: string;
  payload: unknown;
}

type Listener = (event: RealtimeEvent) => void;

const BATCH = 500;

/** The channel the realtime_events trigger notifies (migration 0005-realtime-notify). */
export const REALTIME_SIGNAL_CHANNEL = 'threadbox_realtime';

/** How often to read without a signal: a fallback where signals exist, the only way where they don't. */
export function fallbackIntervalMs(engine: Store['engine']): number {
  return engine === 'postgres' ? 1_000 : 250;
}

export class RealtimeFeed {
  readonly #store: Pick<Store, 'db' | 'watch'>;
  readonly #db: Kysely<Database>;
  readonly #logger: Logger;
  readonly #intervalMs: number;
  readonly #listeners = new Map<string, Set<Listener>>();
  #lastSeq = 0;
  #started = false;
  #timer: NodeJS.Timeout | null = null;
  #unwatch: (() => Promise<void>) | null = null;
  #polling: Promise<void> | null = null;
  #pollAgain = false;

  constructor(store: Pick<Store, 'db' | 'engine' | 'watch'>, logger: Logger, intervalMs = fallbackIntervalMs(store.engine)) {
    this.#store = store;
    this.#db = store.db;
    this.#logger = logger;
    this.#intervalMs = intervalMs;
  }

  /** Starts from the newest event: streams replay older ones themselves (see `since`). */
  async start(): Promise<void> {
    // Listening before looking for the newest event leaves no window in which an insert goes unsignalled.
    this.#unwatch = await this.#store.watch(REALTIME_SIGNAL_CHANNEL, () => void this.#poll(), {
      onError: (error) => this.#logger.warn({ err: error }, 'realtime signal connection dropped; reconnecting, and reading on a timer meanwhile'),
    });
    const row = await this.#db.selectFrom('realtime_events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
    this.#lastSeq = Number(row?.seq ?? 0);
    this.#started = true;
    this.#timer = setInterval(() => void this.#poll(), this.#intervalMs);
    this.#timer.unref();
    // A signal that came while the newest event was being read was ignored; read once to catch up.
    void this.#poll();
  }

  async stop(): Promise<void> {
    this.#started = false;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#unwatch?.();
    this.#unwatch = null;
    await this.#polling;
  }

  /** Calls `listener` with each new event of the workspace until the returned function is called. */
  subscribe(workspaceId: string, listener: Listener): () => void {
    const set = this.#listeners.get(workspaceId) ?? new Set<Listener>();
    set.add(listener);
    this.#listeners.set(workspaceId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(workspaceId);
    };
  }

  /** The workspace's events after `seq` that this process has already fanned out (a reconnecting client's gap). */
  async since(workspaceId: string, seq: number): Promise<RealtimeEvent[]> {
    const rows = await this.#db
      .selectFrom('realtime_events')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('seq', '>', seq)
      .where('seq', '<=', this.#lastSeq)
      .orderBy('seq')
      .limit(BATCH)
      .execute();
    return rows.map(toEvent);
  }

  /**
   * Reads and fans out what is new. A call while a read runs asks for one more read after it (that
   * read may have started before the newest commit), however many calls came meanwhile.
   */
  #poll(): Promise<void> {
    if (!this.#started) return Promise.resolve();
    if (this.#polling) {
      this.#pollAgain = true;
      return this.#polling;
    }
    this.#polling = (async () => {
      try {
        do {
          this.#pollAgain = false;
          await this.#readNew();
        } while (this.#pollAgain && this.#started);
      } finally {
        this.#polling = null;
      }
    })();
    return this.#polling;
  }

  async #readNew(): Promise<void> {
    try {
      for (;;) {
        const rows = await this.#db.selectFrom('realtime_events').selectAll().where('seq', '>', this.#lastSeq).orderBy('seq').limit(BATCH).execute();
        for (const row of rows) {
          this.#lastSeq = row.seq;
          const event = toEvent(row);
          for (const listener of this.#listeners.get(event.workspaceId) ?? []) listener(event);
        }
        if (rows.length < BATCH) break;
      }
    } catch (error) {
      this.#logger.warn({ err: error }, 'reading realtime events failed; retrying');
    }
  }
}

function toEvent(row: { seq: number; workspace_id: string; type: string; payload: string }): RealtimeEvent {
  return { seq: Number(row.seq), workspaceId: row.workspace_id, type: row.type, payload: JSON.parse(row.payload) };
}
