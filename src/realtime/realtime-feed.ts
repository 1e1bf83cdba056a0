// Fans the realtime_events list out to the open streams of this process. Every process reads the same
// list from the store, so an event written by one server reaches clients connected to another.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Logger } from '../lib/logger.js';

export interface RealtimeEvent {
  seq: number;
  workspaceId: string;
  type: string;
  payload: unknown;
}

type Listener = (event: RealtimeEvent) => void;

const BATCH = 500;

export class RealtimeFeed {
  readonly #db: Kysely<Database>;
  readonly #logger: Logger;
  readonly #intervalMs: number;
  readonly #listeners = new Map<string, Set<Listener>>();
  #lastSeq = 0;
  #timer: NodeJS.Timeout | null = null;
  #polling: Promise<void> | null = null;

  constructor(db: Kysely<Database>, logger: Logger, intervalMs = 250) {
    this.#db = db;
    this.#logger = logger;
    this.#intervalMs = intervalMs;
  }

  /** Starts from the newest event: streams replay older ones themselves (see `since`). */
  async start(): Promise<void> {
    const row = await this.#db.selectFrom('realtime_events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
    this.#lastSeq = Number(row?.seq ?? 0);
    this.#timer = setInterval(() => void this.#poll(), this.#intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
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

  #poll(): Promise<void> {
    this.#polling ??= (async () => {
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
      } finally {
        this.#polling = null;
      }
    })();
    return this.#polling;
  }
}

function toEvent(row: { seq: number; workspace_id: string; type: string; payload: string }): RealtimeEvent {
  return { seq: Number(row.seq), workspaceId: row.workspace_id, type: row.type, payload: JSON.parse(row.payload) };
}
