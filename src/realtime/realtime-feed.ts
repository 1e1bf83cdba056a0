// Fans the realtime_events list out to the open streams of this process. Every process reads the same
// list from the store, so an event written by one server reaches clients connected to another. On
// PostgreSQL each insert signals every process (migration 0005), which reads at once; the timer only
// covers a lost listening connection. SQLite has one process per file and no signal: the timer it is.
//
// A seq is taken when a row is inserted, not when it commits: on PostgreSQL a transaction can take 10,
// another take 11 and commit first, and a read of "everything after 9" returns 11 alone. Reading on from
// 11 would step over 10 for good, so a seq skipped by a read is remembered as missing and asked for again
// on every read until it shows up (it is then delivered late, out of seq order) or the grace period ends
// (the insert was rolled back, which leaves a permanent hole in any sequence). SQLite writers take turns,
// so there the list never has such holes; the same code simply never finds any.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Store } from '../db/store.js';
import { systemClock, type Clock, type EpochMs } from '../domain/clock.js';
import type { Logger } from '../lib/logger.js';

export interface RealtimeEvent {
  seq: number;
  workspaceId: string;
  type: string;
  payload: unknown;
}

type Listener = (event: RealtimeEvent) => void;

export interface RealtimeFeedOptions {
  /** Tells how long a missing seq has been waited for. */
  clock?: Clock;
  /** How long a missing seq is waited for before it is taken for a rolled-back insert. */
  gapGraceMs?: number;
  /** The most missing seqs (and late arrivals) remembered at once; beyond it the oldest are forgotten. */
  maxTrackedGaps?: number;
}

const BATCH = 500;

/**
 * A transaction holding a seq for longer than this has been rolled back or is pathological; its event,
 * should it still commit, reaches only clients that resume with Last-Event-ID (see `since`).
 */
export const GAP_GRACE_MS = 30_000;
export const MAX_TRACKED_GAPS = 10_000;

/**
 * At start, seqs missing among this many of the newest are waited for like any other gap: they may be
 * transactions still running while this process started.
 */
