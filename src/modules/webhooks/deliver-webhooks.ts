// deliverWebhooks: the webhook worker's use case. It leases queued deliveries, POSTs each signed body to
// its webhook's URL and records the outcome: done, retried later with backoff, or given up (and then
// shown on the webhook, where an admin looks). Deliveries are at least once: a receiver dedupes by the
// X-Threadbox-Delivery header, which stays the same on every retry. Unless PRIVATE_OUTBOUND_URLS=allow, a URL
// that leads to a private address at send time gets nothing (no body, no signature): the delivery is given
// up with the reason shown on the webhook.
import { judgeAttempt, WEBHOOK_RETRY_SCHEDULE, WEBHOOK_TIMEOUT_MS, type AttemptResult } from '../../domain/webhooks.js';
import { fromJson } from '../../lib/json.js';
import { runLeasedQueue, type ItemOutcome } from '../../lib/leased-queue.js';
import { outboundFetch, privateAddressRefusal } from '../../lib/outbound-guard.js';
import type { Deps } from '../deps.js';
import { giveBackLeases } from '../queue/give-back-leases.js';
import { completeOutbox, giveUpOutbox, leaseDueOutbox, releaseOutboxLeases, retryOutboxLater, type OutboxItem } from '../queue/outbox.repo.js';
import { WEBHOOK_TOPIC, type QueuedWebhookDelivery } from './fan-out-webhook-events.js';
import { signWebhookBody } from './webhook-signature.js';

export interface WebhookDeliveryOptions {
  /** How long a receiver has to answer (tests shorten it). */
  timeoutMs?: number;
  /** Jitter for the retry time; Math.random unless told otherwise. */
  random?: () => number;
}

// Longer than an attempt can take, so a lease only runs out when the process running it died.
const LEASE_MS = 60_000;
// Deliveries of one run go out at the same time, so one slow receiver delays the run by one timeout.
const PER_RUN = 25;

type DeliveryDeps = Pick<Deps, 'store' | 'clock' | 'allowPrivateOutboundUrls'>;

/** Why a delivery was not delivered; a given-up delivery of a webhook that still exists is shown on it, for an admin. */
interface Undelivered {
  error: string;
  shownOnWebhook?: { webhookId: string; reason: string };
}

/** Delivers up to `limit` due webhook deliveries at once; returns how many were handled. */
export async function deliverWebhooks(deps: DeliveryDeps, options: WebhookDeliveryOptions = {}, limit = PER_RUN): Promise<number> {
  const totals = await runLeasedQueue<OutboxItem, string, Undelivered>({
    name: 'webhook-delivery',
    batchSize: limit,
    concurrency: limit,
    lease: (batchSize) => deps.store.unit((trx) => leaseDueOutbox(trx, WEBHOOK_TOPIC, deps.clock.now(), LEASE_MS, batchSize)),
    process: (item) => deliverOne(deps, options, item),
    // Deliveries are at least once: one whose answer could not be recorded may go out again.
    release: (items, error) => giveBackLeases(deps.store, error, items, releaseOutboxLeases),
    markSucceeded: (item, webhookId) =>
      deps.store.unit(async (trx) => {
        const now = deps.clock.now();
        await completeOutbox(trx, item.id, now);
        await trx.updateTable('webhooks').set({ last_delivery_at: now }).where('id', '=', webhookId).execute();
      }),
    // judgeAttempt decides when a delivery is given up (its answer, its attempt); what it retries is retried.
    retry: { schedule: WEBHOOK_RETRY_SCHEDULE, random: options.random },
    retryLater: (item, undelivered, delayMs) => deps.store.unit((trx) => retryOutboxLater(trx, item.id, deps.clock.now() + delayMs, undelivered.error)),
    giveUp: (item, { error, shownOnWebhook: shown }) =>
      deps.store.unit(async (trx) => {
        const now = deps.clock.now();
        await giveUpOutbox(trx, item.id, now, error);
        if (shown) await trx.updateTable('webhooks').set({ last_failure_at: now, last_failure_reason: shown.reason }).where('id', '=', shown.webhookId).execute();
      }),
  });
  return totals.leased;
}

async function deliverOne(deps: DeliveryDeps, options: WebhookDeliveryOptions, item: OutboxItem): Promise<ItemOutcome<string, Undelivered>> {
  const queued = fromJson<QueuedWebhookDelivery>(item.payload);
  const webhook = queued
    ? await deps.store.db
        .selectFrom('webhooks')
        .select(['id', 'url', 'secret', 'enabled'])
        .where('id', '=', queued.webhookId)
        .where('workspace_id', '=', item.workspace_id)
        .executeTakeFirst()
    : undefined;
  if (!queued || !webhook || webhook.enabled !== 1) {
    const reason = !queued ? 'dropped: the delivery has no payload' : !webhook ? 'dropped: the webhook was deleted' : 'dropped: the webhook is disabled';
    return { outcome: 'failed', failure: { error: reason }, final: true };
  }
  const result = await post(webhook, queued.delivery, Math.floor(deps.clock.now() / 1000), options.timeoutMs ?? WEBHOOK_TIMEOUT_MS, deps.allowPrivateOutboundUrls);
  const verdict = judgeAttempt(result, item.attempts);
  if (verdict.outcome === 'delivered') return { outcome: 'succeeded', value: webhook.id };
  if (verdict.outcome === 'retry') return { outcome: 'failed', failure: { error: verdict.error } };
  return { outcome: 'failed', failure: { error: verdict.error, shownOnWebhook: { webhookId: webhook.id, reason: verdict.reason } }, final: true };
}

/** One attempt. Never throws: an unreachable receiver is a result like any answer. */
async function post(webhook: { url: string; secret: string }, delivery: QueuedWebhookDelivery['delivery'], timestamp: number, timeoutMs: number, allowPrivate: boolean): Promise<AttemptResult> {
  const body = JSON.stringify(delivery);
  try {
    const response = await outboundFetch(webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Threadbox-Webhooks',
        'x-threadbox-event': delivery.type,
        'x-threadbox-delivery': delivery.id,
        'x-threadbox-timestamp': String(timestamp),
        'x-threadbox-signature': signWebhookBody(webhook.secret, timestamp, body),
      },
      body,
      // A redirected POST may turn into a GET elsewhere; the receiver's URL must be the final one.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    }, { allowPrivate });
    // Only the status matters; dropping the body frees the connection.
    await response.body?.cancel().catch(() => undefined);
    return { answered: true, status: response.status };
  } catch (error) {
    const refused = privateAddressRefusal(error);
    if (refused) return { answered: false, problem: refused.message, notAllowed: true };
    return { answered: false, problem: problemOf(error, timeoutMs) };
  }
}

/** A short description of why the receiver could not be reached, without the URL's secrets or the body. */
function problemOf(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; cause?: { code?: string; message?: string }; message?: string };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  return `network error: ${e.cause?.code ?? e.cause?.message ?? e.message ?? 'unknown'}`;
}
