// Processing a stored Instagram webhook body: each entry goes to the channel of its Instagram account,
// only when the body's signature holds under that channel's app secret. Customers' DMs and comments go
// through ingestInbound (one customer's messages in order), the brand's echoed messages are recorded once,
// and reactions, reads and unsends are applied to the messages they name. Redelivered bodies redo nothing.
import { fetchInstagramPermalink, fetchInstagramProfile } from '../../channels/instagram/graph.js';
import { readInstagramPayload, type CustomerMessage, type InstagramEntry } from '../../channels/instagram/inbound.js';
import type { ChannelAccount } from '../../channels/types.js';
import type { ChannelRow } from '../../db/schema.js';
import { HOUR, MINUTE } from '../../domain/clock.js';
import { DomainError } from '../../domain/errors.js';
import { parseStorableJson } from '../../domain/storable-text.js';
import { KeyedSerializer } from '../../lib/keyed-serializer.js';
import type { Logger } from '../../lib/logger.js';
import type { AttachmentStorage } from '../attachments/attachment-storage.js';
import { AccountChannels, channelAccount } from '../channels/channel.repo.js';
import { addressesWithUsername } from '../contacts/contact.repo.js';
import type { Deps } from '../deps.js';
import { recordBrandMessage } from '../messages/brand-messages.js';
import { applyReadUpTo } from '../messages/delivery-receipts.js';
import { applyReaction } from '../messages/reactions.js';
import { applyUnsend } from '../messages/unsend.js';
import type { InboundPayload } from './inbound-payload.repo.js';
import { ingestByContact, signedChannels, waitForReferencedMessages } from './meta-payloads.js';
import type { PayloadHandler } from './process-inbound.js';
import { recordUnreadable } from './unreadable-inbound.repo.js';

// An echo may overtake the answer to our own send (channels.md §B.4): while a send of the same text is
// in flight the echo waits; after this long it is recorded as the brand's own message.
const ECHO_MATCH_WINDOW_MS = 10 * MINUTE;
// A profile Instagram would not give is not asked for again for a while.
const PROFILE_RETRY_MS = HOUR;

/** Whom an entry is about: one customer's events keep the order their payloads arrived in. */
function conversationsOf(entries: InstagramEntry[]): string[] {
  return entries.flatMap((entry) => [
    ...entry.messages.map((m) => `${entry.accountId}:${m.contact.address}`),
    ...entry.echoes.map((e) => `${entry.accountId}:${e.to}`),
    ...[...entry.reactions, ...entry.reads, ...entry.unsends].map((u) => `${entry.accountId}:${u.from}`),
  ]);
}

/** Reads stored Instagram bodies; `attachments` (when given) is where unsent files are deleted from. */
export function instagramPayloadHandler(logger: Logger, attachments?: AttachmentStorage): PayloadHandler {
  const serializer = new KeyedSerializer();
  const profilesAsked = new Map<string, number>();
  const known = new AccountChannels();
  return (deps, payload) => {
    // Every string of the body made storable the same way on both engines (domain/storable-text.ts).
    const entries = readInstagramPayload(parseStorableJson(payload.raw.toString('utf8')), payload.received_at);
    return serializer.run(conversationsOf(entries), async () => {
      const channels = await signedChannels(deps, known, 'instagram', payload, entries.map((e) => e.accountId), logger);
      let waiting = 0;
      for (const entry of entries) {
        const channel = channels.get(entry.accountId);
        if (!channel) continue;
        for (const error of entry.errors) logger.warn({ channelId: channel.id, code: error.code, payloadId: payload.id }, `Instagram sent an event that could not be read: ${error.message}`);
        for (const item of entry.unreadable) logger.warn({ channelId: channel.id, payloadId: payload.id, item: item.item }, `an Instagram event could not be read: ${item.reason}`);
        await recordUnreadable(deps.store.db, channel, payload, entry.unreadable, deps.clock.now());
        const messages = await withLookups(deps, channel, entry.messages, profilesAsked, logger);
        await ingestByContact(deps, channel, messages, logger);
        waiting += await applyEntryUpdates(deps, channel, payload, entry, attachments, logger);
      }
      waitForReferencedMessages(deps, payload, waiting);
    });
  };
}

