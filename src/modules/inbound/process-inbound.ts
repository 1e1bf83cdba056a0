// Processing stored provider deliveries: each source's handler turns a payload into messages, statuses
// and events through the engine's use cases. A payload is marked processed only when its handler
// finished; one that fails is retried with backoff and keeps its error, and is never dropped.
import { isStoreUnavailable } from '../../db/errors.js';
import { runLeasedQueue } from '../../lib/leased-queue.js';
import type { Logger } from '../../lib/logger.js';
import type { Deps } from '../deps.js';
import { POSTGRES_WRITES_IN_FLIGHT } from './payload-intake.js';
import { giveBackLeases } from '../queue/give-back-leases.js';
import { leaseInboundPayloads, markInboundProcessed, releaseInboundLeases, retryInboundLater, type InboundPayload } from './inbound-payload.repo.js';

/**
 * Thrown by a handler that did all it could for now, but part of the payload waits on something still
 * to come (a receipt for a message whose send has not been recorded yet): the payload is read again
 * after `delayMs`. Handlers are idempotent, so reading it again redoes nothing already done.
 */
export class ProcessLater extends Error {
  readonly delayMs: number;

  constructor(reason: string, delayMs: number) {
    super(reason);
    this.name = 'ProcessLater';
    this.delayMs = delayMs;
  }
}

/** Reads one payload of its source; throwing leaves the payload for a later attempt. */
export type PayloadHandler = (deps: Deps, payload: InboundPayload) => Promise<void>;

/** The handler of each source, and a step run over each leased batch before its payloads are handled one by one. */
export interface InboundHandling {
  handlers: Record<string, PayloadHandler>;
  /** Never throws for a payload: whatever it could not do, the payload's handler does. */
  prepareBatch?: (deps: Deps, payloads: InboundPayload[]) => Promise<void>;
}

const LEASE_MS = 60_000;
// Payloads leased at a time. Their plain messages are stored together, a statement per step: on
// PostgreSQL each statement is a round trip, so a bigger batch shares each one among more messages; on
// SQLite statements run on the event loop, where a long batch would hold up acknowledging webhooks.
const PROCESSING_BATCH: Record<Deps['store']['engine'], number> = { sqlite: 50, postgres: 200 };
export const processingBatchOf = (store: Pick<Deps['store'], 'engine'>) => PROCESSING_BATCH[store.engine];
// Processing is retried for long: a payload is a customer's message, and the cause (a bug, a store
// outage) is fixed by people. Waits grow to an hour.
const RETRY_SCHEDULE = { baseMs: 5_000, capMs: 60 * 60_000 };

// How many payloads of a batch are processed at once. On SQLite they share group commits. On PostgreSQL
// each holds a pooled connection, so round trips overlap across the pool, less the connections the
// webhook intake keeps for storing new deliveries (a bigger PG_POOL_SIZE processes faster).
const SQLITE_CONCURRENCY = 16;
const concurrencyOf = (store: Deps['store']) => (store.engine === 'sqlite' ? SQLITE_CONCURRENCY : Math.max(2, store.connections - POSTGRES_WRITES_IN_FLIGHT));

/**
 * Processes due payloads of the handled sources until none are left; returns how many were processed.
 * The payloads of a batch run side by side, a bounded number at a time. `afterBatch`, told how long
 * the batch took, is awaited before the next one (to pause processing while it is in the way).
 */
export async function processInboundPayloads(deps: Deps, { handlers, prepareBatch }: InboundHandling, logger: Logger, afterBatch?: (batchMs: number) => Promise<void>): Promise<number> {
  const totals = await runLeasedQueue<InboundPayload, void, unknown>({
    name: 'inbound',
    batchSize: processingBatchOf(deps.store),
    concurrency: concurrencyOf(deps.store),
    untilShortBatch: true,
    afterBatch,
    lease: (limit) => {
      const now = deps.clock.now();
      return deps.store.unit((trx) => leaseInboundPayloads(trx, Object.keys(handlers), now, LEASE_MS, limit));
    },
    ...(prepareBatch ? { prepare: (payloads: InboundPayload[]) => prepareBatch(deps, payloads) } : {}),
    process: async (payload) => {
      try {
        await handlers[payload.source]!(deps, payload);
        return { outcome: 'succeeded', value: undefined };
      } catch (error) {
        if (error instanceof ProcessLater) return { outcome: 'later', afterMs: error.delayMs, reason: error.message };
        return { outcome: 'failed', failure: error };
      }
    },
    // Marked together: handlers are idempotent, so a crash before this only means reading them again.
    markSucceededTogether: (payloads) => deps.store.unit((trx) => markInboundProcessed(trx, payloads.map((payload) => payload.id), deps.clock.now())),
    postpone: async (payload, afterMs, reason) => {
      logger.debug({ payloadId: payload.id, reason }, 'part of an inbound payload waits; it will be read again');
      await deps.store.unit((trx) => retryInboundLater(trx, payload.id, deps.clock.now() + afterMs, reason));
    },
    // Handlers are idempotent: a payload half read when the store went away is read again from the start.
    release: (payloads, error) => giveBackLeases(deps.store, error, payloads, releaseInboundLeases),
    // Never given up: the payload is a customer's message.
    retry: { schedule: RETRY_SCHEDULE },
    retryLater: async (payload, error, delayMs) => {
      logger.error({ err: error, payloadId: payload.id, source: payload.source, attempt: payload.attempts }, 'processing an inbound payload failed; it will be retried');
      const reason = error instanceof Error ? error.message : String(error);
      await deps.store.unit((trx) => retryInboundLater(trx, payload.id, deps.clock.now() + delayMs, reason.slice(0, 2000)));
    },
  });
  return totals.succeeded;
}

