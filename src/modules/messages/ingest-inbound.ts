// ingestInbound: one customer message, from any channel, into its ticket, durably and exactly once.
import type { Kysely } from 'kysely';
import { channelRules } from '../../channels/registry.js';
import type { InboundMessage } from '../../channels/types.js';
import type { Database, TicketRow } from '../../db/schema.js';
import { DomainError } from '../../domain/errors.js';
import { threadCustomerMessage } from '../../domain/threading.js';
import { appendTimeline, publishRealtime, type RealtimeEntry, type TimelineEntry } from '../../events/event.repo.js';
import { newId } from '../../lib/ids.js';
import { queueMediaFetches } from '../attachments/fetch-provider-media.js';
import type { ChannelHome } from '../channel-homes.js';
import { resolveIdentity, type ResolvedIdentity } from '../contacts/resolve-identity.js';
import type { Deps } from '../deps.js';
import { findOrOpenActiveTicket } from '../tickets/active-ticket.js';
import { closeForNewConversation } from '../tickets/close-for-new-conversation.js';
import { createdEvent, takeTicketNumberFor, type TicketDraft } from '../tickets/open-ticket.js';
import { previewOf } from '../tickets/ticket-activity.js';
import { touchTicketForCustomerMessage, type ActiveTicketRow } from '../tickets/ticket.repo.js';
import { reopensOnCustomerMessage } from '../workspaces/workspace.repo.js';
import { newMessageRow, type NewMessageRow } from './message-row.js';
import { recordComment } from './recorded-comments.repo.js';
import { findMessageByProviderId, insertMessageReturningId } from './message.repo.js';
import { findActiveTicketById, findReplyTarget, recordParticipants } from './thread-target.js';
import { startsNewConversation, type ReplyTarget } from '../../domain/reply-threading.js';

export type IngestResult =
  | { outcome: 'stored'; ticketId: string; ticketNumber: number; ticketCreated: boolean; messageId: string }
  | { outcome: 'duplicate'; ticketId: string; messageId: string }
  | { outcome: 'ignored'; reason: 'automated_without_ticket' }
  /** A comment the channel's rules record only, from a customer without an active ticket: kept on their timeline. */
  | { outcome: 'recorded'; contactId: string }
  /** The sender is blocked on the channel: recorded in `inbound_blocked` (once per provider message id), nothing else. */
  | { outcome: 'blocked'; contactId: string; identityId: string };

// Each retry means another transaction changed the pair's ticket in between; a handful is plenty.
const MAX_THREADING_ATTEMPTS = 5;

/** Thrown inside the unit when a concurrent delivery stored the same message first; rolls the unit back. */
class DuplicateDelivery extends Error {}

interface Threaded {
  ticket: Pick<TicketRow, 'id' | 'number' | 'workspace_id' | 'status'>;
  created: boolean;
  statusFrom: TicketRow['status'] | null;
  /** The closed ticket a new ticket continues (the one a reply answered, else the pair's last closed one). */
  previousTicketId?: string | null;
}

/**
 * Stores a customer's message in its ticket: resolve the contact (a blocked sender's message stops here,
 * recorded as blocked) -> find or open the active ticket ->
 * append the message (deduplicated by the provider id's unique index) and queue the download of files
 * the provider still holds -> record events. Resolves once the message is durable.
 */
export async function ingestInbound(deps: Pick<Deps, 'store' | 'clock' | 'channelHomes'>, message: InboundMessage): Promise<IngestResult> {
  const home = await deps.channelHomes.get(deps.store.db, message.channelId);
  if (!home) throw new DomainError({ code: 'NOT_FOUND', message: 'The channel of this message is not connected.' });
  const address = addressOf(home.kind, message.contact);
  if (!address) {
    throw new DomainError({ code: 'VALIDATION_FAILED', message: `"${message.contact.address}" is not a ${home.kind} address.`, details: { field: 'contact.address' } });
  }
  try {
    return await deps.store.unit((trx) => ingestUnit(trx, home, address, message, deps.clock.now()));
  } catch (error) {
    if (!(error instanceof DuplicateDelivery)) throw error;
    const stored = await findMessageByProviderId(deps.store.db, message.channelId, message.providerMessageId);
    if (!stored) throw new Error('a duplicate delivery was reported but the stored message is missing', { cause: error });
    return { outcome: 'duplicate', ticketId: stored.ticket_id, messageId: stored.id };
  }
}

/**
 * The sender's address in the channel's canonical form. A WhatsApp customer known only by BSUID keeps it
 * as given (it is no phone number), and so does one whose phone is unusable but who has a BSUID.
 */
export function addressOf(kind: ChannelHome['kind'], contact: InboundMessage['contact']): string | null {
  if (contact.userId && contact.address === contact.userId) return contact.userId;
  return channelRules(kind).normalizeAddress(contact.address) ?? contact.userId ?? null;
}

