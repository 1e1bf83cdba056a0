// Reading stored deliveries: one handler per source, the same for every channel. The channel's adapter
// reads the raw delivery into channel-neutral events per provider account; each account's events go to
// the channel connected to it (for webhooks, only when the delivery's signature holds under that
// channel's secrets), and the core applies them. Deliveries about the same customer are never applied
// side by side, so one customer's messages keep their order.
import type { ChannelAdapter, DeliveryEnvelope, DnsResolver, SenderCheck } from '../../channels/adapter.js';
import { conversationKeysOf, type AccountEvents, type CustomerMessage } from '../../channels/inbound-events.js';
import type { InboundMessage } from '../../channels/types.js';
import { channelAdapters } from '../../channels/registry.js';
import type { ChannelRow } from '../../db/schema.js';
import { DAY, MINUTE } from '../../domain/clock.js';
import { forEachLimited } from '../../lib/bounded-concurrency.js';
import { KeyedSerializer } from '../../lib/keyed-serializer.js';
import type { Logger } from '../../lib/logger.js';
import type { AttachmentStorage } from '../attachments/attachment-storage.js';
import { AccountChannels, channelAccount, findChannel } from '../channels/channel.repo.js';
import type { Deps } from '../deps.js';
import { ingestBatch, isPlainMessage } from '../messages/ingest-batch.js';
import { applyInboundEvents, prepareCustomerMessages, type ApplyContext, type DeliveryOutcome, type PreparedMessages } from './apply-inbound-events.js';
import type { InboundPayload } from './inbound-payload.repo.js';
import { ProcessLater, type InboundHandling, type PayloadHandler } from './process-inbound.js';

// A receipt or reaction can overtake the message it refers to; it is looked for again for a day.
const WAIT_FOR_REFERENCED_MESSAGE_MS = DAY;
const RETRY_REFERENCES_AFTER_MS = MINUTE;
// Deliveries of a batch read at the same time ahead of storing their messages together.
const READS_AT_ONCE = 8;

/** The handling of every source of every channel; `attachments` is where files that come with deliveries are kept. */
export function inboundHandlers(logger: Logger, attachments?: AttachmentStorage, options: { resolveDns?: DnsResolver } = {}): InboundHandling {
  const context: ApplyContext = { logger, lookupsAsked: new Map(), ...(attachments ? { attachments } : {}), ...options };
  const readers = new Map(channelAdapters.flatMap((adapter) => {
    const reader = deliveryReader(adapter, context);
    return adapter.sources.map((source) => [source, reader] as const);
  }));
  // What the batch step read, by payload: each payload's handler takes it instead of reading again.
  const prepared = new Map<string, ReadDelivery>();
  const handlers: Record<string, PayloadHandler> = {};
  for (const [source, reader] of readers) {
    handlers[source] = async (deps, payload) => {
      const read = prepared.get(payload.id);
      prepared.delete(payload.id);
      await reader.apply(deps, read ?? (await reader.read(deps, payload)));
    };
  }
  return {
    handlers,
    prepareBatch: async (deps, payloads) => {
      prepared.clear();
      // Read side by side (a read may ask the provider for a profile), kept in the order they were received.
      const slots: (ReadDelivery | undefined)[] = payloads.map(() => undefined);
      await forEachLimited([...payloads.keys()], READS_AT_ONCE, async (i) => {
        try {
          slots[i] = await readers.get(payloads[i]!.source)!.read(deps, payloads[i]!);
        } catch (error) {
          // Its handler reads it again, and its failure is counted there.
          logger.debug({ err: error, payloadId: payloads[i]!.id }, 'a delivery could not be read ahead of its batch');
        }
      });
      const reads = slots.filter((read) => read !== undefined);
      try {
        await storeTogether(deps, reads);
      } catch (error) {
        // Each message is then stored one at a time by its delivery's handler.
        logger.warn({ err: error }, 'storing a batch of messages together failed; they are stored one at a time');
        for (const read of reads) for (const account of read.accounts) account.prepared.stored.clear();
      }
      for (const read of reads) prepared.set(read.payload.id, read);
    },
  };
}

/** Reads the stored deliveries of one channel kind, then applies them; resolves with what became of each part. */
export function deliveryHandler(adapter: ChannelAdapter, context: ApplyContext): (deps: Deps, payload: InboundPayload) => Promise<DeliveryOutcome[]> {
  const reader = deliveryReader(adapter, context);
  return async (deps, payload) => reader.apply(deps, await reader.read(deps, payload));
}

