// What agents do to a ticket: reply, note, close, reopen, assign, status, priority and tags.
// Each action is one transaction and leaves a timeline event naming its actor.
import { isUniqueViolation } from '../../db/errors.js';
import type { TicketRow } from '../../db/schema.js';
import { DomainError } from '../../domain/errors.js';
import { checkReopen, planStatusChange, TICKET_PRIORITIES, type AgentSettableStatus, type TicketPriority } from '../../domain/ticket-status.js';
import { publishRealtime } from '../../events/event.repo.js';
import { newId } from '../../lib/ids.js';
import { toJson } from '../../lib/json.js';
import type { Deps } from '../deps.js';
import { claimFiles, requireUploadsAllowed, uploadedFiles } from '../attachments/message-files.js';
import { prepareCommentReply, type CommentReplyInput, type StoredCommentReply } from '../messages/comment-reply.js';
import { checkOutgoingContent, formOf, queueOutbound, withFiles, type OutgoingContent } from '../messages/outgoing.js';
import { insertMessage } from '../messages/message.repo.js';
import { pairWindow, requireSendAllowed } from '../messages/reply-window.js';
import { findActiveUser } from '../users/user.repo.js';
import { changeTicket, type WorkspaceActor } from './change-ticket.js';
import { usableChannel } from './start-ticket.js';
import { senderOf, type TeamActor } from './team-actor.js';
import { previewOfContent, teamMessageActivity } from './ticket-activity.js';
import { findActiveTicket, lockTicket, replaceTicketTags, ticketTags } from './ticket.repo.js';

type EngineDeps = Pick<Deps, 'store' | 'clock'>;

const closedRefusal = () =>
  new DomainError({ code: 'TICKET_CLOSED', message: 'This ticket is closed; reopen it or start a new ticket to write to the customer.' });

export interface ReplyInput {
  message: OutgoingContent;
  /** "Send and set pending": the status the ticket takes with this reply. */
  setStatus?: AgentSettableStatus;
  snoozeUntil?: number | null;
  /** Uploaded files of the workspace, not yet sent with another message (POST /api/attachments). */
  attachmentIds?: string[];
  /** Answers a comment of the ticket, privately or in public, instead of writing in the conversation. */
  commentReply?: CommentReplyInput;
}

/** Sends a reply in a ticket, under the same reply policy as every other sender. */
export async function replyToTicket(deps: EngineDeps, actor: TeamActor, ticketId: string, input: ReplyInput) {
  return deps.store.unit(async (trx) => {
    const now = deps.clock.now();
    const files = await uploadedFiles(trx, actor.workspaceId, input.attachmentIds ?? []);
    const content = withFiles(input.message, files);
    checkOutgoingContent(content);
    let tag: string | null = null;
    let commentReply: StoredCommentReply | null = null;
    const ticket = await changeTicket(trx, actor, ticketId, now, async (current) => {
      if (current.status === 'closed') throw closedRefusal();
      const channel = await usableChannel(trx, actor.workspaceId, current.channel_id);
      requireUploadsAllowed(channel.kind, files);
      // An answer to a comment follows the comment's own rules, not the conversation's window.
      if (input.commentReply) commentReply = await prepareCommentReply(trx, current, channel.kind, input.commentReply, now);
      else tag = requireSendAllowed(await pairWindow(trx, channel, current.contact_id, now), formOf(content), senderOf(actor).origin).tag;
      const activity = teamMessageActivity(now, previewOfContent(content), current.first_response_at);
      if (!input.setStatus) return { patch: activity, timeline: [] };
      const next = planStatusChange(current.status, input.setStatus, input.snoozeUntil, now);
      if (next.status === current.status && next.snoozedUntil === current.snoozed_until) return { patch: activity, timeline: [] };
      return {
        patch: { ...activity, status: next.status, snoozed_until: next.snoozedUntil },
        timeline: [{ type: 'status.changed', data: { from: current.status, to: next.status, snoozedUntil: next.snoozedUntil } }],
      };
    });
    const message = await queueOutbound(trx, { ticket, ...senderOf(actor), content, tag, commentReply, now });
    await claimFiles(trx, actor.workspaceId, files, message.id);
    await publishRealtime(trx, ticket.workspace_id, [{ type: 'message.created', payload: { ticketId: ticket.id, messageId: message.id } }], now);
    return { ticket, message };
  });
}

