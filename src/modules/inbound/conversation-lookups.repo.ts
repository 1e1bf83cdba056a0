// What the inbound core asks about a channel's conversations before it stores a delivery.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/** The address, on the channel, of the customer whose message (by provider id) is answered; undefined when that message is not stored. */
export async function addressOfAnsweredCustomer(db: Kysely<Database>, channelId: string, providerMessageId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('messages')
    .innerJoin('tickets', 'tickets.id', 'messages.ticket_id')
    .innerJoin('contact_identities', (join) => join.onRef('contact_identities.contact_id', '=', 'tickets.contact_id').onRef('contact_identities.channel_id', '=', 'messages.channel_id'))
    .select('contact_identities.address')
    .where('messages.channel_id', '=', channelId)
    .where('messages.provider_message_id', '=', providerMessageId)
    .executeTakeFirst();
  return row?.address;
}

/** Whether the customer at `address` on the channel has an active (not closed) ticket there. */
export async function hasActiveTicketAt(db: Kysely<Database>, channelId: string, address: string): Promise<boolean> {
  const row = await db
    .selectFrom('contact_identities')
    .innerJoin('tickets', (join) => join.onRef('tickets.contact_id', '=', 'contact_identities.contact_id').onRef('tickets.channel_id', '=', 'contact_identities.channel_id'))
    .select('tickets.id')
    .where('contact_identities.channel_id', '=', channelId)
    .where('contact_identities.address', '=', address)
    .where('tickets.status', '<>', 'closed')
    .executeTakeFirst();
  return row !== undefined;
}
