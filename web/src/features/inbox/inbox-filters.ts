// The inbox's filters: what the list API is asked, and whether a ticket that changed live still belongs.
import type { Ticket, TicketStatus } from '../../lib/types.js';

export type AssigneeFilter = 'me' | 'unassigned' | 'anyone';
export type StatusFilter = 'active' | TicketStatus | 'any';

export interface InboxFilters {
  assignee: AssigneeFilter;
  status: StatusFilter;
  channelId: string;
  createdBy: '' | 'customer' | 'agent';
  search: string;
}

export const DEFAULT_FILTERS: InboxFilters = { assignee: 'anyone', status: 'active', channelId: '', createdBy: '', search: '' };

const ACTIVE: TicketStatus[] = ['open', 'pending', 'resolved', 'snoozed'];

export function statusesOf(filter: StatusFilter): TicketStatus[] | null {
  if (filter === 'any') return null;
  if (filter === 'active') return ACTIVE;
  return [filter];
}

/** The list API's query for the filters; the server searches, so paging and order stay the list's own. */
export function listQuery(filters: InboxFilters): Record<string, string | undefined> {
  return {
    status: statusesOf(filters.status)?.join(','),
    assignee: filters.assignee,
    channelId: filters.channelId || undefined,
    createdBy: filters.createdBy || undefined,
    q: filters.search.trim() || undefined,
  };
}

/**
 * Whether a ticket belongs in the list under these filters (for tickets that change live). The search is
 * not checked here: message text is not on the ticket, so only the server can say (see useTicketList).
 */
export function matchesFilters(ticket: Ticket, filters: InboxFilters, myUserId: string): boolean {
  const statuses = statusesOf(filters.status);
  if (statuses && !statuses.includes(ticket.status)) return false;
  if (filters.channelId && ticket.channelId !== filters.channelId) return false;
  if (filters.createdBy && ticket.createdBy !== filters.createdBy) return false;
  if (filters.assignee === 'me' && ticket.assigneeUserId !== myUserId) return false;
  if (filters.assignee === 'unassigned' && ticket.assigneeUserId !== null) return false;
  return true;
}

/** Most recently active first, ties by id as the API orders them. */
export function byActivity(a: Ticket, b: Ticket): number {
  return b.lastActivityAt - a.lastActivityAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}