/** Adds a private note: visible to the team only, never sent, no reply window involved. It may be files alone. */
export async function addNote(deps: EngineDeps, actor: TeamActor, ticketId: string, body: string, attachmentIds: string[] = []) {
  return deps.store.unit(async (trx) => {
    const now = deps.clock.now();
    const files = await uploadedFiles(trx, actor.workspaceId, attachmentIds);
    if (!body.trim() && files.length === 0) throw new DomainError({ code: 'VALIDATION_FAILED', message: 'Write the note or attach a file before saving it.', details: { field: 'body' } });
    const ticket = await changeTicket(trx, actor, ticketId, now, () => ({ patch: {}, timeline: [] }));
    const author = senderOf(actor);
    const note = await insertMessage(trx, {
      id: newId(),
      workspace_id: ticket.workspace_id,
      ticket_id: ticket.id,
      channel_id: ticket.channel_id,
      direction: 'internal',
      author_kind: author.authorKind,
      author_user_id: author.authorUserId,
      author_integration_id: author.authorIntegrationId,
      kind: 'note',
      body: body.trim() ? body : null,
      html: null,
      subject: null,
      template: null,
      attachments: files.length ? toJson(files) : null,
      data: null,
      automated: 0,
      provider_message_id: null,
      provider_timestamp: null,
      reply_to_provider_message_id: null,
      status: 'note',
      error_code: null,
      error_message: null,
      created_at: now,
    });
    if (!note) throw new Error('a note cannot collide');
    await claimFiles(trx, actor.workspaceId, files, note.id);
    await publishRealtime(trx, ticket.workspace_id, [{ type: 'message.created', payload: { ticketId: ticket.id, messageId: note.id } }], now);
    return note;
  });
}

/** Closes a ticket; the next customer message on the pair starts a new one. Closing twice changes nothing. */
export async function closeTicket(deps: EngineDeps, actor: WorkspaceActor, ticketId: string, reason: string | null = null): Promise<TicketRow> {
  return deps.store.unit((trx) =>
    changeTicket(trx, actor, ticketId, deps.clock.now(), (ticket) => {
      if (ticket.status === 'closed') return null;
      const now = deps.clock.now();
      return {
        patch: {
          status: 'closed',
          snoozed_until: null,
          closed_at: now,
          closed_by_user_id: actor.kind === 'user' ? actor.userId : null,
          closed_by_rule_id: actor.kind === 'system' ? (actor.ruleId ?? null) : null,
          close_reason: reason,
        },
        timeline: [{ type: 'ticket.closed', data: { from: ticket.status, reason } }],
      };
    }),
  );
}

/** Reopens a closed ticket, unless the customer already has another active ticket on that channel. */
export async function reopenTicket(deps: EngineDeps, actor: TeamActor, ticketId: string): Promise<TicketRow> {
  try {
    return await deps.store.unit((trx) =>
      changeTicket(trx, actor, ticketId, deps.clock.now(), async (ticket) => {
        const other = ticket.status === 'closed' ? await findActiveTicket(trx, ticket.channel_id, ticket.contact_id) : undefined;
        checkReopen(ticket.status, other ?? null);
        return {
          patch: { status: 'open', closed_at: null, closed_by_user_id: null, closed_by_rule_id: null, close_reason: null },
          timeline: [{ type: 'ticket.reopened', data: {} }],
        };
      }),
    );
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Another ticket became active between the check and the update; name it like the check does.
    const ticket = await deps.store.db.selectFrom('tickets').select(['channel_id', 'contact_id']).where('id', '=', ticketId).executeTakeFirstOrThrow();
    const other = await findActiveTicket(deps.store.db, ticket.channel_id, ticket.contact_id);
    checkReopen('closed', other ?? null);
    throw error;
  }
}

