// "Split into a new ticket": an agent sees that a message starts another matter (mail threaded by sender
// merged two), and moves it and everything after it to a new ticket of the same customer and channel.
// One active ticket per customer and channel holds throughout: the ticket split is closed (reason
// "split") with what came before, and the new ticket continues it, like any ticket after a close.
import type { TicketRow } from '../../db/schema.js';
import type { TeamActor } from '../../domain/actor.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { appendTimeline, publishRealtime } from '../../events/event.repo.js';
import type { Deps } from '../deps.js';
import { changeTicket } from './change-ticket.js';
import { createdEvent, openTicketUnlessActive, takeTicketNumberFor } from './open-ticket.js';
import { activityOfMessages, copyParticipants, moveMessagesFrom, splitPointIn } from './split.repo.js';
import { findTicket } from './ticket.repo.js';

export const SPLIT_REASON = 'split';

export interface SplitResult {
  /** The new ticket, holding the message split at and every later one. */
  ticket: TicketRow;
  /** The ticket split, closed, holding the messages before. */
  previous: TicketRow;
}

/**
 * Splits an active ticket at one of its messages: find the split point (never the first message: the
 * ticket would be left empty) -> close the ticket -> open its successor -> move the messages -> read
 * both tickets' activity again from their messages -> record events -> number the new ticket.
 */
export async function splitTicket(deps: Pick<Deps, 'store' | 'clock'>, actor: TeamActor, ticketId: string, messageId: string): Promise<SplitResult> {
  return deps.store.unit(async (trx) => {
    const now = deps.clock.now();
    const ticket = await findTicket(trx, actor.workspaceId, ticketId);
    if (!ticket) throw notFound('The ticket');
    const at = await splitPointIn(trx, ticket.id, messageId);
    if (!at) throw notFound('The message');
    if (!at.hasEarlier) throw new DomainError({ code: 'NOTHING_TO_SPLIT', message: 'This is the first message of the ticket: splitting here would leave the ticket empty.' });

    const closed = await changeTicket(trx, actor, ticket.id, now, (current) => {
      if (current.status === 'closed') throw new DomainError({ code: 'TICKET_CLOSED', message: `Ticket #${current.number} is closed; only an active ticket can be split.` });
      return {
        patch: { status: 'closed', snoozed_until: null, closed_at: now, closed_by_user_id: actor.kind === 'user' ? actor.userId : null, closed_by_rule_id: null, close_reason: SPLIT_REASON },
        timeline: [{ type: 'ticket.closed', data: { from: current.status, reason: SPLIT_REASON } }],
      };
    });
    const createdBy = at.direction === 'inbound' ? 'customer' : 'agent';
    const opened = await openTicketUnlessActive(
      trx,
      { workspaceId: ticket.workspace_id, channelId: ticket.channel_id, contactId: ticket.contact_id },
      {
        subject: at.subject ?? ticket.subject,
        priority: ticket.priority,
        assignee_user_id: ticket.assignee_user_id,
        created_by: createdBy,
        creator_user_id: createdBy === 'agent' && actor.kind === 'user' ? actor.userId : null,
        last_message_direction: null,
        last_message_preview: null,
        previous_ticket_id: ticket.id,
      },
      now,
    );
    // The ticket was closed in this transaction, and the unique index over active tickets serializes openers.
    if (!opened.created) throw new DomainError({ code: 'CONFLICT', message: 'Another ticket of this customer became active meanwhile; try again.' });

    await moveMessagesFrom(trx, ticket.id, opened.ticket.id, at);
    await copyParticipants(trx, ticket.id, opened.ticket.id, now);
    const previous = await trx.updateTable('tickets').set(await activityOfMessages(trx, ticket.id, ticket.created_at)).where('id', '=', closed.id).returningAll().executeTakeFirstOrThrow();
    const fresh = await trx.updateTable('tickets').set(await activityOfMessages(trx, opened.ticket.id, now)).where('id', '=', opened.ticket.id).returningAll().executeTakeFirstOrThrow();

    await appendTimeline(trx, fresh, actor, [{ type: 'ticket.created', data: { ...createdEvent(createdBy, ticket.id), splitAtMessageId: at.id } }], now);
    await publishRealtime(trx, fresh.workspace_id, [{ type: 'ticket.created', payload: { ticketId: fresh.id } }], now);
    // The number comes last: from here to the commit the workspace's counter is locked.
    const number = await takeTicketNumberFor(trx, fresh);
    return { ticket: { ...fresh, number }, previous };
  });
}