const STARTUP_LOOKBACK = 1_000;

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
  readonly #clock: Clock;
  readonly #gapGraceMs: number;
  readonly #maxTrackedGaps: number;
  readonly #listeners = new Map<string, Set<Listener>>();
  /** The highest seq read so far. */
  #highWater = 0;
  /** Seqs below the high-water mark not read yet, with when they were first missed; ascending, so also oldest first. */
  readonly #gaps = new Map<number, EpochMs>();
  /** Seqs delivered after a higher one, with the high-water mark they arrived at (see `since`); oldest first. */
  readonly #lateArrivals = new Map<number, number>();
  #started = false;
  #timer: NodeJS.Timeout | null = null;
  #unwatch: (() => Promise<void>) | null = null;
  #polling: Promise<void> | null = null;
  #pollAgain = false;

  constructor(
    store: Pick<Store, 'db' | 'engine' | 'watch'>,
    logger: Logger,
    intervalMs = fallbackIntervalMs(store.engine),
    options: RealtimeFeedOptions = {},
  ) {
    this.#store = store;
    this.#db = store.db;
    this.#logger = logger;
    this.#intervalMs = intervalMs;
    this.#clock = options.clock ?? systemClock;
    this.#gapGraceMs = options.gapGraceMs ?? GAP_GRACE_MS;
    this.#maxTrackedGaps = options.maxTrackedGaps ?? MAX_TRACKED_GAPS;
  }

  /** Starts from the newest event: streams replay older ones themselves (see `since`). */
  async start(): Promise<void> {
    // Listening before looking for the newest event leaves no window in which an insert goes unsignalled.
    this.#unwatch = await this.#store.watch(REALTIME_SIGNAL_CHANNEL, () => void this.#poll(), {
      onError: (error) => this.#logger.warn({ err: error }, 'realtime signal connection dropped; reconnecting, and reading on a timer meanwhile'),
    });
    const row = await this.#db.selectFrom('realtime_events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
    this.#highWater = Number(row?.seq ?? 0);
    await this.#noticeGapsAtStart();
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

  /**
   * Calls `listener` with each new event of the workspace until the returned function is called. Each
   * event comes once, mostly in seq order; one whose transaction committed after a later one's comes late.
   */
  /** How many listeners (open event streams) the feed serves now. */
  get subscriberCount(): number {
    let count = 0;
    for (const set of this.#listeners.values()) count += set.size;
    return count;
  }

  subscribe(workspaceId: string, listener: Listener): () => void {
    const set = this.#listeners.get(workspaceId) ?? new Set<Listener>();
    set.add(listener);
    this.#listeners.set(workspaceId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(workspaceId);
    };
  }

  /**
   * What a client that last saw `seq` may have missed of the workspace's events: those after it up to
   * the newest this process has read (late ones included), and those before it that this process
   * delivered late, after it had read `seq` (as far as it remembers: the newest `maxTrackedGaps` late
   * deliveries, of this process only). A client that saw such an event gets it twice and keeps one (by
   * seq); one still missing arrives through the subscription when it commits.
   */
  async since(workspaceId: string, seq: number): Promise<RealtimeEvent[]> {
    const lateBefore = [...this.#lateArrivals].filter(([late, highWater]) => late < seq && highWater >= seq).map(([late]) => late).slice(-BATCH);
    const highWater = this.#highWater;
    const rows = await this.#db
      .selectFrom('realtime_events')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where((eb) => {
        const after = eb.and([eb('seq', '>', seq), eb('seq', '<=', highWater)]);
        return lateBefore.length > 0 ? eb.or([after, eb('seq', 'in', lateBefore)]) : after;
      })
      .orderBy('seq')
      .limit(BATCH + lateBefore.length)
      .execute();
    return rows.map(toEvent);
  }

  /**
   * Where reading stands: every seq up to `lowWater` has been delivered or given up, nothing above
   * `highWater` has been read, and `missing` are the seqs between them still waited for.
   */
  position(): { lowWater: number; highWater: number; missing: number[] } {
    const missing = [...this.#gaps.keys()];
    return { lowWater: missing.length > 0 ? missing[0]! - 1 : this.#highWater, highWater: this.#highWater, missing };
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
          await this.#read();
        } while (this.#pollAgain && this.#started);
      } finally {
        this.#polling = null;
      }
    })();
    return this.#polling;
  }

  async #read(): Promise<void> {
    try {
      await this.#readNew();
      await this.#readMissing();
      this.#giveUpStaleGaps();
    } catch (error) {
      this.#logger.warn({ err: error }, 'reading realtime events failed; retrying');
    }
  }

  async #readNew(): Promise<void> {
    for (;;) {
      const rows = await this.#db.selectFrom('realtime_events').selectAll().where('seq', '>', this.#highWater).orderBy('seq').limit(BATCH).execute();
      for (const row of rows) {
        const event = toEvent(row);
        this.#noticeGaps(this.#highWater + 1, event.seq - 1);
        this.#highWater = event.seq;
        this.#deliver(event);
      }
      if (rows.length < BATCH) break;
    }
  }

  async #readMissing(): Promise<void> {
    const missing = [...this.#gaps.keys()];
    for (let i = 0; i < missing.length; i += BATCH) {
      const rows = await this.#db.selectFrom('realtime_events').selectAll().where('seq', 'in', missing.slice(i, i + BATCH)).orderBy('seq').execute();
      for (const row of rows) {
        const event = toEvent(row);
        if (!this.#gaps.delete(event.seq)) continue;
        this.#remember(this.#lateArrivals, event.seq, this.#highWater);
        this.#deliver(event);
      }
    }
  }

  #giveUpStaleGaps(): void {
    const cutoff = this.#clock.now() - this.#gapGraceMs;
    for (const [seq, noticedAt] of this.#gaps) {
      if (noticedAt > cutoff) break;
      this.#gaps.delete(seq);
    }
  }

  /** Remembers `from`..`to` as missing (only the newest of a range too long to track). */
  #noticeGaps(from: number, to: number): void {
    if (to < from) return;
    const now = this.#clock.now();
    let forgotten = 0;
    for (let seq = Math.max(from, to - this.#maxTrackedGaps + 1); seq <= to; seq++) forgotten += this.#remember(this.#gaps, seq, now);
    if (forgotten > 0) this.#logger.warn({ forgotten }, 'too many realtime events missing at once; no longer waiting for the oldest');
  }

  async #noticeGapsAtStart(): Promise<void> {
    const rows = await this.#db
      .selectFrom('realtime_events')
      .select('seq')
      .where('seq', '>', this.#highWater - STARTUP_LOOKBACK)
      .where('seq', '<=', this.#highWater)
      .orderBy('seq')
      .execute();
    // Only between the events found: below the first, a missing seq is more likely pruned than pending.
    let expected: number | null = null;
    for (const row of rows) {
      const seq = Number(row.seq);
      if (expected !== null) this.#noticeGaps(expected, seq - 1);
      expected = seq + 1;
    }
  }

  /** Adds to a map kept in insertion order, forgetting its oldest entry when full; returns how many were forgotten. */
  #remember(map: Map<number, number>, seq: number, value: number): number {
    map.set(seq, value);
    if (map.size <= this.#maxTrackedGaps) return 0;
    map.delete(map.keys().next().value!);
    return 1;
  }

  /** One listener throwing must not keep the event from the others, nor stop the read half-way. */
  #deliver(event: RealtimeEvent): void {
    for (const listener of this.#listeners.get(event.workspaceId) ?? []) {
      try {
        listener(event);
      } catch (error) {
        this.#logger.warn({ err: error, seq: event.seq }, 'a realtime subscriber failed to take an event');
      }
    }
  }
}

function toEvent(row: { seq: number; workspace_id: string; type: string; payload: string }): RealtimeEvent {
  return { seq: Number(row.seq), workspaceId: row.workspace_id, type: row.type, payload: JSON.parse(row.payload) };
}
