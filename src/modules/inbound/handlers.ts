// Reading stored deliveries: one handler per source, the same for every channel. The channel's adapter
// reads the raw delivery into channel-neutral events per provider account; each account's events go to
// the channel connected to it (for webhooks, only when the delivery's signature holds under that
// channel's secrets), and the core applies them. Deliveries about the same customer are never applied
// side by side, so one customer's messages keep their order.
import type { ChannelAdapter, DeliveryEnvelope, DnsResolver } from '../../channels/adapter.js';
import { conversationKeysOf, type AccountEvents } from '../../channels/inbound-events.js';
import { channelAdapters } from '../../channels/registry.js';
import type { ChannelRow } from '../../db/schema.js';
import { DAY, MINUTE } from '../../domain/clock.js';
import { KeyedSerializer } from '../../lib/keyed-serializer.js';
import type { Logger } from '../../lib/logger.js';
import type { AttachmentStorage } from '../attachments/attachment-storage.js';
import { AccountChannels, channelAccount, findChannel } from '../channels/channel.repo.js';
import type { Deps } from '../deps.js';
import { applyInboundEvents, type ApplyContext, type DeliveryOutcome } from './apply-inbound-events.js';
import type { InboundPayload } from './inbound-payload.repo.js';
import { ProcessLater, type PayloadHandler } from './process-inbound.js';

// A receipt or reaction can overtake the message it refers to; it is looked for again for a day.
const WAIT_FOR_REFERENCED_MESSAGE_MS = DAY;
const RETRY_REFERENCES_AFTER_MS = MINUTE;

/** The handler of every source of every channel; `attachments` is where files that come with deliveries are kept. */
export function inboundHandlers(logger: Logger, attachments?: AttachmentStorage, options: { resolveDns?: DnsResolver } = {}): Record<string, PayloadHandler> {
  const handlers: Record<string, PayloadHandler> = {};
  for (const adapter of channelAdapters) {
    const handler = deliveryHandler(adapter, { logger, lookupsAsked: new Map(), ...(attachments ? { attachments } : {}), ...options });
    for (const source of adapter.sources) handlers[source] = async (deps, payload) => void (await handler(deps, payload));
  }
  return handlers;
}

/** Reads the stored deliveries of one channel kind; resolves with what became of each part. */
export function deliveryHandler(adapter: ChannelAdapter, context: ApplyContext): (deps: Deps, payload: InboundPayload) => Promise<DeliveryOutcome[]> {
  // Payloads are processed side by side for throughput; two about the same conversation are not.
  const serializer = new KeyedSerializer();
  const known = new AccountChannels();
  return async (deps, payload) => {
    const stored = payload.channel_id ? await findChannel(deps.store.db, payload.channel_id) : null;
    if (payload.channel_id && stored?.kind !== adapter.kind) return [{ outcome: 'ignored', reason: 'channel_gone' }];
    const delivery = {
      source: payload.source,
      raw: payload.raw,
      signature: payload.signature,
      receivedAt: payload.received_at,
      channel: stored ? channelAccount(stored, deps) : null,
      envelope: payload.envelope ? (JSON.parse(payload.envelope) as DeliveryEnvelope) : null,
    };
    const accounts = await adapter.read(delivery);
    const carriesMessages = accounts.some((events) => events.messages.length > 0 || events.bounces.some((bounce) => bounce.otherwise));
    const senderCheck = stored && carriesMessages && adapter.checkSender ? await adapter.checkSender(delivery, delivery.channel!, context.resolveDns ? { resolveDns: context.resolveDns } : {}) : null;
    return serializer.run(accounts.flatMap(conversationKeysOf), async () => {
      const channels = stored ? new Map([[stored.external_id, stored]]) : await signedChannels(deps, known, adapter, payload, accounts, context.logger);
      const outcomes: DeliveryOutcome[] = [];
      let waiting = 0;
      for (const events of accounts) {
        const channel = channels.get(events.accountId);
        if (!channel) continue;
        const applied = await applyInboundEvents(deps, channel, events, { id: payload.id, receivedAt: payload.received_at, senderCheck }, context);
        outcomes.push(...applied.outcomes);
        waiting += applied.waiting;
      }
      if (waiting > 0 && deps.clock.now() - payload.received_at < WAIT_FOR_REFERENCED_MESSAGE_MS) {
        throw new ProcessLater(`${waiting} part(s) refer to a message not stored yet`, RETRY_REFERENCES_AFTER_MS);
      }
      return outcomes;
    });
  };
}

/**
 * The channels of the accounts a webhook delivery is for, by account id, each only if the delivery is
 * signed under its secrets. `known` is the handler's short-lived cache of channels by account.
 */
async function signedChannels(deps: Deps, known: AccountChannels, adapter: ChannelAdapter, payload: InboundPayload, accounts: AccountEvents[], logger: Logger): Promise<Map<string, ChannelRow>> {
  const accountIds = accounts.map((a) => a.accountId);
  const channels = await known.find(deps.store.db, adapter.kind, accountIds);
  const signed = new Map<string, ChannelRow>();
  for (const channel of channels) {
    if (adapter.webhook?.verifySignature(payload.raw, payload.signature, channelAccount(channel))) signed.set(channel.external_id, channel);
    else logger.warn({ channelId: channel.id, payloadId: payload.id }, `a ${adapter.kind} change not signed with its channel's app secret was skipped`);
  }
  for (const account of accountIds) {
    if (!channels.some((c) => c.external_id === account)) logger.warn({ account, payloadId: payload.id }, `a ${adapter.kind} change for an account no channel connects was skipped`);
  }
  return signed;
}
