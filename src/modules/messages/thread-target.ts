// Reading the tickets an inbound message points at, and recording who is on a ticket's thread.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { chooseReplyTarget, type ReplyTarget } from '../../domain/reply-threading.js';
import { ACTIVE_TICKET_COLUMNS, type ActiveTicketRow } from '../tickets/ticket.repo.js';

/** Judges the pointed-at tickets of the message's channel against the sender (their contact and address). */
export async function findReplyTarget(trx: Kysely<Database>, channelId: string, candidates: readonly string[], sender: { contactId: string; address: string }): Promise<ReplyTarget> {
  const rows = await trx.selectFrom('tickets').select(['id', 'contact_id', 'status']).where('channel_id', '=', channelId).where('id', 'in', [...candidates]).execute();
  if (rows.length === 0) return { kind: 'sender' };
  const onThread = await trx.selectFrom('ticket_participants').select('ticket_id').where('address', '=', sender.address).where('ticket_id', 'in', rows.map((r) => r.id)).execute();
  const participantOf = new Set(onThread.map((r) => r.ticket_id));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const pointed = candidates.flatMap((id) => {
    const row = byId.get(id);
    return row ? [{ id, contactId: row.contact_id, status: row.status, senderIsParticipant: participantOf.has(id) }] : [];
  });
  return chooseReplyTarget(pointed, sender.contactId);
}

/** The ticket, if it is still active. */
export async function findActiveTicketById(trx: Kysely<Database>, ticketId: string): Promise<ActiveTicketRow | undefined> {
  return trx.selectFrom('tickets').select(ACTIVE_TICKET_COLUMNS).where('id', '=', ticketId).where('status', '<>', 'closed').executeTakeFirst();
}

/** Puts addresses on a ticket's thread; ones already there stay as they were. */
export async function recordParticipants(trx: Kysely<Database>, ticket: { id: string; workspace_id: string }, addresses: readonly string[], now: number): Promise<void> {
  const unique = [...new Set(addresses)];
  if (unique.length === 0) return;
  await trx
    .insertInto('ticket_participants')
    .values(unique.map((address) => ({ workspace_id: ticket.workspace_id, ticket_id: ticket.id, address, created_at: now })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}
