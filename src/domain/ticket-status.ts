// The ticket lifecycle: which statuses exist, which are active, and how agents and customers move them.
import type { EpochMs } from './clock.js';
import { DomainError } from './errors.js';

export const TICKET_STATUSES = ['open', 'pending', 'resolved', 'snoozed', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Statuses an agent may set directly; `closed` goes through close, and leaving it through reopen. */
export const AGENT_SETTABLE_STATUSES = ['open', 'pending', 'resolved', 'snoozed'] as const;
export type AgentSettableStatus = (typeof AGENT_SETTABLE_STATUSES)[number];

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

/** Every status but closed is active: a resolved ticket still receives the customer's next message. */
export function isActive(status: TicketStatus): boolean {
  return status !== 'closed';
}

/**
 * The status a ticket takes when its customer writes. Pending and resolved tickets come back to open
 * so agents see them, unless the workspace turned that off; a snoozed ticket always wakes, because a
 * snooze only hides a ticket until something happens.
 */
export function statusAfterCustomerMessage(current: TicketStatus, reopenOnCustomerMessage: boolean): TicketStatus {
  if (current === 'closed') throw new DomainError({ code: 'TICKET_CLOSED', message: 'A closed ticket takes no new messages.' });
  if (current === 'snoozed' || reopenOnCustomerMessage) return 'open';
  return current;
}

/**
 * Checks an agent's status change on an active ticket and returns the snooze wake time to store.
 * Snoozing needs a wake time in the future; every other status clears it.
 */
export function planStatusChange(
  current: TicketStatus,
  next: AgentSettableStatus,
  snoozeUntil: EpochMs | null | undefined,
  now: EpochMs,
): { status: AgentSettableStatus; snoozedUntil: EpochMs | null } {
  if (current === 'closed') {
    throw new DomainError({ code: 'TICKET_CLOSED', message: 'This ticket is closed; reopen it before changing its status.' });
  }
  if (next !== 'snoozed') return { status: next, snoozedUntil: null };
  if (snoozeUntil == null) {
    throw new DomainError({ code: 'SNOOZE_UNTIL_REQUIRED', message: 'Choose when the snoozed ticket should wake up.' });
  }
  if (snoozeUntil <= now) {
    throw new DomainError({ code: 'SNOOZE_UNTIL_IN_PAST', message: 'The wake-up time must be in the future.' });
  }
  return { status: 'snoozed', snoozedUntil: snoozeUntil };
}

/** Whether a snoozed ticket's wake time has come. */
export function shouldWake(status: TicketStatus, snoozedUntil: EpochMs | null, now: EpochMs): boolean {
  return status === 'snoozed' && snoozedUntil !== null && snoozedUntil <= now;
}

export interface ActiveTicketRef {
  id: string;
  number: number;
}

/**
 * Reopening is allowed only when the customer has no other active ticket on that channel, because
 * one (channel, contact) pair never has two active tickets.
 */
export function checkReopen(status: TicketStatus, otherActive: ActiveTicketRef | null): void {
  if (status !== 'closed') {
    throw new DomainError({ code: 'TICKET_NOT_CLOSED', message: 'Only a closed ticket can be reopened.' });
  }
  if (otherActive) {
    throw new DomainError({
      code: 'ACTIVE_TICKET_EXISTS',
      message: `Ticket #${otherActive.number} is already active for this customer on this channel; continue there instead.`,
      details: { activeTicketId: otherActive.id, activeTicketNumber: otherActive.number },
    });
  }
}