// Acknowledging webhooks comes first: Meta retries, and in the end disables, webhooks it sees answered
// slowly, while a message processed a little later loses nothing. While storing deliveries takes clearly
// longer than this disk's usual (processing holds the store or the event loop), processing works one
// part of the time only, pausing after each batch for a multiple of the time the batch took: it slows
// down, never stops, and runs at full speed again once acknowledgements are quick.
const SLOW_STORE_MARGIN_MS = 5;
const SLOW_STORES_PER_SECOND = 10;
// Paused six times as long as each batch took, processing gets a seventh of the time while acknowledging is slow.
const PAUSE_PER_BATCH_TIME = 6;

/** Counts events and keeps the smallest value seen, over the last second, in two half-second buckets. */
class RecentWindow {
  #bucket = 0;
  #current = { count: 0, least: Infinity };
  #previous = { count: 0, least: Infinity };

  note(now: number, value = 0): void {
    this.#roll(now);
    this.#current.count++;
    this.#current.least = Math.min(this.#current.least, value);
  }

  count(now: number): number {
    this.#roll(now);
    return this.#current.count + this.#previous.count;
  }

  least(now: number): number {
    this.#roll(now);
    return Math.min(this.#current.least, this.#previous.least);
  }

  #roll(now: number): void {
    const bucket = Math.floor(now / 500);
    if (bucket === this.#bucket) return;
    this.#previous = bucket === this.#bucket + 1 ? this.#current : { count: 0, least: Infinity };
    this.#current = { count: 0, least: Infinity };
    this.#bucket = bucket;
  }
}

/**
 * Runs the processing of one process: on a timer (the job) and at once when a payload was stored
 * (kick), never two passes at a time; a kick during a pass runs one more pass after it.
 */
export class InboundProcessor {
  readonly #deps: Deps;
  readonly #handling: InboundHandling;
  readonly #logger: Logger;
  #running: Promise<number> | null = null;
  #again = false;
  readonly #stores = new RecentWindow();
  readonly #slowStores = new RecentWindow();
  readonly #pause: (ms: number) => Promise<void>;

  /** `pause` waits between batches while processing steps back (a timer; tests watch it). */
  constructor(deps: Deps, handling: InboundHandling, logger: Logger, pause: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms))) {
    this.#deps = deps;
    this.#handling = handling;
    this.#logger = logger;
    this.#pause = pause;
  }

  /** One pass (or joins the pass in progress and the one after it); resolves with how many were processed. */
  run(): Promise<number> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      let total = 0;
      try {
        do {
          this.#again = false;
          total += await processInboundPayloads(this.#deps, this.#handling, this.#logger, (batchMs) => this.#stepBack(batchMs));
        } while (this.#again);
      } finally {
        this.#running = null;
      }
      return total;
    })();
    return this.#running;
  }

  async #stepBack(batchMs: number): Promise<void> {
    if (this.#slowStores.count(performance.now()) <= SLOW_STORES_PER_SECOND) return;
    await this.#pause(batchMs * PAUSE_PER_BATCH_TIME);
  }

  /**
   * Called when a delivery was stored (with how long storing it took, when known): starts a pass without
   * waiting for it; failures are logged, the timer tries again.
   */
  kick(storeMs?: number): void {
    if (storeMs !== undefined) {
      const now = performance.now();
      // Slow against the quickest store of the last second: a slow disk alone is not a reason to step back.
      if (storeMs > this.#stores.least(now) + SLOW_STORE_MARGIN_MS) this.#slowStores.note(now);
      this.#stores.note(now, storeMs);
    }
    this.run().catch((error: unknown) => {
      // While the database is away every stored delivery's kick fails the same way; the job's timer
      // reports the outage once a run, so these stay out of the error log.
      if (isStoreUnavailable(error)) this.#logger.debug({ err: error }, 'processing inbound payloads waits for the store');
      else this.#logger.error({ err: error }, 'processing inbound payloads failed');
    });
  }
}
