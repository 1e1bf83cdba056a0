// Processing stored provider deliveries: each source's handler turns a payload into messages, statuses
// and events through the engine's use cases. A payload is marked processed only when its handler
// finished; one that fails is retried with backoff and keeps its error, and is never dropped.
import type { Logger } from '../../lib/logger.js';
import type { Deps } from '../deps.js';
import { nextAttemptAt } from '../outbox/backoff.js';
import { leaseInboundPayloads, markInboundProcessed, retryInboundLater, type InboundPayload } from './inbound-payload.repo.js';

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

const LEASE_MS = 60_000;
const BATCH = 200;
// Processing is retried for long: a payload is a customer's message, and the cause (a bug, a store
// outage) is fixed by people. Waits grow to an hour.
const RETRY_SCHEDULE = { baseMs: 5_000, capMs: 60 * 60_000 };

/**
 * Processes due payloads of the handled sources until none are left; returns how many were processed.
 * The payloads of a batch run concurrently, so on SQLite their units share group commits.
 */
export async function processInboundPayloads(deps: Deps, handlers: Record<string, PayloadHandler>, logger: Logger): Promise<number> {
  let processed = 0;
  for (;;) {
    const now = deps.clock.now();
    const batch = await deps.store.unit((trx) => leaseInboundPayloads(trx, Object.keys(handlers), now, LEASE_MS, BATCH));
    await Promise.all(
      batch.map(async (payload) => {
        try {
          await handlers[payload.source]!(deps, payload);
          await deps.store.unit((trx) => markInboundProcessed(trx, payload.id, deps.clock.now()));
          processed++;
        } catch (error) {
          if (error instanceof ProcessLater) {
            logger.debug({ payloadId: payload.id, reason: error.message }, 'part of an inbound payload waits; it will be read again');
            await deps.store.unit((trx) => retryInboundLater(trx, payload.id, deps.clock.now() + error.delayMs, error.message));
            return;
          }
          logger.error({ err: error, payloadId: payload.id, source: payload.source, attempt: payload.attempts }, 'processing an inbound payload failed; it will be retried');
          const reason = error instanceof Error ? error.message : String(error);
          await deps.store.unit((trx) => retryInboundLater(trx, payload.id, nextAttemptAt(deps.clock.now(), payload.attempts, Math.random, RETRY_SCHEDULE), reason.slice(0, 2000)));
        }
      }),
    );
    if (batch.length < BATCH) return processed;
  }
}

/**
 * Runs the processing of one process: on a timer (the job) and at once when a payload was stored
 * (kick), never two passes at a time; a kick during a pass runs one more pass after it.
 */
export class InboundProcessor {
  readonly #deps: Deps;
  readonly #handlers: Record<string, PayloadHandler>;
  readonly #logger: Logger;
  #running: Promise<number> | null = null;
  #again = false;

  constructor(deps: Deps, handlers: Record<string, PayloadHandler>, logger: Logger) {
    this.#deps = deps;
    this.#handlers = handlers;
    this.#logger = logger;
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
          total += await processInboundPayloads(this.#deps, this.#handlers, this.#logger);
        } while (this.#again);
      } finally {
        this.#running = null;
      }
      return total;
    })();
    return this.#running;
  }

  /** Starts a pass without waiting for it; failures are logged, the timer tries again. */
  kick(): void {
    this.run().catch((error: unknown) => this.#logger.error({ err: error }, 'processing inbound payloads failed'));
  }
}
