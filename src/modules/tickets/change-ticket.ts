// The shared shape of every agent action on a ticket: load it in the caller's workspace, decide from
// its current state, write guarded on that state, and record the timeline and realtime events.
import type { Kysely } from 'kysely';
import type { Database, TicketRow, TicketUpdate } from '../../db/schema.js';
import type { WorkspaceActor } from '../../domain/actor.js';
import { notFound } from '../../domain/errors.js';
import { appendTimeline, publishRealtime, type TimelineEntry } from '../../events/event.repo.js';
import { findTicket, updateTicketIfStatus } from './ticket.repo.js';

export interface TicketChange {
  patch: TicketUpdate;
  timeline: TimelineEntry[];
}

/**
 * Applies a decision to a ticket inside the caller's transaction; a ticket of another workspace is
 * not found. `decide` throws a DomainError to refuse, or returns null when nothing changes.
 */
export async function changeTicket(
  trx: Kysely<Database>,
  actor: WorkspaceActor,
  ticketId: string,
  now: number,
  decide: (ticket: TicketRow) => TicketChange | null | Promise<TicketChange | null>,
): Promise<TicketRow> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const ticket = await findTicket(trx, actor.workspaceId, ticketId);
    if (!ticket) throw notFound('The ticket');
    const change = await decide(ticket);
    if (!change) return ticket;
    const updated = await updateTicketIfStatus(trx, ticket.id, ticket.status, { ...change.patch, updated_at: now });
    if (!updated) continue;
    await appendTimeline(trx, updated, actor.kind !== 'system' ? actor : { kind: 'system', ...(actor.ruleId ? { ruleId: actor.ruleId } : {}) }, change.timeline, now);
    await publishRealtime(trx, updated.workspace_id, [{ type: 'ticket.updated', payload: { ticketId: updated.id, number: updated.number } }], now);
    return updated;
  }
  throw new Error(`ticket ${ticketId} kept changing under a concurrent action`);
}