/** Applies everything of an entry that is not a customer message; returns how many parts wait for a message not stored yet. */
async function applyEntryUpdates(deps: Deps, channel: ChannelRow, payload: InboundPayload, entry: InstagramEntry, attachments: AttachmentStorage | undefined, logger: Logger): Promise<number> {
  let waiting = 0;
  const matchInFlight = deps.clock.now() - payload.received_at < ECHO_MATCH_WINDOW_MS;
  for (const echo of entry.echoes) {
    try {
      const recorded = await recordBrandMessage(deps, { channelId: channel.id, ...echo }, { matchInFlight });
      if (recorded.outcome === 'in_flight') waiting++;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      logger.warn({ channelId: channel.id, providerMessageId: echo.providerMessageId, code: error.code }, `an Instagram echo was refused: ${error.message}`);
    }
  }
  for (const reaction of entry.reactions) if (!(await applyReaction(deps, channel.id, reaction))) waiting++;
  for (const read of entry.reads) {
    if (read.providerMessageId && (await applyReadUpTo(deps, channel.id, { providerMessageId: read.providerMessageId, at: read.at })) === 'unknown') waiting++;
  }
  const keepContent = channelAccount(channel).settings.keepUnsentContent === true;
  for (const unsend of entry.unsends) {
    const removed = await applyUnsend(deps, channel.id, unsend, keepContent);
    if (removed === null) waiting++;
    for (const key of removed ?? []) await attachments?.delete(key);
  }
  return waiting;
}

/**
 * Adds what Instagram tells about new customers (name, username) and the post a comment was left on.
 * Lookups are best effort: a refusal or timeout never holds a message back.
 */
async function withLookups(deps: Deps, channel: ChannelRow, messages: CustomerMessage[], profilesAsked: Map<string, number>, logger: Logger): Promise<CustomerMessage[]> {
  const account = channelAccount(channel, deps);
  // A sandbox channel has no Instagram account to ask (unless pointed at a fake Graph API).
  if (messages.length === 0 || (channel.sandbox === 1 && !account.settings.graphBaseUrl)) return messages;
  const profiles = new Map<string, { name: string | null; username: string | null } | null>();
  const known = await addressesWithUsername(deps.store.db, channel.id, [...new Set(messages.map((m) => m.contact.address))]);
  const now = deps.clock.now();
  for (const address of new Set(messages.filter((m) => !m.contact.username).map((m) => m.contact.address))) {
    const key = `${channel.id}:${address}`;
    if (known.has(address) || now - (profilesAsked.get(key) ?? -Infinity) < PROFILE_RETRY_MS) continue;
    profilesAsked.set(key, now);
    profiles.set(address, await fetchInstagramProfile(account, address).catch((error: unknown) => lookupFailed(logger, channel, 'profile', error)));
  }
  return Promise.all(
    messages.map(async (message) => {
      const profile = profiles.get(message.contact.address);
      const withProfile = profile ? { ...message, contact: { ...message.contact, displayName: profile.name, username: profile.username } } : message;
      return message.kind === 'comment' ? withPermalink(account, channel, withProfile, logger) : withProfile;
    }),
  );
}

async function withPermalink(account: ChannelAccount, channel: ChannelRow, message: CustomerMessage, logger: Logger): Promise<CustomerMessage> {
  const comment = message.data?.comment as { mediaId?: string | null; permalink?: string | null } | undefined;
  if (!comment?.mediaId || comment.permalink) return message;
  const permalink = await fetchInstagramPermalink(account, comment.mediaId).catch((error: unknown) => lookupFailed(logger, channel, 'media permalink', error));
  return permalink ? { ...message, data: { ...message.data, comment: { ...comment, permalink } } } : message;
}

function lookupFailed(logger: Logger, channel: ChannelRow, what: string, error: unknown): null {
  logger.info({ channelId: channel.id, err: error }, `Instagram did not give the ${what}; the message is stored without it`);
  return null;
}
