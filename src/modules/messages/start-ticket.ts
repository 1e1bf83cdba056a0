// startTicket: the agent's "+ New" flow, which never opens a second active ticket for a pair.
import type { Kysely } from 'kysely';
import { channelRules } from '../../channels/registry.js';
import type { ChannelRow, Database, MessageRow, TicketRow } from '../../db/schema.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { threadAgentMessage } from '../../domain/threading.js';
import { planStatusChange, type AgentSettableStatus } from '../../domain/ticket-status.js';
import type { TeamActor } from '../../domain/actor.js';
import { appendTimeline, publishRealtime, type TimelineEntry } from '../../events/event.repo.js';
import { claimFiles, requireUploadsAllowed, uploadedFiles } from '../attachments/message-files.js';
import { findChannel } from '../channels/channel.repo.js';
import { findContact, insertIdentity } from '../contacts/contact.repo.js';
import { pairWindow, requireSendAllowed } from '../contacts/reply-window.js';
import { resolveIdentity } from '../contacts/resolve-identity.js';
import type { Deps } from '../deps.js';
import { findOrOpenActiveTicket } from '../tickets/active-ticket.js';
import { createdEvent, takeTicketNumberFor, type TicketDraft } from '../tickets/open-ticket.js';
import { previewOfContent, teamMessageActivity } from '../tickets/ticket-activity.js';
import { updateTicketIfStatus } from '../tickets/ticket.repo.js';
import { checkOutgoingContent, formOf, queueOutbound, withFiles, type OutgoingContent } from './outgoing.js';
import { senderOf, userIdOf } from './sender.js';

export type ContactRef = { contactId: string } | { address: string; name?: string | null };

export interface StartTicketInput {
  channelId: string;
  contact: ContactRef;
  message: OutgoingContent;
  /** "Send and set pending": the status the ticket takes with this message. */
  setStatus?: AgentSettableStatus;
  snoozeUntil?: number | null;
  /** Uploaded files of the workspace, not yet sent with another message (POST /api/attachments). */
  attachmentIds?: string[];
}

export interface StartTicketResult {
  /** False when the pair already had an active ticket and the message joined it. */
  created: boolean;
  ticket: TicketRow;
  message: MessageRow;
}

/**
 * Starts a conversation: check the reply policy (a refusal changes nothing) -> find the contact ->
 * join the active ticket or open an agent-created one assigned to the agent -> queue the message.
 */
export async function startTicket(deps: Pick<Deps, 'store' | 'clock'>, actor: TeamActor, input: StartTicketInput): Promise<StartTicketResult> {
  return deps.store.unit(async (trx) => {
    const now = deps.clock.now();
    const files = await uploadedFiles(trx, actor.workspaceId, input.attachmentIds ?? []);
    const content = withFiles(input.message, files);
    checkOutgoingContent(content);
    const channel = await usableChannel(trx, actor.workspaceId, input.channelId);
    requireUploadsAllowed(channel.kind, files);
    const contactId = await resolveContact(trx, actor.workspaceId, channel, input.contact, now);
    const pair = await pairWindow(trx, channel, contactId, now);
    const sender = senderOf(actor);
    const { tag } = requireSendAllowed(pair, formOf(content), sender.origin);
    if (!pair.identity && pair.address) {
      await insertIdentity(trx, contactId, { workspaceId: actor.workspaceId, channelId: channel.id, channelKind: channel.kind, address: pair.address }, now);
    }
    const status = input.setStatus ? planStatusChange('open', input.setStatus, input.snoozeUntil, now) : null;
    const joined = await joinOrOpenTicket(trx, actor, channel, contactId, content, status, now);
    const message = await queueOutbound(trx, { ticket: joined.ticket, ...sender, content, tag, now });
    await claimFiles(trx, actor.workspaceId, files, message.id);
    await appendTimeline(trx, joined.ticket, actor, joined.timeline, now);
    const { created, ticket } = joined;
    await publishRealtime(
      trx,
      ticket.workspace_id,
      [
        created ? { type: 'ticket.created', payload: { ticketId: ticket.id } } : { type: 'ticket.updated', payload: { ticketId: ticket.id, number: ticket.number } },
        { type: 'message.created', payload: { ticketId: ticket.id, messageId: message.id } },
      ],
      now,
    );
    // The number comes last: from here to the commit the workspace's counter is locked.
    return { created, ticket: created ? { ...ticket, number: await takeTicketNumberFor(trx, ticket) } : ticket, message };
  });
}

