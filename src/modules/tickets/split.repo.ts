// The SQL of splitting a ticket: finding where the split falls, moving the later messages, and reading a
// ticket's activity columns again from the messages it holds.
import type { Kysely } from 'kysely';
import type { Database, TicketUpdate } from '../../db/schema.js';
import { previewOf } from './ticket-activity.js';

/** A message of the ticket, in thread order (created_at, then id), with whether any message comes before it. */
export async function splitPointIn(trx: Kysely<Database>, ticketId: string, messageId: string): Promise<{ id: string; createdAt: number; subject: string | null; direction: string; hasEarlier: boolean } | undefined> {
  const message = await trx.selectFrom('messages').select(['id', 'created_at', 'subject', 'direction']).where('ticket_id', '=', ticketId).where('id', '=', messageId).executeTakeFirst();
  if (!message) return undefined;
  const earlier = await trx
    .selectFrom('messages')
    .select('id')
    .where('ticket_id', '=', ticketId)
    .where((eb) => eb.or([eb('created_at', '<', message.created_at), eb.and([eb('created_at', '=', message.created_at), eb('id', '<', message.id)])]))
    .limit(1)
    .executeTakeFirst();
  return { id: message.id, createdAt: message.created_at, subject: message.subject, direction: message.direction, hasEarlier: earlier !== undefined };
}

/** Moves the message and every later one of the ticket to another ticket; returns how many moved. */
export async function moveMessagesFrom(trx: Kysely<Database>, fromTicketId: string, toTicketId: string, at: { id: string; createdAt: number }): Promise<number> {
  const moved = await trx
    .updateTable('messages')
    .set({ ticket_id: toTicketId })
    .where('ticket_id', '=', fromTicketId)
    .where((eb) => eb.or([eb('created_at', '>', at.createdAt), eb.and([eb('created_at', '=', at.createdAt), eb('id', '>=', at.id)])]))
    .executeTakeFirst();
  return Number(moved.numUpdatedRows);
}

/** Copies the addresses on one ticket's thread to another (replies to either reach the same people). */
export async function copyParticipants(trx: Kysely<Database>, fromTicketId: string, toTicketId: string, now: number): Promise<void> {
  const rows = await trx.selectFrom('ticket_participants').select(['workspace_id', 'address']).where('ticket_id', '=', fromTicketId).execute();
  if (rows.length === 0) return;
  await trx
    .insertInto('ticket_participants')
    .values(rows.map((row) => ({ workspace_id: row.workspace_id, ticket_id: toTicketId, address: row.address, created_at: now })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/**
 * A ticket's activity columns as its messages give them: who spoke last and when, the preview, the
 * customer's latest provider time (the reply window's anchor) and the first team answer. Notes count
 * for activity only, as they do when written.
 */
export async function activityOfMessages(trx: Kysely<Database>, ticketId: string, createdAt: number): Promise<TicketUpdate> {
  const messages = await trx
    .selectFrom('messages')
    .select(['direction', 'kind', 'body', 'automated', 'provider_timestamp', 'created_at'])
    .where('ticket_id', '=', ticketId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const spoken = messages.filter((m) => m.direction !== 'internal');
  const inbound = spoken.filter((m) => m.direction === 'inbound');
  const outbound = spoken.filter((m) => m.direction === 'outbound');
  const last = spoken.at(-1);
  const lastFromCustomer = inbound.filter((m) => !m.automated).at(-1);
  return {
    last_message_direction: last ? (last.direction as 'inbound' | 'outbound') : null,
    last_message_preview: last ? previewOf(last.body, `[${last.kind}]`) : null,
    last_inbound_at: inbound.at(-1)?.created_at ?? null,
    last_outbound_at: outbound.at(-1)?.created_at ?? null,
    last_customer_sent_at: lastFromCustomer ? (lastFromCustomer.provider_timestamp ?? lastFromCustomer.created_at) : null,
    first_response_at: outbound[0]?.created_at ?? null,
    last_activity_at: Math.max(createdAt, ...messages.map((m) => m.created_at)),
  };
}
