// The tickets an inbound mail points at, strongest signal first (issue 6 §3): our reply token in the address it
// was sent to, our subject token, then In-Reply-To and References against every Message-ID stored on the
// channel, ours and the customers'. Whether the sender may join one of them is decided when it is stored.
import type { Kysely } from 'kysely';
import type { ParsedEmail } from '../../channels/email/parse-email.js';
import { readReplyTokens, readSubjectToken, tagMatches } from '../../channels/email/threading-keys.js';
import type { ChannelRow, Database } from '../../db/schema.js';

/** Ticket ids of the channel the mail points at, deduplicated, strongest first. */
export async function findThreadCandidates(db: Kysely<Database>, channel: ChannelRow, mail: ParsedEmail): Promise<string[]> {
  const candidates: string[] = [];
  const add = (id: string | undefined) => {
    if (id && !candidates.includes(id)) candidates.push(id);
  };
  for (const token of readReplyTokens([...mail.deliveredTo, ...mail.to, ...mail.cc], channel.external_id)) {
    const ticket = await ticketByNumber(db, channel, token.ticketNumber);
    if (ticket && tagMatches(token.tag, ticket.id)) add(ticket.id);
  }
  const subjectNumber = readSubjectToken(mail.subject);
  if (subjectNumber !== null) add((await ticketByNumber(db, channel, subjectNumber))?.id);
  // The parent first, then the rest of the chain from the newest back.
  const referenced = [...new Set([...mail.inReplyTo, ...[...mail.references].reverse()])].slice(0, 50);
  if (referenced.length) {
    const rows = await db.selectFrom('messages').select(['provider_message_id', 'ticket_id']).where('channel_id', '=', channel.id).where('provider_message_id', 'in', referenced).execute();
    const ticketOf = new Map(rows.map((r) => [r.provider_message_id, r.ticket_id]));
    for (const id of referenced) add(ticketOf.get(id));
  }
  return candidates;
}

async function ticketByNumber(db: Kysely<Database>, channel: ChannelRow, number: number) {
  return db.selectFrom('tickets').select('id').where('workspace_id', '=', channel.workspace_id).where('number', '=', number).where('channel_id', '=', channel.id).executeTakeFirst();
}