/** A channel of the caller's workspace that is switched on. */
export async function usableChannel(trx: Kysely<Database>, workspaceId: string, channelId: string): Promise<ChannelRow> {
  const channel = await findChannel(trx, channelId);
  if (!channel || channel.workspace_id !== workspaceId) throw notFound('The channel');
  if (!channel.enabled) throw new DomainError({ code: 'CHANNEL_DISABLED', message: `The channel "${channel.name}" is switched off; switch it on to write from it.` });
  return channel;
}

/** The contact to write to: an existing one of the workspace, or the owner of an address (created when new). */
async function resolveContact(trx: Kysely<Database>, workspaceId: string, channel: ChannelRow, ref: ContactRef, now: number): Promise<string> {
  if ('contactId' in ref) {
    const contact = await findContact(trx, workspaceId, ref.contactId);
    if (!contact) throw notFound('The contact');
    return contact.id;
  }
  const address = channelRules(channel.kind).normalizeAddress(ref.address);
  if (!address) {
    throw new DomainError({ code: 'VALIDATION_FAILED', message: `"${ref.address}" is not a valid ${channel.kind} address.`, details: { field: 'contact.address' } });
  }
  const identity = await resolveIdentity(
    trx,
    { workspaceId, channelId: channel.id, channelKind: channel.kind, address, contactName: ref.name?.trim() || null },
    now,
  );
  return identity.contactId;
}

async function joinOrOpenTicket(
  trx: Kysely<Database>,
  actor: TeamActor,
  channel: ChannelRow,
  contactId: string,
  content: OutgoingContent,
  status: { status: AgentSettableStatus; snoozedUntil: number | null } | null,
  now: number,
): Promise<{ ticket: TicketRow; created: boolean; timeline: TimelineEntry[] }> {
  const preview = previewOfContent(content);
  const pair = { workspaceId: actor.workspaceId, channelId: channel.id, contactId };
  const draft: TicketDraft = {
    status: status?.status ?? 'open',
    snoozed_until: status?.snoozedUntil ?? null,
    subject: content.subject ?? null,
    created_by: 'agent',
    // A person's new ticket is theirs; an integration's waits unassigned for a person.
    creator_user_id: userIdOf(actor),
    assignee_user_id: userIdOf(actor),
    last_message_direction: 'outbound',
    last_outbound_at: now,
    first_response_at: now,
    last_message_preview: preview,
  };
  for (let attempt = 1; attempt <= 3; attempt++) {
    const found = await findOrOpenActiveTicket(trx, pair, draft, now);
    if (!found) continue;
    if (found.created) {
      return {
        ticket: found.ticket,
        created: true,
        timeline: [
          { type: 'ticket.created', data: createdEvent('agent', found.ticket.previous_ticket_id) },
          ...(actor.kind === 'user' ? [{ type: 'assigned' as const, data: { from: null, to: actor.userId } }] : []),
        ],
      };
    }
    const decision = threadAgentMessage(found.ticket);
    if (decision.action !== 'append') throw new Error('an active ticket must take the message');
    const statusPatch = status ? { status: status.status, snoozed_until: status.snoozedUntil } : {};
    const activity = teamMessageActivity(now, preview, found.ticket.first_response_at);
    const ticket = await updateTicketIfStatus(trx, decision.ticketId, decision.from, { ...activity, ...statusPatch });
    if (!ticket) continue;
    const changed = status !== null && (ticket.status !== decision.from || ticket.status === 'snoozed');
    const timeline: TimelineEntry[] = changed ? [{ type: 'status.changed', data: { from: decision.from, to: ticket.status, snoozedUntil: ticket.snoozed_until } }] : [];
    return { ticket, created: false, timeline };
  }
  throw new Error(`the active ticket of channel ${channel.id} kept changing while the agent's message was added`);
}
