// Answering a customer's comment: privately (a message to the commenter) or in public under the comment.
// The channel's rules say which answer is allowed when; the choice travels with the message to the sender.
import type { Kysely } from 'kysely';
import { channelRules } from '../../channels/registry.js';
import type { CommentReply, CommentReplyMode } from '../../channels/types.js';
import type { Database } from '../../db/schema.js';
import { DomainError } from '../../domain/errors.js';
import type { ChannelKind } from '../../domain/reply-policy.js';

export interface CommentReplyInput {
  /** Our id of the comment message in the ticket. */
  commentMessageId: string;
  mode: CommentReplyMode;
}

/** What a queued answer to a comment keeps in its message data, for the sender and for the agents. */
export interface StoredCommentReply extends CommentReply {
  commentMessageId: string;
  /** The comment rule whose automatic answer this is; absent for a person's answer. */
  ruleId?: string | null;
  /** The comment's provider time: a private reply is allowed only for a while after it. */
  commentedAt: number;
}

/** The comment answer stored on a message, if it is one. */
export function commentReplyOf(data: Record<string, unknown> | null): StoredCommentReply | null {
  const reply = data?.commentReply as StoredCommentReply | undefined;
  return reply && typeof reply.commentId === 'string' ? reply : null;
}

/** Refuses an answer the channel's rules do not allow now, as agents would be told before writing. */
export function requireCommentReplyAllowed(kind: ChannelKind, reply: Pick<StoredCommentReply, 'mode' | 'commentedAt'>, now: number): void {
  const rule = channelRules(kind).commentReply;
  if (!rule) throw new DomainError({ code: 'COMMENT_REPLY_UNSUPPORTED', message: `Comments cannot be answered on a ${kind} channel.` });
  const refusal = rule(reply.mode, reply.commentedAt, now);
  if (refusal) throw new DomainError(refusal);
}

/**
 * Checks an agent's answer to a comment of the ticket: the comment is the ticket's, the channel allows
 * this answer now, and (private replies) the comment has not been answered privately already.
 */
export async function prepareCommentReply(trx: Kysely<Database>, ticket: { id: string; channel_id: string }, kind: ChannelKind, input: CommentReplyInput, now: number): Promise<StoredCommentReply> {
  const comment = await trx
    .selectFrom('messages')
    .select(['provider_message_id', 'provider_timestamp', 'created_at'])
    .where('id', '=', input.commentMessageId)
    .where('ticket_id', '=', ticket.id)
    .where('kind', '=', 'comment')
    .where('direction', '=', 'inbound')
    .executeTakeFirst();
  if (!comment?.provider_message_id) {
    throw new DomainError({ code: 'VALIDATION_FAILED', message: 'commentReply.commentMessageId is not a comment of this ticket.', details: { field: 'commentReply.commentMessageId' } });
  }
  const reply: StoredCommentReply = { commentMessageId: input.commentMessageId, commentId: comment.provider_message_id, mode: input.mode, commentedAt: comment.provider_timestamp ?? comment.created_at };
  requireCommentReplyAllowed(kind, reply, now);
  if (input.mode === 'private') {
    // Instagram takes one private reply per comment (channels.md §B.3.3); a failed one may be tried again.
    const earlier = await trx
      .selectFrom('messages')
      .select('id')
      .where('channel_id', '=', ticket.channel_id)
      .where('reply_to_provider_message_id', '=', comment.provider_message_id)
      .where('direction', '=', 'outbound')
      .where('status', '<>', 'failed')
      .where('data', 'like', '%"mode":"private"%')
      .executeTakeFirst();
    if (earlier) throw new DomainError({ code: 'PRIVATE_REPLY_ALREADY_SENT', message: 'This comment already has a private reply; a comment takes one. Write to the customer in the conversation, or reply in public.', details: { messageId: earlier.id } });
  }
  return reply;
}
