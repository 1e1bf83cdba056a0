// An agent's or an integration's reply in a ticket, under the same reply policy as every other sender.
import type { TeamActor } from '../../domain/actor.js';
import { DomainError } from '../../domain/errors.js';
import { planStatusChange, type AgentSettableStatus } from '../../domain/ticket-status.js';
import { publishRealtime } from '../../events/event.repo.js';
import { claimFiles, requireUploadsAllowed, uploadedFiles } from '../attachments/message-files.js';
import { pairWindow, requireSendAllowed } from '../contacts/reply-window.js';
import type { Deps } from '../deps.js';
import { changeTicket } from '../tickets/change-ticket.js';
import { previewOfContent, teamMessageActivity } from '../tickets/ticket-activity.js';
import { prepareCommentReply, type CommentReplyInput, type StoredCommentReply } from './comment-reply.js';
import { checkOutgoingContent, formOf, queueOutbound, withFiles, type OutgoingContent } from './outgoing.js';
import { senderOf } from './sender.js';
import { usableChannel } from './start-ticket.js';

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
export async function replyToTicket(deps: Pick<Deps, 'store' | 'clock'>, actor: TeamActor, ticketId: string, input: ReplyInput) {
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
