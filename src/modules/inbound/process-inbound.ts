// Processing stored provider deliveries: each source's handler turns a payload into messages, statuses
// and events through the engine's use cases. A payload is marked processed only when its handler
// finished; one that fails is retried with backoff and keeps its error, and is never dropped.
import type { Logger } from '../../lib/logger.js';
import type { Deps } from '../deps.js';
import { nextAttemptAt } from '../outbox/backoff.js';
import { leaseInboundPayloads, markInboundProcessed, retryInboundLater, type InboundPayload } from './inbound-payload.repo.js';

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
          logger.error({ err: error, payloadId: payload.id, source: payload.source, attempt: payload.attempts }, 'processing an inbound payload failed; it will be retried');
          const reason = error instanceof Error ? error.message : String(error);
          await deps.store.unit((trx) => retryInboundLater(trx, payload.id, nextAttemptAt(deps.clock.now(), payload.attempts, Math.random, RETRY_SCHEDULE), reason.slice(0, 2000)));
        }
      }),
    );
    if (batch.length < BATCH) return processed;
  }
}
