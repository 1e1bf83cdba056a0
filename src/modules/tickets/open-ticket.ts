// Creating a ticket for a (channel, contact) pair, and giving it the next number of its workspace.
import type { Kysely } from 'kysely';
import type { Database, NewTicket, TicketRow } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';
import { takeTicketNumber } from '../workspaces/workspace.repo.js';

export type TicketDraft = Omit<NewTicket, 'id' | 'number' | 'workspace_id' | 'channel_id' | 'contact_id'>;

export interface Pair {
  workspaceId: string;
  channelId: string;
  contactId: string;
}

/**
 * Opens a ticket for the pair unless one is active (then `created: false`, and the caller threads into
 * that one). The unique index over active tickets decides between concurrent creators: the loser's
 * insert does nothing. The ticket has no number yet: see numberNewTicket.
 */
export async function openTicketUnlessActive(trx: Kysely<Database>, pair: Pair, draft: TicketDraft): Promise<{ created: true; ticket: TicketRow } | { created: false }> {
  const ticket = await trx
    .insertInto('tickets')
    .values({ ...draft, id: newId(), number: null, workspace_id: pair.workspaceId, channel_id: pair.channelId, contact_id: pair.contactId })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  return ticket ? { created: true, ticket } : { created: false };
}

/**
 * Gives a ticket opened in this transaction the next number of its workspace. Numbers are taken last,
 * just before commit, because the workspace counter stays locked from here to the commit: a rollback
 * returns the number, so numbers have neither gaps nor duplicates.
 */
export async function numberNewTicket<T extends { id: string; workspace_id: string; number: number }>(trx: Kysely<Database>, ticket: T): Promise<T> {
  const number = await takeTicketNumber(trx, ticket.workspace_id);
  await trx.updateTable('tickets').set({ number }).where('id', '=', ticket.id).execute();
  return { ...ticket, number };
}
