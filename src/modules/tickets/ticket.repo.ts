// Tickets: the active ticket of a (channel, contact) pair, creation, guarded updates, reads.
import type { Kysely } from 'kysely';
import type { TicketStatus } from '../../domain/ticket-status.js';
import type { Database, NewTicket, TicketRow, TicketUpdate } from '../../db/schema.js';

export async function findActiveTicket(db: Kysely<Database>, channelId: string, contactId: string): Promise<TicketRow | undefined> {
  return db
    .selectFrom('tickets')
    .selectAll()
    .where('channel_id', '=', channelId)
    .where('contact_id', '=', contactId)
    .where('status', '<>', 'closed')
    .executeTakeFirst();
}

export async function findTicket(db: Kysely<Database>, workspaceId: string, ticketId: string): Promise<TicketRow | undefined> {
  return db.selectFrom('tickets').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', ticketId).executeTakeFirst();
}

export async function findTicketByNumber(db: Kysely<Database>, workspaceId: string, number: number): Promise<TicketRow | undefined> {
  return db.selectFrom('tickets').selectAll().where('workspace_id', '=', workspaceId).where('number', '=', number).executeTakeFirst();
}

export async function insertTicket(trx: Kysely<Database>, ticket: NewTicket): Promise<TicketRow> {
  return trx.insertInto('tickets').values(ticket).returningAll().executeTakeFirstOrThrow();
}

/**
 * Updates a ticket only if it still has the status the caller decided from; undefined when another
 * transaction changed it first (for instance an auto-close), so the caller decides again.
 */
export async function updateTicketIfStatus(
  trx: Kysely<Database>,
  ticketId: string,
  expected: TicketStatus | 'active',
  patch: TicketUpdate,
): Promise<TicketRow | undefined> {
  return trx
    .updateTable('tickets')
    .set(patch)
    .where('id', '=', ticketId)
    .$call((qb) => (expected === 'active' ? qb.where('status', '<>', 'closed') : qb.where('status', '=', expected)))
    .returningAll()
    .executeTakeFirst();
}

export async function ticketTags(db: Kysely<Database>, ticketId: string): Promise<string[]> {
  const rows = await db.selectFrom('ticket_tags').select('tag').where('ticket_id', '=', ticketId).orderBy('tag').execute();
  return rows.map((r) => r.tag);
}

export async function replaceTicketTags(trx: Kysely<Database>, workspaceId: string, ticketId: string, tags: string[]): Promise<void> {
  await trx.deleteFrom('ticket_tags').where('ticket_id', '=', ticketId).execute();
  if (tags.length) await trx.insertInto('ticket_tags').values(tags.map((tag) => ({ workspace_id: workspaceId, ticket_id: ticketId, tag }))).execute();
}
