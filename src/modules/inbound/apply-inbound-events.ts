// The one channel-neutral core that applies what a delivery says about one channel: unreadable parts
// recorded for admins, customers' messages completed by the channel's lookups and stored in order (each
// customer's in turn, different customers side by side), the brand's own messages recorded once, then
// reactions, receipts, reads, unsends and bounces applied to the messages they name. Everything here is
// idempotent: a delivery read again redoes nothing.
import type { DnsResolver, EnrichContext, SenderCheck } from '../../channels/adapter.js';
import type { AccountEvents, CommentTriage, CustomerMessage } from '../../channels/inbound-events.js';
import { channelAdapter } from '../../channels/registry.js';
import type { ChannelRow } from '../../db/schema.js';
import { MINUTE } from '../../domain/clock.js';
import { DomainError } from '../../domain/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { AttachmentStorage } from '../attachments/attachment-storage.js';
import { channelAccount } from '../channels/channel.repo.js';
import { addressesWithUsername, isAddressBlocked } from '../contacts/contact.repo.js';
import type { Deps } from '../deps.js';
import { recordBrandMessage } from '../messages/brand-messages.js';
import { applyDeliveryReceipt, applyReadUpTo } from '../messages/delivery-receipts.js';
import { ingestInbound, type IngestResult } from '../messages/ingest-inbound.js';
import { applyReadUntil } from '../messages/read-watermark.js';
import { applyReaction } from '../messages/reactions.js';
import { applyUnsend } from '../messages/unsend.js';
import { holdAutomated, unlessReleasedFromAutomatedHold } from './automated-hold.js';
import { addressOfAnsweredCustomer } from './conversation-lookups.repo.js';
import { storeDeliveredFiles, type StoredFiles } from './delivered-files.js';
import { holdUnattributed } from './hold-unattributed.js';
import { recordBounce } from './record-bounce.js';
import { withDistinctProviderId } from './same-provider-id.js';
import { gateBySender } from './sender-gate.js';
import { findThreadCandidates } from './thread-candidates.js';
import { answerCommentAutomatically } from './comment-answers.js';
import { triageComments } from './comment-triage.js';
import { recordUnreadable } from './unreadable-inbound.repo.js';

// An echo may overtake the answer to our own send (channels.md §B.4): while a send of the same text is
// in flight the echo waits; after this long it is recorded as the brand's own message.
const ECHO_MATCH_WINDOW_MS = 10 * MINUTE;

/** What became of one part of a delivery. */
export type DeliveryOutcome = IngestResult | { outcome: 'ignored'; reason: string } | { outcome: 'bounce_recorded' } | { outcome: 'refused'; code: string } | { outcome: 'held'; reason: string };

/** What the core keeps between deliveries of one source. */
export interface ApplyContext {
  logger: Logger;
  /** Where files that came with a delivery are kept (and unsent ones deleted from). */
  attachments?: AttachmentStorage;
  /** When lookups were last asked for, by key (the channel's enrich step asks each at most so often). */
  lookupsAsked: Map<string, number>;
  /** Answers the DNS questions of sender checks (tests give a zone of their own); the system's resolver otherwise. */
  resolveDns?: DnsResolver;
}

/** The stored delivery the events come from, and what checking its sender found (when the channel checks). */
export interface DeliveryContext {
  id: string;
  receivedAt: number;
  senderCheck?: SenderCheck | null;
}

export interface AppliedEvents {
  outcomes: DeliveryOutcome[];
  /** Parts that refer to a message not stored yet (a receipt overtaking its send): the delivery is read again later. */
  waiting: number;
}

/** A delivery's customer messages made ready before it is applied, and what became of those stored already with their batch. */
export interface PreparedMessages {
  messages: CustomerMessage[];
  stored: Map<CustomerMessage, DeliveryOutcome>;
}