/** A delivery read: the events of each account whose channel it is for, with their customer messages made ready. */
interface ReadDelivery {
  payload: InboundPayload;
  /** Set when there is nothing to apply (the delivery's channel is gone). */
  outcomes?: DeliveryOutcome[];
  accounts: { channel: ChannelRow; events: AccountEvents; prepared: PreparedMessages }[];
  senderCheck: SenderCheck | null;
  /** The conversations it touches: two deliveries about the same one are never applied side by side. */
  conversations: string[];
}

function deliveryReader(adapter: ChannelAdapter, context: ApplyContext) {
  // Payloads are processed side by side for throughput; two about the same conversation are not.
  const serializer = new KeyedSerializer();
  const known = new AccountChannels();
  return {
    async read(deps: Deps, payload: InboundPayload): Promise<ReadDelivery> {
      const stored = payload.channel_id ? await findChannel(deps.store.db, payload.channel_id) : null;
      if (payload.channel_id && stored?.kind !== adapter.kind) return { payload, outcomes: [{ outcome: 'ignored', reason: 'channel_gone' }], accounts: [], senderCheck: null, conversations: [] };
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
      const channels = stored ? new Map([[stored.external_id, stored]]) : await signedChannels(deps, known, adapter, payload, accounts, context.logger);
      const read: ReadDelivery = { payload, accounts: [], senderCheck, conversations: accounts.flatMap(conversationKeysOf) };
      for (const events of accounts) {
        const channel = channels.get(events.accountId);
        if (channel) read.accounts.push({ channel, events, prepared: { messages: await prepareCustomerMessages(deps, channel, events, context), stored: new Map() } });
      }
      return read;
    },

    async apply(deps: Deps, read: ReadDelivery): Promise<DeliveryOutcome[]> {
      if (read.outcomes) return read.outcomes;
      const { payload } = read;
      return serializer.run(read.conversations, async () => {
        const outcomes: DeliveryOutcome[] = [];
        let waiting = 0;
        for (const { channel, events, prepared } of read.accounts) {
          const applied = await applyInboundEvents(deps, channel, events, { id: payload.id, receivedAt: payload.received_at, senderCheck: read.senderCheck }, context, prepared);
          outcomes.push(...applied.outcomes);
          waiting += applied.waiting;
        }
        if (waiting > 0 && deps.clock.now() - payload.received_at < WAIT_FOR_REFERENCED_MESSAGE_MS) {
          throw new ProcessLater(`${waiting} part(s) refer to a message not stored yet`, RETRY_REFERENCES_AFTER_MS);
        }
        return outcomes;
      });
    },
  };
}

/**
 * Stores the plain customer messages of a batch of deliveries together (ingestBatch), and tells each
 * delivery which of its messages are stored. A sender's messages keep their order: once one of them is
 * left to its delivery's handler, every later one of that sender in the batch is too.
 */
async function storeTogether(deps: Deps, reads: ReadDelivery[]): Promise<void> {
  const taken: { message: CustomerMessage; stored: PreparedMessages['stored'] }[] = [];
  const inbound: InboundMessage[] = [];
  const waiting = new Set<string>();
  for (const read of reads) {
    for (const { channel, prepared } of read.accounts) {
      for (const message of prepared.messages) {
        const senders = [message.contact.address, message.contact.userId].filter((key) => key).map((key) => `${channel.id}\n${key}`);
        const { files, threadingHints, contentHash, commentTriage, ...rest } = message;
        const inboundMessage = { ...rest, channelId: channel.id };
        // Mail (its sender check, threading and files) and comments under rules go one at a time.
        const together = !read.senderCheck && !files?.length && !threadingHints && !contentHash && !commentTriage && isPlainMessage(inboundMessage) && !senders.some((key) => waiting.has(key));
        if (together) {
          taken.push({ message, stored: prepared.stored });
          inbound.push(inboundMessage);
        }
        for (const key of senders) waiting.add(key);
      }
    }
  }
  if (inbound.length === 0) return;
  const results = await ingestBatch(deps, inbound);
  results.forEach((result, i) => {
    if (result) taken[i]!.stored.set(taken[i]!.message, result);
  });
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
