// Tickets: the active ticket of a (channel, contact) pair, creation, guarded updates, reads.
import { sql, type Kysely } from 'kysely';
import { param, PreparedQuery } from '../../db/prepared.js';
import type { TicketStatus } from '../../domain/ticket-status.js';
import type { Database, TicketRow, TicketUpdate } from '../../db/schema.js';

/** The columns threading decides from; reading all of a ticket costs more than the rest of the lookup. */
export type ActiveTicketRow = Pick<TicketRow, 'id' | 'number' | 'workspace_id' | 'status' | 'first_response_at' | 'subject'>;

/** The columns of ActiveTicketRow, for every query that reads one. */
export const ACTIVE_TICKET_COLUMNS = ['id', 'number', 'workspace_id', 'status', 'first_response_at', 'subject'] as const;

const findActiveTicketQuery = new PreparedQuery<{ channelId: string; contactId: string }, ActiveTicketRow>((db) =>
  db
    .selectFrom('tickets')
    .select(ACTIVE_TICKET_COLUMNS)
    .where('channel_id', '=', param('channelId'))
    .where('contact_id', '=', param('contactId'))
    // A literal, not a parameter, so SQLite can use the partial index of active tickets.
    .where(sql<boolean>`status <> 'closed'`),
);

export async function findActiveTicket(db: Kysely<Database>, channelId: string, contactId: string): Promise<ActiveTicketRow | undefined> {
  return findActiveTicketQuery.executeTakeFirst(db, { channelId, contactId });
}

export async function findTicket(db: Kysely<Database>, workspaceId: string, ticketId: string): Promise<TicketRow | undefined> {
  return db.selectFrom('tickets').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', ticketId).executeTakeFirst();
}

/**
 * Updates a ticket only if it still has the status the caller decided from; undefined when another
 * transaction changed it first (for instance an auto-close), so the caller decides again.
 */
export async function updateTicketIfStatus(
  trx: Kysely<Database>,
  ticketId: string,
  expected: TicketStatus,
  patch: TicketUpdate,
): Promise<TicketRow | undefined> {
  return trx
    .updateTable('tickets')
    .set(patch)
    .where('id', '=', ticketId)
    .where('status', '=', expected)
    .returningAll()
    .executeTakeFirst();
}

/** Locks a ticket row until the transaction ends (a no-op update), for read-then-replace edits. */
export async function lockTicket(trx: Kysely<Database>, workspaceId: string, ticketId: string): Promise<void> {
  await trx.updateTable('tickets').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('workspace_id', '=', workspaceId).where('id', '=', ticketId).execute();
}

export async function ticketTags(db: Kysely<Database>, ticketId: string): Promise<string[]> {
  const rows = await db.selectFrom('ticket_tags').select('tag').where('ticket_id', '=', ticketId).orderBy('tag').execute();
  return rows.map((r) => r.tag);
}

export async function replaceTicketTags(trx: Kysely<Database>, workspaceId: string, ticketId: string, tags: string[]): Promise<void> {
  await trx.deleteFrom('ticket_tags').where('ticket_id', '=', ticketId).execute();
  if (tags.length) await trx.insertInto('ticket_tags').values(tags.map((tag) => ({ workspace_id: workspaceId, ticket_id: ticketId, tag }))).execute();
}

export interface CustomerMessageTouch {
  ticketId: string;
  from: TicketStatus;
  to: TicketStatus;
  /** Null for automated mail, which is recorded but is not customer activity. */
  receivedAt: number | null;
  /** The provider's time of the message (null for automated mail): the reply window's anchor. */
  sentAt: number | null;
  preview: string;
  now: number;
}

const touchForCustomerMessageQuery = new PreparedQuery<
  { ticketId: string; from: string; to: string; direction: string | null; receivedAt: number | null; sentAt: number | null; preview: string; now: number },
  Pick<TicketRow, 'id' | 'number' | 'workspace_id' | 'status'>
>((db) => {
  const receivedAt = sql<number>`cast(${param('receivedAt')} as bigint)`;
  const sentAt = sql<number>`cast(${param('sentAt')} as bigint)`;
  return db
    .updateTable('tickets')
    .set({
      status: param<TicketStatus>('to'),
      // Leaving the snoozed status ends the snooze.
      snoozed_until: sql`case when ${param('to')} = 'snoozed' then snoozed_until else null end`,
      last_message_direction: sql`coalesce(${param('direction')}, last_message_direction)`,
      last_inbound_at: sql`coalesce(${receivedAt}, last_inbound_at)`,
      last_activity_at: sql`coalesce(${receivedAt}, last_activity_at)`,
      // Deliveries arrive out of order: the anchor only moves forward.
      last_customer_sent_at: sql`case when ${sentAt} is null then last_customer_sent_at when last_customer_sent_at is null or last_customer_sent_at < ${sentAt} then ${sentAt} else last_customer_sent_at end`,
      last_message_preview: param('preview'),
      updated_at: param<number>('now'),
    })
    .where('id', '=', param('ticketId'))
    .where('status', '=', param<TicketStatus>('from'))
    .returning(['id', 'number', 'workspace_id', 'status']);
});

/**
 * Records a customer's message on its ticket, guarded like updateTicketIfStatus; the ingest path's
 * own prepared statement because it runs for every inbound message.
 */
export async function touchTicketForCustomerMessage(trx: Kysely<Database>, touch: CustomerMessageTouch) {
  return touchForCustomerMessageQuery.executeTakeFirst(trx, {
    ticketId: touch.ticketId,
    from: touch.from,
    to: touch.to,
    direction: touch.receivedAt === null ? null : 'inbound',
    receivedAt: touch.receivedAt,
    sentAt: touch.sentAt,
    preview: touch.preview,
    now: touch.now,
  });
}

/**
 * When the customer last wrote on a (channel, contact) pair, provider time: the latest over all the
 * pair's tickets, so a new ticket opened while a window is open keeps that window.
 */
export async function lastCustomerMessageAt(db: Kysely<Database>, channelId: string, contactId: string): Promise<number | null> {
  const row = await db
    .selectFrom('tickets')
    .select((eb) => eb.fn.max('last_customer_sent_at').as('at'))
    .where('contact_id', '=', contactId)
    .where('channel_id', '=', channelId)
    .executeTakeFirst();
  return row?.at ?? null;
}
