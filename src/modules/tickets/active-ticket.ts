// The one step every path that threads a message takes (a customer's message, an agent's "+ New", a
// brand echo): the (channel, contact) pair's active ticket, or a new one when it has none.
import type { Kysely } from 'kysely';
import type { Database, TicketRow } from '../../db/schema.js';
import { openTicketUnlessActive, type Pair, type TicketDraft } from './open-ticket.js';
import { findActiveTicket, type ActiveTicketRow } from './ticket.repo.js';

export type ActiveOrOpened = { created: false; ticket: ActiveTicketRow } | { created: true; ticket: TicketRow };

/**
 * The pair's active ticket, else a ticket opened from `draft` (linked to the ticket it continues, see
 * openTicketUnlessActive). A concurrent creator that wins the unique index over active tickets makes
 * the insert do nothing: the winner is read once more and joined, so a pair never gets two.
 *
 * Undefined when there is nothing to thread into: no active ticket and no `draft` (automated mail opens
 * none), or the winner of the race was closed before it could be read; the caller decides again.
 * The caller writes into a found ticket guarded on the status it read (it may change meanwhile).
 */
export async function findOrOpenActiveTicket(trx: Kysely<Database>, pair: Pair, draft: TicketDraft | null, now: number): Promise<ActiveOrOpened | undefined> {
  const active = await findActiveTicket(trx, pair.channelId, pair.contactId);
  if (active) return { created: false, ticket: active };
  if (!draft) return undefined;
  const opened = await openTicketUnlessActive(trx, pair, draft, now);
  if (opened.created) return opened;
  const winner = await findActiveTicket(trx, pair.channelId, pair.contactId);
  return winner ? { created: false, ticket: winner } : undefined;
}
