// Every background job and its interval. All of them are safe to run on every server process at once.
import type { MediaFetcher } from '../channels/types.js';
import type { ChannelKind } from '../domain/reply-policy.js';
import type { Logger } from '../lib/logger.js';
import type { AttachmentStorage } from '../modules/attachments/attachment-storage.js';
import { fetchDueMedia } from '../modules/attachments/fetch-provider-media.js';
import { pruneUnsentUploads } from '../modules/attachments/prune-unsent-uploads.js';
import type { Deps } from '../modules/deps.js';
import type { InboundProcessor } from '../modules/inbound/process-inbound.js';
import { runAutoClose } from '../modules/auto-close/run-auto-close.js';
import { syncStaleTemplates } from '../modules/channels/sync-templates.js';
import { deliverDueMessages, type Senders } from '../modules/outbox/deliver-messages.js';
import { pruneFinishedOutbox } from '../modules/queue/prune-outbox.js';
import { wakeSnoozedTickets } from '../modules/tickets/wake-snoozed.js';
import { pruneRealtimeEvents } from '../modules/realtime/prune-realtime-events.js';
import { pruneSignInThrottle } from '../modules/auth/sign-in-throttle.js';
import { deliverWebhooks } from '../modules/webhooks/deliver-webhooks.js';
import { pollMailboxes } from '../modules/inbound/poll-mailboxes.js';
import { fanOutWebhookEvents } from '../modules/webhooks/fan-out-webhook-events.js';
import type { Job } from './runner.js';

/** What the jobs of a server process work with besides the engine's ports. */
export interface JobPorts {
  senders: Senders;
  inbound: InboundProcessor;
  attachments: AttachmentStorage;
  mediaFetchers: Partial<Record<ChannelKind, MediaFetcher>>;
  logger: Logger;
}

/** The jobs of a server process. */
export function jobsFor(deps: Deps, ports: JobPorts): Job[] {
  const { senders } = ports;
  return [
    { name: 'inbound', intervalMs: 1_000, run: () => ports.inbound.run() },
    { name: 'media-fetch', intervalMs: 2_000, run: () => fetchDueMedia(deps, ports.attachments, ports.mediaFetchers, ports.logger) },
    { name: 'outbox-relay', intervalMs: 1_000, run: () => deliverDueMessages(deps, senders) },
    { name: 'snooze-wake', intervalMs: 30_000, run: () => wakeSnoozedTickets(deps, deps.clock.now()) },
    { name: 'auto-close', intervalMs: 60_000, run: () => runAutoClose(deps, deps.clock.now()) },
    { name: 'realtime-prune', intervalMs: 60 * 60_000, run: () => pruneRealtimeEvents(deps, deps.clock.now()) },
    { name: 'sign-in-throttle-prune', intervalMs: 60 * 60_000, run: () => pruneSignInThrottle(deps.store.db, deps.clock.now()) },
    { name: 'outbox-prune', intervalMs: 60 * 60_000, run: () => pruneFinishedOutbox(deps, deps.clock.now()) },
    { name: 'unsent-uploads-prune', intervalMs: 60 * 60_000, run: () => pruneUnsentUploads(deps, ports.attachments, deps.clock.now()) },
    { name: 'webhook-fan-out', intervalMs: 1_000, run: () => fanOutWebhookEvents(deps) },
    { name: 'webhook-delivery', intervalMs: 1_000, run: () => deliverWebhooks(deps) },
    {
      name: 'mailboxes',
      intervalMs: 30_000,
      run: async () => {
        const stored = await pollMailboxes(deps, (channelId, error) => ports.logger.warn({ err: error, channelId }, 'reading a mailbox failed; it is tried again next run'));
        if (stored > 0) ports.inbound.kick();
        return stored;
      },
    },

    // Each live channel's templates are synced when 6 hours old; the job only looks for such channels.
    { name: 'template-sync', intervalMs: 10 * 60_000, run: () => syncStaleTemplates(deps, { onFailure: (channelId, reason) => ports.logger.warn({ channelId, reason }, 'template sync failed') }) },
  ];
}