/** Applies what one delivery, received at `receivedAt`, says about one channel. */
export async function applyInboundEvents(deps: Deps, channel: ChannelRow, events: AccountEvents, delivery: DeliveryContext, context: ApplyContext, prepared?: PreparedMessages): Promise<AppliedEvents> {
  const { logger } = context;
  for (const error of events.errors) logger.warn({ channelId: channel.id, code: error.code, payloadId: delivery.id }, `${channel.kind} reported: ${error.message}`);
  for (const item of events.unreadable) logger.warn({ channelId: channel.id, payloadId: delivery.id, item: item.item }, `a ${channel.kind} event could not be read: ${item.reason}`);
  await recordUnreadable(deps.store.db, channel, { id: delivery.id, received_at: delivery.receivedAt }, events.unreadable, deps.clock.now());
  const outcomes: DeliveryOutcome[] = events.dropped.map((reason) => ({ outcome: 'ignored', reason }));
  for (const unattributed of events.unattributed) outcomes.push(await holdUnattributed(deps, channel, unattributed, delivery));
  const messages = prepared?.messages ?? (await prepareCustomerMessages(deps, channel, events, context));
  outcomes.push(...(await storeByContact(deps, channel, messages, delivery, context, prepared?.stored)));
  let waiting = 0;
  const matchInFlight = deps.clock.now() - delivery.receivedAt < ECHO_MATCH_WINDOW_MS;
  for (const echo of events.echoes) {
    const to = echo.to ?? (echo.answers ? await addressOfAnsweredCustomer(deps.store.db, channel.id, echo.answers) : undefined);
    if (!to) {
      // An answer to a message we never stored (written before the channel was connected) belongs to no ticket.
      logger.info({ channelId: channel.id, providerMessageId: echo.providerMessageId }, `a ${channel.kind} message of the brand answers nothing stored; it was skipped`);
      continue;
    }
    try {
      const recorded = await recordBrandMessage(deps, { channelId: channel.id, ...echo, to }, { matchInFlight });
      if (recorded.outcome === 'in_flight') waiting++;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      logger.warn({ channelId: channel.id, providerMessageId: echo.providerMessageId, code: error.code }, `a ${channel.kind} echo was refused: ${error.message}`);
    }
  }
  for (const reaction of events.reactions) if (!(await applyReaction(deps, channel.id, reaction))) waiting++;
  for (const receipt of events.receipts) if ((await applyDeliveryReceipt(deps, channel.id, receipt)) === 'unknown') waiting++;
  for (const read of events.reads) {
    if (read.providerMessageId) {
      if ((await applyReadUpTo(deps, channel.id, { providerMessageId: read.providerMessageId, at: read.at })) === 'unknown') waiting++;
    } else if (read.watermark !== null) {
      await applyReadUntil(deps, channel.id, { address: read.from, watermark: read.watermark, at: read.at });
    }
  }
  // The channel's settings are read only for the deliveries that need them, not for every message.
  const keepContent = events.unsends.length > 0 && channelAccount(channel).settings.keepUnsentContent === true;
  for (const unsend of events.unsends) {
    const removed = await applyUnsend(deps, channel.id, unsend, keepContent);
    if (removed === null) waiting++;
    for (const key of removed ?? []) await context.attachments?.delete(key);
  }
  for (const bounce of events.bounces) {
    if (await recordBounce(deps, channel, bounce)) outcomes.push({ outcome: 'bounce_recorded' });
    // A report that names none of our messages is mail like any other.
    else if (bounce.otherwise) outcomes.push(await storeOne(deps, channel, bounce.otherwise, delivery, context));
  }
  return { outcomes, waiting };
}

/** The customer messages of a delivery, completed by the channel's lookups and decided by its comment rules. */
export async function prepareCustomerMessages(deps: Deps, channel: ChannelRow, events: AccountEvents, context: ApplyContext): Promise<CustomerMessage[]> {
  return triageComments(channel, await enriched(deps, channel, events.messages, context));
}

/** The messages completed by the channel's lookups (names, links), when it has any. */
async function enriched(deps: Deps, channel: ChannelRow, messages: CustomerMessage[], context: ApplyContext): Promise<CustomerMessage[]> {
  const enrich = channelAdapter(channel.kind).enrich;
  if (!enrich || messages.length === 0) return messages;
  const lookups: EnrichContext = {
    knownAddresses: (addresses) => addressesWithUsername(deps.store.db, channel.id, addresses),
    mayAsk(key, intervalMs) {
      const now = deps.clock.now();
      if (now - (context.lookupsAsked.get(key) ?? -Infinity) < intervalMs) return false;
      context.lookupsAsked.set(key, now);
      return true;
    },
    lookupFailed: (what, error) => {
      context.logger.info({ channelId: channel.id, err: error }, `${channel.kind} did not give the ${what}; the message is stored without it`);
      return null;
    },
  };
  return enrich(channelAccount(channel, deps), messages, lookups);
}

