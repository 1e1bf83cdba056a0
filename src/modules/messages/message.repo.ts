// Messages of a ticket, in both directions, with notes.
import type { Kysely } from 'kysely';
import type { Database, MessageRow, NewMessage } from '../../db/schema.js';

export async function findMessageByProviderId(
  db: Kysely<Database>,
  channelId: string,
  providerMessageId: string,
): Promise<Pick<MessageRow, 'id' | 'ticket_id'> | undefined> {
  return db
    .selectFrom('messages')
    .select(['id', 'ticket_id'])
    .where('channel_id', '=', channelId)
    .where('provider_message_id', '=', providerMessageId)
    .executeTakeFirst();
}

/** Inserts a message; undefined when the same provider message is already stored. */
export async function insertMessage(trx: Kysely<Database>, message: NewMessage): Promise<MessageRow | undefined> {
  return trx.insertInto('messages').values(message).onConflict((oc) => oc.doNothing()).returningAll().executeTakeFirst();
}

export async function listTicketMessages(db: Kysely<Database>, workspaceId: string, ticketId: string): Promise<MessageRow[]> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('ticket_id', '=', ticketId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}
