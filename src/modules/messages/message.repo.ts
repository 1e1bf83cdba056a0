// Messages of a ticket, in both directions, with notes.
import type { Kysely } from 'kysely';
import { param, PreparedQuery } from '../../db/prepared.js';
import type { Database, MessageRow } from '../../db/schema.js';
import type { NewMessageRow } from './message-row.js';

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

/** Inserts a message (built by newMessageRow); undefined when the same provider message is already stored. */
export async function insertMessage(trx: Kysely<Database>, message: NewMessageRow): Promise<MessageRow | undefined> {
  return trx.insertInto('messages').values(message).onConflict((oc) => oc.doNothing()).returningAll().executeTakeFirst();
}

const MESSAGE_COLUMNS = [
  'id', 'workspace_id', 'ticket_id', 'channel_id', 'direction', 'author_kind', 'author_user_id', 'author_integration_id', 'kind',
  'body', 'html', 'subject', 'template', 'attachments', 'data', 'automated', 'provider_message_id', 'provider_timestamp',
  'reply_to_provider_message_id', 'status', 'error_code', 'error_message', 'created_at',
] as const satisfies readonly (keyof NewMessageRow)[];

const insertMessageQuery = new PreparedQuery<NewMessageRow, { id: string }>((db) =>
  db
    .insertInto('messages')
    .values(Object.fromEntries(MESSAGE_COLUMNS.map((c) => [c, param(c)])) as unknown as NewMessageRow)
    .onConflict((oc) => oc.doNothing())
    .returning('id'),
);

/** The same for the ingest path: every column given, only the new id answered. */
export async function insertMessageReturningId(trx: Kysely<Database>, message: NewMessageRow): Promise<string | undefined> {
  return (await insertMessageQuery.executeTakeFirst(trx, message))?.id;
}


/** The messages stored under these provider ids on one channel, by provider id. */
export async function messagesByProviderId(db: Kysely<Database>, channelId: string, providerMessageIds: string[]): Promise<Map<string, Pick<MessageRow, 'id' | 'ticket_id'>>> {
  const rows = await db
    .selectFrom('messages')
    .select(['id', 'ticket_id', 'provider_message_id'])
    .where('channel_id', '=', channelId)
    .where('provider_message_id', 'in', providerMessageIds)
    .execute();
  return new Map(rows.map((row) => [row.provider_message_id!, { id: row.id, ticket_id: row.ticket_id }]));
}

/** Inserts messages in one statement; the ids of those inserted (one already stored under its provider id is skipped). */
export async function insertMessages(trx: Kysely<Database>, messages: NewMessageRow[]): Promise<Set<string>> {
  if (messages.length === 0) return new Set();
  const rows = await trx.insertInto('messages').values(messages).onConflict((oc) => oc.doNothing()).returning('id').execute();
  return new Set(rows.map((row) => row.id));
}
