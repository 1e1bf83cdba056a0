// The tickets of a channel an inbound message points at, strongest signal first: the ticket numbers it
// names (an email's reply token, then its subject token), then the messages it answers against every
// provider message id stored on the channel, ours and the customers'. Whether the sender may join one
// of them is decided when the message is stored.
import type { Kysely } from 'kysely';
import type { ThreadingHints } from '../../channels/inbound-events.js';
import type { ChannelRow, Database } from '../../db/schema.js';

/** Ticket ids of the channel the hints point at, deduplicated, strongest first. */
export async function findThreadCandidates(db: Kysely<Database>, channel: ChannelRow, hints: ThreadingHints): Promise<string[]> {
  const candidates: string[] = [];
  const add = (id: string | undefined) => {
    if (id && !candidates.includes(id)) candidates.push(id);
  };
  for (const named of hints.ticketNumbers) {
    const ticket = await ticketByNumber(db, channel, named.number);
    if (ticket && named.belongsTo(ticket.id)) add(ticket.id);
  }
  if (hints.referencedMessageIds.length) {
    const rows = await db.selectFrom('messages').select(['provider_message_id', 'ticket_id']).where('channel_id', '=', channel.id).where('provider_message_id', 'in', hints.referencedMessageIds).execute();
    const ticketOf = new Map(rows.map((r) => [r.provider_message_id, r.ticket_id]));
    for (const id of hints.referencedMessageIds) add(ticketOf.get(id));
  }
  return candidates;
}

async function ticketByNumber(db: Kysely<Database>, channel: ChannelRow, number: number) {
  return db.selectFrom('tickets').select('id').where('workspace_id', '=', channel.workspace_id).where('number', '=', number).where('channel_id', '=', channel.id).executeTakeFirst();
}
