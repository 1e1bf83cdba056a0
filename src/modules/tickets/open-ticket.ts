// Creating a ticket for a (channel, contact) pair with the next number of its workspace.
import type { Kysely } from 'kysely';
import type { Database, NewTicket, TicketRow } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';
import { lockTicketCounter, takeTicketNumber } from '../workspaces/workspace.repo.js';
import { findActiveTicket, insertTicket } from './ticket.repo.js';

export type TicketDraft = Omit<NewTicket, 'id' | 'number' | 'workspace_id' | 'channel_id' | 'contact_id'>;

export interface Pair {
  workspaceId: string;
  channelId: string;
  contactId: string;
}

/**
 * Opens a ticket for the pair unless one became active meanwhile (then `created: false`, and the
 * caller threads into that one). The counter lock serializes creators of one workspace; after it, a look for an
 * active ticket sees every competitor's commit, so numbers have no gaps and the pair no second ticket.
 */
export async function openTicketUnlessActive(trx: Kysely<Database>, pair: Pair, draft: TicketDraft): Promise<{ created: true; ticket: TicketRow } | { created: false }> {
  await lockTicketCounter(trx, pair.workspaceId);
  const active = await findActiveTicket(trx, pair.channelId, pair.contactId);
  if (active) return { created: false };
  const number = await takeTicketNumber(trx, pair.workspaceId);
  const ticket = await insertTicket(trx, {
    ...draft,
    id: newId(),
    number,
    workspace_id: pair.workspaceId,
    channel_id: pair.channelId,
    contact_id: pair.contactId,
  });
  return { created: true, ticket };
}