/** Assigns a ticket to an active user of the workspace, or unassigns it with null. */
export async function assignTicket(deps: EngineDeps, actor: TeamActor, ticketId: string, assigneeUserId: string | null): Promise<TicketRow> {
  return deps.store.unit(async (trx) => {
    if (assigneeUserId && !(await findActiveUser(trx, actor.workspaceId, assigneeUserId))) {
      throw new DomainError({ code: 'VALIDATION_FAILED', message: 'That person is not an active member of this workspace.', details: { field: 'assigneeUserId' } });
    }
    return changeTicket(trx, actor, ticketId, deps.clock.now(), (ticket) =>
      ticket.assignee_user_id === assigneeUserId
        ? null
        : { patch: { assignee_user_id: assigneeUserId }, timeline: [{ type: 'assigned', data: { from: ticket.assignee_user_id, to: assigneeUserId } }] },
    );
  });
}

/** Sets open, pending, resolved or snoozed (with a wake time) on an active ticket. */
export async function setTicketStatus(deps: EngineDeps, actor: TeamActor, ticketId: string, status: AgentSettableStatus, snoozeUntil?: number | null): Promise<TicketRow> {
  return deps.store.unit((trx) =>
    changeTicket(trx, actor, ticketId, deps.clock.now(), (ticket) => {
      const next = planStatusChange(ticket.status, status, snoozeUntil, deps.clock.now());
      if (next.status === ticket.status && next.snoozedUntil === ticket.snoozed_until) return null;
      return {
        patch: { status: next.status, snoozed_until: next.snoozedUntil },
        timeline: [{ type: 'status.changed', data: { from: ticket.status, to: next.status, snoozedUntil: next.snoozedUntil } }],
      };
    }),
  );
}

export async function setTicketPriority(deps: EngineDeps, actor: TeamActor, ticketId: string, priority: TicketPriority): Promise<TicketRow> {
  if (!TICKET_PRIORITIES.includes(priority)) {
    throw new DomainError({ code: 'VALIDATION_FAILED', message: `Priority must be one of ${TICKET_PRIORITIES.join(', ')}.`, details: { field: 'priority' } });
  }
  return deps.store.unit((trx) =>
    changeTicket(trx, actor, ticketId, deps.clock.now(), (ticket) =>
      ticket.priority === priority ? null : { patch: { priority }, timeline: [{ type: 'priority.changed', data: { from: ticket.priority, to: priority } }] },
    ),
  );
}

/** Tags are trimmed, lower-cased and de-duplicated; at most 50 characters each. */
export function normalizeTags(tags: string[]): string[] {
  const clean = [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))].sort();
  const tooLong = clean.find((t) => t.length > 50);
  if (tooLong) throw new DomainError({ code: 'VALIDATION_FAILED', message: `The tag "${tooLong.slice(0, 20)}…" is longer than 50 characters.`, details: { field: 'tags' } });
  return clean;
}

/** Replaces a ticket's tags, recording what was added and removed. */
export async function setTicketTags(deps: EngineDeps, actor: TeamActor, ticketId: string, tags: string[]): Promise<string[]> {
  const next = normalizeTags(tags);
  return deps.store.unit(async (trx) => {
    // Lock the ticket before reading its tags, so concurrent edits apply one after the other.
    await lockTicket(trx, actor.workspaceId, ticketId);
    await changeTicket(trx, actor, ticketId, deps.clock.now(), async (ticket) => {
      const current = await ticketTags(trx, ticket.id);
      const added = next.filter((t) => !current.includes(t));
      const removed = current.filter((t) => !next.includes(t));
      if (!added.length && !removed.length) return null;
      await replaceTicketTags(trx, ticket.workspace_id, ticket.id, next);
      return { patch: {}, timeline: [{ type: 'tags.changed', data: { added, removed } }] };
    });
    return next;
  });
}
