// The shared shape of every agent action on a ticket: load it in the caller's workspace, decide from
// its current state, write guarded on that state, and record the timeline and realtime events.
import type { Kysely } from 'kysely';
import type { Database, TicketRow, TicketUpdate } from '../../db/schema.js';
import { notFound } from '../../domain/errors.js';
import { appendTimeline, publishRealtime, type TimelineEntry } from '../../events/event.repo.js';
import type { Actor, IntegrationActor } from '../../events/types.js';
import { findTicket, updateTicketIfStatus } from './ticket.repo.js';

export interface TicketChange {
  patch: TicketUpdate;
  timeline: TimelineEntry[];
}

/** Who acts on a ticket from the inbox or the API: a user of the workspace, an integration, or the system on its behalf. */
export type WorkspaceActor = Extract<Actor, { kind: 'user' }> | IntegrationActor | { kind: 'system'; workspaceId: string; ruleId?: string };

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
