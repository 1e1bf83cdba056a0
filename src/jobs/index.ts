// Every background job and its interval. All of them are safe to run on every server process at once.
import type { Deps } from '../modules/deps.js';
import { runAutoClose } from '../modules/auto-close/run-auto-close.js';
import { deliverDueMessages, type Senders } from '../modules/outbox/deliver-messages.js';
import { pruneFinishedOutbox } from '../modules/outbox/prune-outbox.js';
import { wakeSnoozedTickets } from '../modules/tickets/wake-snoozed.js';
import { pruneRealtimeEvents } from '../modules/realtime/prune-realtime-events.js';
import { deliverWebhooks } from '../modules/webhooks/deliver-webhooks.js';
import { fanOutWebhookEvents } from '../modules/webhooks/fan-out-webhook-events.js';
import type { Job } from './runner.js';

/** The jobs of a server process. */
export function jobsFor(deps: Deps, senders: Senders): Job[] {
  return [
    { name: 'outbox-relay', intervalMs: 1_000, run: () => deliverDueMessages(deps, senders) },
    { name: 'snooze-wake', intervalMs: 30_000, run: () => wakeSnoozedTickets(deps, deps.clock.now()) },
    { name: 'auto-close', intervalMs: 60_000, run: () => runAutoClose(deps, deps.clock.now()) },
    { name: 'realtime-prune', intervalMs: 60 * 60_000, run: () => pruneRealtimeEvents(deps, deps.clock.now()) },
    { name: 'outbox-prune', intervalMs: 60 * 60_000, run: () => pruneFinishedOutbox(deps, deps.clock.now()) },
    { name: 'webhook-fan-out', intervalMs: 1_000, run: () => fanOutWebhookEvents(deps) },
    { name: 'webhook-delivery', intervalMs: 1_000, run: () => deliverWebhooks(deps) },
  ];
}
