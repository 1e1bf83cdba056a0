// What agents do to a ticket besides writing in it (replies and notes are messages/): close, reopen,
// assign, status, priority and tags. Each action is one transaction and leaves a timeline event naming its actor.
import { isUniqueViolation } from '../../db/errors.js';
import type { TicketRow } from '../../db/schema.js';
import type { TeamActor, WorkspaceActor } from '../../domain/actor.js';
import { DomainError } from '../../domain/errors.js';
import { normalizeTags } from '../../domain/tags.js';
import { checkReopen, planStatusChange, TICKET_PRIORITIES, type AgentSettableStatus, type TicketPriority } from '../../domain/ticket-status.js';
import type { Deps } from '../deps.js';
import { findActiveUser } from '../users/user.repo.js';
import { changeTicket } from './change-ticket.js';
import { findActiveTicket, lockTicket, replaceTicketTags, ticketTags } from './ticket.repo.js';

type EngineDeps = Pick<Deps, 'store' | 'clock'>;

/** Closes a ticket; the next customer message on the pair starts a new one. Closing twice changes nothing. */
export async function closeTicket(deps: EngineDeps, actor: WorkspaceActor, ticketId: string, reason: string | null = null): Promise<TicketRow> {
  return deps.store.unit((trx) =>
    changeTicket(trx, actor, ticketId, deps.clock.now(), (ticket) => {
      if (ticket.status === 'closed') return null;
      const now = deps.clock.now();
      return {
        patch: {
          status: 'closed',
          snoozed_until: null,
          closed_at: now,
          closed_by_user_id: actor.kind === 'user' ? actor.userId : null,
          closed_by_rule_id: actor.kind === 'system' ? (actor.ruleId ?? null) : null,
          close_reason: reason,
        },
        timeline: [{ type: 'ticket.closed', data: { from: ticket.status, reason } }],
      };
    }),
  );
}

/** Reopens a closed ticket, unless the customer already has another active ticket on that channel. */
export async function reopenTicket(deps: EngineDeps, actor: TeamActor, ticketId: string): Promise<TicketRow> {
  try {
    return await deps.store.unit((trx) =>
      changeTicket(trx, actor, ticketId, deps.clock.now(), async (ticket) => {
        const other = ticket.status === 'closed' ? await findActiveTicket(trx, ticket.channel_id, ticket.contact_id) : undefined;
        checkReopen(ticket.status, other ?? null);
        return {
          patch: { status: 'open', closed_at: null, closed_by_user_id: null, closed_by_rule_id: null, close_reason: null },
          timeline: [{ type: 'ticket.reopened', data: {} }],
        };
      }),
    );
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Another ticket became active between the check and the update; name it like the check does.
    const ticket = await deps.store.db.selectFrom('tickets').select(['channel_id', 'contact_id']).where('id', '=', ticketId).executeTakeFirstOrThrow();
    const other = await findActiveTicket(deps.store.db, ticket.channel_id, ticket.contact_id);
    checkReopen('closed', other ?? null);
    throw error;
  }
}

/** Assigns a ticket to an active user of the workspace, or unassigns it with null. */
export async function assignTicket(deps: EngineDeps, actor: TeamActor, ticketId: string, assigneeUserId: string | null): Promise<TicketRow> {
  return deps.store.unit(async (trx) => {
    if (assigneeUserId && !(await findActiveUser(trx, actor.workspaceId, assigneeUserId))) {
      throw new DomainError({ code: 'VALIDATION_FAILED', message: 'That person is not an active member of this workspace.', details: { field: 'assigneeUserId' } });
    }
    return changeTicket(trx, actor, ticketId, deps.clock.now(), (ticket) =>
      ticket.assignee_user_id === assigneeUserId
        ? null
        : { patch: { assignee_user_id: assigneeUserId }, timeline: [{ type: 'assigned', data: { from: ticket.assignee_user_id, to: assigneeUserId } }] },
    );
  });
}

/** Sets open, pending, resolved or snoozed (with a wake time) on an active ticket. */
export async function setTicketStatus(deps: EngineDeps, actor: TeamActor, ticketId: string, status: AgentSettableStatus, snoozeUntil?: number | null): Promise<TicketRow> {
  return deps.store.unit((trx) =>
    changeTicket(trx, actor, ticketId, deps.clock.now(), (ticket) => {
      const next = planStatusChange(ticket.status, status, snoozeUntil, deps.clock.now());
      if (next.status === ticket.status && next.snoozedUntil === ticket.snoozed_until) return null;
      return {
        patch: { status: next.status, snoozed_until: next.snoozedUntil },
        timeline: [{ type: 'status.changed', data: { from: ticket.status, to: next.status, snoozedUntil: next.snoozedUntil } }],
      };
    }),
  );
}

export async function setTicketPriority(deps: EngineDeps, actor: TeamActor, ticketId: string, priority: TicketPriority): Promise<TicketRow> {
  if (!TICKET_PRIORITIES.includes(priority)) {
    throw new DomainError({ code: 'VALIDATION_FAILED', message: `Priority must be one of ${TICKET_PRIORITIES.join(', ')}.`, details: { field: 'priority' } });
  }
  return deps.store.unit((trx) =>
    changeTicket(trx, actor, ticketId, deps.clock.now(), (ticket) =>
      ticket.priority === priority ? null : { patch: { priority }, timeline: [{ type: 'priority.changed', data: { from: ticket.priority, to: priority } }] },
    ),
  );
}

/** Replaces a ticket's tags, recording what was added and removed. */
export async function setTicketTags(deps: EngineDeps, actor: TeamActor, ticketId: string, tags: string[]): Promise<string[]> {
  const next = normalizeTags(tags);
  return deps.store.unit(async (trx) => {
    // Lock the ticket before reading its tags, so concurrent edits apply one after the other.
    await lockTicket(trx, actor.workspaceId, ticketId);
    await changeTicket(trx, actor, ticketId, deps.clock.now(), async (ticket) => {
      const current = await ticketTags(trx, ticket.id);
      const added = next.filter((t) => !current.includes(t));
      const removed = current.filter((t) => !next.includes(t));
      if (!added.length && !removed.length) return null;
      await replaceTicketTags(trx, ticket.workspace_id, ticket.id, next);
      return { patch: {}, timeline: [{ type: 'tags.changed', data: { added, removed } }] };
    });
    return next;
  });
}
