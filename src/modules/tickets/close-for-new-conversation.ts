// A channel that threads by conversation closes the customer's active ticket when they start another
// conversation, so that the new one can open (one active ticket per customer and channel). Done inside
// the transaction storing the new message; the new ticket links to the closed one ("Continues #N").
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { appendTimeline, publishRealtime } from '../../events/event.repo.js';
import { updateTicketIfStatus, type ActiveTicketRow } from './ticket.repo.js';

export const NEW_CONVERSATION_REASON = 'new_conversation';

/** Closes the ticket if it still has the status read; false when it changed meanwhile (decide again). */
export async function closeForNewConversation(trx: Kysely<Database>, ticket: ActiveTicketRow, now: number): Promise<boolean> {
  const closed = await updateTicketIfStatus(trx, ticket.id, ticket.status, {
    status: 'closed',
    snoozed_until: null,
    closed_at: now,
    closed_by_user_id: null,
    closed_by_rule_id: null,
    close_reason: NEW_CONVERSATION_REASON,
    updated_at: now,
  });
  if (!closed) return false;
  await appendTimeline(trx, closed, { kind: 'system' }, [{ type: 'ticket.closed', data: { from: ticket.status, reason: NEW_CONVERSATION_REASON } }], now);
  await publishRealtime(trx, closed.workspace_id, [{ type: 'ticket.updated', payload: { ticketId: closed.id, number: closed.number } }], now);
  return true;
}