async function ingestUnit(trx: Kysely<Database>, home: ChannelHome, address: string, message: InboundMessage, now: number): Promise<IngestResult> {
  // A duplicate delivery is caught by the unique index when its message is inserted, and the whole
  // unit rolls back.
  const identity = await resolveIdentity(
    trx,
    {
      workspaceId: home.workspaceId,
      channelId: message.channelId,
      channelKind: home.kind,
      address,
      displayName: message.contact.displayName,
      username: message.contact.username,
      userId: message.contact.userId ?? null,
      parentUserId: message.contact.parentUserId ?? null,
    },
    now,
  );
  // An agent blocked this sender on the channel: the message is recorded as blocked and nothing else
  // happens (no ticket, no message, no media). The identity row told us, so other senders pay nothing.
  if (identity.blocked) return recordBlocked(trx, home, identity, address, message, now);
  // Only messages that point at tickets (email) pay for reading them; the chat channels' hot path does not.
  const target = message.threadCandidates?.length ? await findReplyTarget(trx, message.channelId, message.threadCandidates, { contactId: identity.contactId, address }) : SENDER;
  const threaded = await threadIntoTicket(trx, home, identity, message, now, target);
  if (!threaded && message.recordOnly && !message.automated) {
    await recordComment(trx, { workspaceId: home.workspaceId, identity, address, message, recordOnly: message.recordOnly }, now);
    return { outcome: 'recorded', contactId: identity.contactId };
  }
  if (!threaded) return { outcome: 'ignored', reason: 'automated_without_ticket' };
  const messageId = await appendInboundMessage(trx, threaded.ticket, message, now);
  // Files the provider still holds are fetched later; queued with the message, so none is ever forgotten.
  if (message.attachments?.length) await queueMediaFetches(trx, { id: messageId, workspaceId: home.workspaceId, channelId: message.channelId, attachments: message.attachments }, now);
  if (message.participants) await recordParticipants(trx, threaded.ticket, [address, ...message.participants], now);
  const ticketNumber = await recordIngestEvents(trx, threaded, messageId, now);
  return { outcome: 'stored', ticketId: threaded.ticket.id, ticketNumber, ticketCreated: threaded.created, messageId };
}

const SENDER: ReplyTarget = { kind: 'sender' };

/** A blocked sender's message: one row per provider message id (a redelivery records nothing new). */
async function recordBlocked(trx: Kysely<Database>, home: ChannelHome, identity: ResolvedIdentity, address: string, message: InboundMessage, now: number): Promise<IngestResult> {
  await trx
    .insertInto('inbound_blocked')
    .values({
      id: newId(),
      workspace_id: home.workspaceId,
      channel_id: message.channelId,
      contact_id: identity.contactId,
      identity_id: identity.identityId,
      address,
      provider_message_id: message.providerMessageId,
      kind: message.kind,
      received_at: now,
    })
    .onConflict((oc) => oc.columns(['channel_id', 'provider_message_id']).doNothing())
    .execute();
  return { outcome: 'blocked', contactId: identity.contactId, identityId: identity.identityId };
}

/**
 * Appends to the pair's active ticket (waking it when the workspace asks) or opens a new one; a reply a
 * participant wrote joins the ticket it answers instead, and one answering a closed ticket opens a ticket
 * linked to it. On a channel threading by conversation, a new conversation closes the active ticket and
 * opens one linked to it. An update guarded on the status it decided from means a ticket closed meanwhile is never
 * written into.
 */