/** Stores each customer's messages in order, different customers side by side; those in `stored` were stored with their batch. */
async function storeByContact(deps: Deps, channel: ChannelRow, messages: CustomerMessage[], delivery: DeliveryContext, context: ApplyContext, stored?: Map<CustomerMessage, DeliveryOutcome>): Promise<DeliveryOutcome[]> {
  const byContact = new Map<string, CustomerMessage[]>();
  for (const message of messages) {
    // A provider user id (a WhatsApp BSUID) names the customer whether or not the address came with it.
    const key = message.contact.userId ?? message.contact.address;
    byContact.set(key, [...(byContact.get(key) ?? []), message]);
  }
  const outcomes = await Promise.all(
    [...byContact.values()].map(async (ordered) => {
      const outcomes: DeliveryOutcome[] = [];
      for (const message of ordered) outcomes.push(stored?.get(message) ?? (await storeOne(deps, channel, message, delivery, context)));
      return outcomes;
    }),
  );
  return outcomes.flat();
}

/**
 * Stores one customer message with its files and the tickets it points at; a message the engine refuses is
 * logged and skipped, and automated mail with no ticket to join is held for an admin.
 */
async function storeOne(deps: Deps, channel: ChannelRow, arrived: CustomerMessage, delivery: DeliveryContext, context: ApplyContext): Promise<DeliveryOutcome> {
  const received = await withDistinctProviderId(deps.store.db, channel.id, arrived, context.logger);
  // A blocked sender's message is recorded as blocked by ingest; its files are never written.
  const blocked = (received.files?.length || received.threadingHints) && (await isAddressBlocked(deps.store.db, channel.id, received.contact.address));
  const gated = delivery.senderCheck && !blocked ? await gateBySender(deps, channel, received, delivery.senderCheck, delivery) : { pass: true as const, message: received };
  if (!gated.pass) return { outcome: 'held', reason: gated.reason };
  const { files, threadingHints, commentTriage, ...inbound } = await unlessReleasedFromAutomatedHold(deps, channel.id, gated.message);
  const threadCandidates = threadingHints && !blocked ? await findThreadCandidates(deps.store.db, channel, threadingHints) : undefined;
  const stored = files?.length && !blocked ? await storeFiles(deps, channel, files, context) : null;
  try {
    const ingest = (message: typeof inbound) =>
      ingestInbound(deps, {
        ...message,
        channelId: channel.id,
        ...(stored ? { attachments: [...(message.attachments ?? []), ...stored.attachments] } : {}),
        ...(threadingHints ? { threadCandidates: threadCandidates ?? [] } : {}),
        ...(threadingHints?.conversation ? { conversation: threadingHints.conversation } : {}),
        ...(commentTriage ? commentRuleFields(message, commentTriage) : {}),
      });
    let result = await ingest(inbound);
    if (result.outcome === 'duplicate' && inbound.contentHash) {
      // A different message with the same id may have been stored meanwhile by a delivery beside this one.
      const distinct = await withDistinctProviderId(deps.store.db, channel.id, inbound, context.logger);
      if (distinct.providerMessageId !== inbound.providerMessageId) result = await ingest(distinct);
    }
    if (result.outcome === 'stored') await stored?.link(result.messageId);
    else await stored?.discard();
    // Answered after the comment is stored, and again when its delivery is read again: each answer goes once.
    if (commentTriage && (result.outcome === 'stored' || result.outcome === 'duplicate')) await answerCommentAutomatically(deps, result, commentTriage, context.logger);
    if (result.outcome === 'ignored' && result.reason === 'automated_without_ticket') {
      await holdAutomated(deps, channel, inbound, delivery);
      return { outcome: 'held', reason: 'automated' };
    }
    return result;
  } catch (error) {
    await stored?.discard();
    // A message the engine refuses (an unusable address) would be refused again on every retry.
    if (!(error instanceof DomainError)) throw error;
    context.logger.warn({ channelId: channel.id, providerMessageId: received.providerMessageId, code: error.code }, `a ${channel.kind} message was refused: ${error.message}`);
    return { outcome: 'refused', code: error.code };
  }
}

/** A triaged comment keeps the rule that decided in its data (reports count per rule); a recorded one opens no ticket. */
function commentRuleFields(message: Omit<CustomerMessage, 'files' | 'threadingHints' | 'commentTriage'>, triage: CommentTriage) {
  return {
    ...(triage.ruleId ? { data: { ...message.data, commentRule: { id: triage.ruleId, action: triage.action } } } : {}),
    ...(triage.action === 'record' ? { recordOnly: { ruleId: triage.ruleId, mediaId: triage.mediaId, permalink: triage.permalink } } : {}),
  };
}

function storeFiles(deps: Deps, channel: ChannelRow, files: NonNullable<CustomerMessage['files']>, context: ApplyContext): Promise<StoredFiles> {
  // Without storage the delivery waits for a process that has it, rather than losing the files.
  if (!context.attachments) throw new Error('files arrived with a delivery, and this process has no attachment storage');
  return storeDeliveredFiles(deps, context.attachments, channel, files);
}
