// Creating a ticket for a (channel, contact) pair, and giving it the next number of its workspace.
import type { Kysely } from 'kysely';
import type { Database, NewTicket, TicketRow } from '../../db/schema.js';
import type { TimelineEventMap } from '../../domain/events.js';
import { newId } from '../../lib/ids.js';
import { numberTicket } from '../workspaces/workspace.repo.js';

/** What a new ticket says about how it started; everything else starts empty. */
export type TicketDraft = Pick<NewTicket, 'created_by' | 'last_message_direction' | 'last_message_preview'> &
  Partial<Omit<NewTicket, 'id' | 'number' | 'workspace_id' | 'channel_id' | 'contact_id' | 'created_at' | 'updated_at' | 'last_activity_at'>>;

export interface Pair {
  workspaceId: string;
  channelId: string;
  contactId: string;
}

/**
 * Opens a ticket for the pair unless one is active (then `created: false`, and the caller threads into
 * that one). The unique index over active tickets decides between concurrent creators: the loser's
 * insert does nothing. The ticket has no number yet: see takeTicketNumberFor.
 *
 * Every path that opens tickets comes here (through findOrOpenActiveTicket, active-ticket.ts), so this
 * is where a new ticket is linked to the ticket it continues: the one the draft names (an email
 * answering a closed thread), otherwise the pair's most recently closed ticket, read in the insert
 * itself (the pair's first ticket continues nothing).
 */
export async function openTicketUnlessActive(
  trx: Kysely<Database>,
  pair: Pair,
  draft: TicketDraft,
  now: number,
): Promise<{ created: true; ticket: TicketRow } | { created: false }> {
  const ticket = await trx.insertInto('tickets').values(newTicketRow(trx, pair, draft, now)).onConflict((oc) => oc.doNothing()).returningAll().executeTakeFirst();
  return ticket ? { created: true, ticket } : { created: false };
}

/** A new ticket's row: open, normal priority, no number yet, linked to the ticket it continues. */
export function newTicketRow(trx: Kysely<Database>, pair: Pair, draft: TicketDraft, now: number) {
  return {
    status: 'open' as const,
    priority: 'normal' as const,
    ...draft,
    previous_ticket_id: draft.previous_ticket_id ?? lastClosedTicketOf(trx, pair),
    id: newId(),
    number: null,
    workspace_id: pair.workspaceId,
    channel_id: pair.channelId,
    contact_id: pair.contactId,
    created_at: now,
    updated_at: now,
    last_activity_at: now,
  };
}

/** The `ticket.created` timeline entry's data: who started it, and the ticket it continues, if any. */
export function createdEvent(createdBy: 'customer' | 'agent', previousTicketId: string | null | undefined): TimelineEventMap['ticket.created'] {
  return previousTicketId ? { createdBy, previousTicketId } : { createdBy };
}

/**
 * Gives a ticket opened in this transaction the next number of its workspace, and returns it. Call it as
 * the transaction's last statement: the workspace counter stays locked from here to the commit, and a
 * rollback returns the number, so numbers have neither gaps nor duplicates.
 */
export async function takeTicketNumberFor(trx: Kysely<Database>, ticket: { id: string; workspace_id: string }): Promise<number> {
  return numberTicket(trx, ticket.workspace_id, ticket.id);
}

/** The pair's most recently closed ticket, as a subquery (read through the `tickets_contact` index). */
function lastClosedTicketOf(trx: Kysely<Database>, pair: Pair) {
  return trx
    .selectFrom('tickets')
    .select('id')
    .where('workspace_id', '=', pair.workspaceId)
    .where('contact_id', '=', pair.contactId)
    .where('channel_id', '=', pair.channelId)
    .where('status', '=', 'closed')
    .orderBy('closed_at', 'desc')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1);
}
