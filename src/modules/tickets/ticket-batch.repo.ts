// Tickets read and written for a batch of customer messages: one statement per step, whatever the
// batch's size (modules/messages/ingest-batch.ts).
import { sql, type Kysely } from 'kysely';
import { engineOf } from '../../db/dialect/engine.js';
import type { Database, TicketRow } from '../../db/schema.js';
import { newTicketRow, type Pair, type TicketDraft } from './open-ticket.js';
import { ACTIVE_TICKET_COLUMNS, type ActiveTicketRow, type CustomerMessageTouch } from './ticket.repo.js';

export type PairTicket = ActiveTicketRow & { contact_id: string };

/**
 * The active tickets of these contacts on one channel, by contact. On PostgreSQL they stay locked until
 * the transaction ends, taken in id order so that batches on several processes lock in one order and
 * never deadlock each other; SQLite has one writer at a time.
 */
export async function lockActiveTickets(trx: Kysely<Database>, channelId: string, contactIds: string[]): Promise<Map<string, PairTicket>> {
  const rows = await trx
    .selectFrom('tickets')
    .select([...ACTIVE_TICKET_COLUMNS, 'contact_id'])
    .where('channel_id', '=', channelId)
    .where('contact_id', 'in', contactIds)
    // A literal, not a parameter, so SQLite can use the partial index of active tickets.
    .where(sql<boolean>`status <> 'closed'`)
    .orderBy('id')
    .$if(engineOf(trx) === 'postgres', (query) => query.forUpdate())
    .execute();
  return new Map(rows.map((row) => [row.contact_id, row]));
}

/**
 * Opens a ticket for each pair, linked to the pair's last closed ticket when the draft names none. A pair
 * that another transaction gave an active ticket first is skipped (the unique index over active
 * tickets): the answer holds only the tickets opened. They have no number yet (numberTickets).
 */
export async function openTickets(trx: Kysely<Database>, opening: { pair: Pair; draft: TicketDraft }[], now: number): Promise<TicketRow[]> {
  if (opening.length === 0) return [];
  return trx
    .insertInto('tickets')
    .values(opening.map(({ pair, draft }) => newTicketRow(trx, pair, draft, now)))
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .execute();
}

/** A customer's message received now on a ticket (not automated: automated mail is never batched). */
export type TicketTouch = Pick<CustomerMessageTouch, 'ticketId' | 'from' | 'to' | 'sentAt' | 'preview'>;

/**
 * Records one customer message on each ticket (see touchTicketForCustomerMessage), each guarded on the
 * status it was decided from; the ids of the tickets written.
 */
export async function touchTicketsForCustomerMessages(trx: Kysely<Database>, touches: TicketTouch[], now: number): Promise<Set<string>> {
  if (touches.length === 0) return new Set();
  // One row per ticket joined to the update, typed in every row since PostgreSQL cannot tell a parameter's type there.
  const touched = sql.join(touches.map((t) => sql`(cast(${t.ticketId} as text), cast(${t.from} as text), cast(${t.to} as text), cast(${t.sentAt} as bigint), cast(${t.preview} as text))`));
  const at = sql`cast(${now} as bigint)`;
  const { rows } = await sql<{ id: string }>`
    with touched (id, status_from, status_to, sent_at, preview) as (values ${touched})
    update tickets set
      status = touched.status_to,
      -- Leaving the snoozed status ends the snooze.
      snoozed_until = case when touched.status_to = 'snoozed' then tickets.snoozed_until else null end,
      last_message_direction = 'inbound',
      last_inbound_at = ${at},
      last_activity_at = ${at},
      -- Deliveries arrive out of order: the anchor only moves forward.
      last_customer_sent_at = case
        when touched.sent_at is null then tickets.last_customer_sent_at
        when tickets.last_customer_sent_at is null or tickets.last_customer_sent_at < touched.sent_at then touched.sent_at
        else tickets.last_customer_sent_at end,
      last_message_preview = touched.preview,
      updated_at = ${at}
    from touched
    where tickets.id = touched.id and tickets.status = touched.status_from
    returning tickets.id`.execute(trx);
  return new Set(rows.map((row) => row.id));
}