async function threadIntoTicket(trx: Kysely<Database>, home: ChannelHome, identity: ResolvedIdentity, message: InboundMessage, now: number, target: ReplyTarget): Promise<Threaded | null> {
  const automated = message.automated === true;
  // The customer's provider time anchors the reply window only for messages that open one.
  const windowSentAt = automated || message.opensReplyWindow === false ? null : message.sentAt;
  const preview = previewOf(message.body, `[${message.kind}]`);
  const pair = { workspaceId: home.workspaceId, channelId: message.channelId, contactId: identity.contactId };
  let joining = target.kind === 'join' ? target.ticketId : null;
  let previousTicketId = target.kind === 'continue' ? target.closedTicketId : null;
  for (let attempt = 1; attempt <= MAX_THREADING_ATTEMPTS; attempt++) {
    let active: ActiveTicketRow | undefined;
    if (joining) {
      active = await findActiveTicketById(trx, joining);
      if (!active) {
        // The ticket the participant answered was closed meanwhile: continue it like any closed thread.
        previousTicketId = joining;
        joining = null;
        continue;
      }
    } else {
      // Automated mail, and a comment the channel's rules record only, join an active ticket but never open one.
      const opens = !automated && !message.recordOnly;
      const draft = opens ? customerTicketDraft(message, { now, windowSentAt, preview, previousTicketId }) : null;
      const found = await findOrOpenActiveTicket(trx, pair, draft, now);
      if (!found) {
        if (!opens) return null;
        continue;
      }
      if (found.created) return { ticket: found.ticket, created: true, statusFrom: null, previousTicketId: found.ticket.previous_ticket_id };
      active = found.ticket;
      if (startsNewConversation(target, { automated, conversation: message.conversation }, active)) {
        if (await closeForNewConversation(trx, active, now)) previousTicketId = active.id;
        continue;
      }
    }
    const reopen = active.status === 'pending' || active.status === 'resolved' ? await reopensOnCustomerMessage(trx, home.workspaceId) : true;
    const decision = threadCustomerMessage(active, reopen);
    if (decision.action !== 'append') throw new Error('an active ticket must take the message');
    const to = automated ? decision.from : decision.to;
    const ticket = await touchTicketForCustomerMessage(trx, {
      ticketId: active.id,
      from: decision.from,
      to,
      receivedAt: automated ? null : now,
      sentAt: windowSentAt,
      preview,
      now,
    });
    if (ticket) return { ticket, created: false, statusFrom: decision.from };
  }
  throw new Error(`the ticket of channel ${message.channelId} kept changing while a message was threaded`);
}

/** A ticket a customer's message opens: the customer spoke last, and the reply window opens with it. */
export function customerTicketDraft(
  message: InboundMessage,
  opening: { now: number; windowSentAt: number | null; preview: string; previousTicketId: string | null },
): TicketDraft {
  return {
    subject: message.subject ?? null,
    created_by: 'customer',
    last_message_direction: 'inbound',
    last_inbound_at: opening.now,
    last_customer_sent_at: opening.windowSentAt,
    last_message_preview: opening.preview,
    previous_ticket_id: opening.previousTicketId,
  };
}

async function appendInboundMessage(trx: Kysely<Database>, ticket: Threaded['ticket'], message: InboundMessage, now: number): Promise<string> {
  const id = await insertMessageReturningId(trx, inboundMessageRow(ticket, message, now));
  if (!id) throw new DuplicateDelivery();
  return id;
}

/** The row of a customer's message in its ticket. */
export function inboundMessageRow(ticket: { id: string; workspace_id: string }, message: InboundMessage, now: number): NewMessageRow {
  return newMessageRow({
    ticket,
    channelId: message.channelId,
    direction: 'inbound',
    author: { kind: 'customer' },
    kind: message.kind,
    status: 'received',
    body: message.body,
    html: message.html,
    subject: message.subject,
    attachments: message.attachments,
    data: message.data,
    automated: message.automated,
    providerMessageId: message.providerMessageId,
    providerTimestamp: message.sentAt,
    replyToProviderMessageId: message.replyToProviderMessageId,
    createdAt: now,
  });
}

/** Records the timeline and realtime events; a new ticket takes its number here, last. Returns the number. */
async function recordIngestEvents(trx: Kysely<Database>, threaded: Threaded, messageId: string, now: number): Promise<number> {
  const { ticket } = threaded;
  const { timeline, realtime } = ingestEvents(threaded, messageId);
  await appendTimeline(trx, ticket, { kind: 'customer' }, timeline, now);
  await publishRealtime(trx, ticket.workspace_id, realtime, now);
  // The number comes last: from here to the commit the workspace's counter is locked.
  return threaded.created ? takeTicketNumberFor(trx, ticket) : ticket.number;
}

/** What a stored customer message tells the ticket's timeline and the open inboxes. */
export function ingestEvents(threaded: Omit<Threaded, 'ticket'> & { ticket: Pick<TicketRow, 'id' | 'number' | 'status'> }, messageId: string): { timeline: TimelineEntry[]; realtime: RealtimeEntry[] } {
  const { ticket } = threaded;
  const timeline: TimelineEntry[] = [];
  if (threaded.created) timeline.push({ type: 'ticket.created', data: createdEvent('customer', threaded.previousTicketId) });
  else if (threaded.statusFrom && threaded.statusFrom !== ticket.status) {
    timeline.push({ type: 'status.changed', data: { from: threaded.statusFrom, to: ticket.status, reason: 'customer_message' } });
  }
  // message.created already tells open inboxes that the ticket's activity moved; ticket events are
  // added only when the ticket itself appeared or changed status.
  const realtime: RealtimeEntry[] = [{ type: 'message.created', payload: { ticketId: ticket.id, messageId } }];
  if (threaded.created) realtime.unshift({ type: 'ticket.created', payload: { ticketId: ticket.id } });
  else if (timeline.length > 0) realtime.unshift({ type: 'ticket.updated', payload: { ticketId: ticket.id, number: ticket.number } });
  return { timeline, realtime };
}
