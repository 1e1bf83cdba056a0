// A comment rule's automatic answers (domain/comment-rules.ts): a private reply and a public answer under
// the comment, each sent at most once per comment, as automation under the channel's comment rules (an
// automation never passes as a person). An answer no longer allowed (a private reply more than 7 days after
// the comment), or one a person already gave, is skipped, and the skip is on the ticket's timeline.
import { channelRules } from '../../channels/registry.js';
import type { CommentTriage } from '../../channels/inbound-events.js';
import { DomainError } from '../../domain/errors.js';
import { appendTimeline, publishRealtime } from '../../events/event.repo.js';
import type { Logger } from '../../lib/logger.js';
import { prepareCommentReply } from '../messages/comment-reply.js';
import { queueOutbound } from '../messages/outgoing.js';
import type { Deps } from '../deps.js';
import { findTicket } from '../tickets/ticket.repo.js';
import { automaticAnswerOf, skipRecorded } from './comment-answers.repo.js';

type Answer = 'private' | 'public';

/** Queues the rule's answers to a stored comment (in its ticket); what was already done is not done again. */
export async function answerCommentAutomatically(deps: Deps, stored: { messageId: string }, triage: CommentTriage, logger: Logger): Promise<void> {
  const answers: [Answer, string | null][] = [
    ['private', triage.privateReply],
    ['public', triage.publicReply],
  ];
  for (const [answer, body] of answers) {
    if (!body) continue;
    await deps.store.unit(async (trx) => {
      const now = deps.clock.now();
      const comment = await trx.selectFrom('messages').select(['workspace_id', 'ticket_id', 'channel_id', 'provider_message_id']).where('id', '=', stored.messageId).executeTakeFirst();
      if (!comment?.provider_message_id) return;
      if (await automaticAnswerOf(trx, comment.channel_id, comment.provider_message_id, answer)) return;
      // The comment's ticket now (a split may have moved it); a closed one gets no automatic answer.
      const ticket = await findTicket(trx, comment.workspace_id, comment.ticket_id);
      if (!ticket || ticket.status === 'closed') return;
      const kind = (await trx.selectFrom('channels').select('kind').where('id', '=', ticket.channel_id).executeTakeFirstOrThrow()).kind;
      if (!channelRules(kind).commentReply) return;
      try {
        const reply = await prepareCommentReply(trx, ticket, kind, { commentMessageId: stored.messageId, mode: answer }, now);
        const message = await queueOutbound(trx, { ticket, authorKind: 'system', authorUserId: null, content: { kind: 'text', body }, tag: null, commentReply: { ...reply, ruleId: triage.ruleId }, now });
        await publishRealtime(trx, ticket.workspace_id, [{ type: 'message.created', payload: { ticketId: ticket.id, messageId: message.id } }], now);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        if (await skipRecorded(trx, ticket.id, comment.provider_message_id, answer)) return;
        logger.info({ ticketId: ticket.id, code: error.code }, `a comment rule's ${answer} answer was skipped: ${error.message}`);
        await appendTimeline(trx, ticket, { kind: 'system' }, [{ type: 'automation.skipped', data: { ruleId: triage.ruleId, commentId: comment.provider_message_id, answer, code: error.code, message: error.message } }], now);
      }
    });
  }
}
