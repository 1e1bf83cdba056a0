// Threading: one active ticket per customer per channel; where a new message goes.
import { statusAfterCustomerMessage, type TicketStatus } from './ticket-status.js';

export interface ActiveTicket {
  id: string;
  status: TicketStatus;
}

export type ThreadDecision =
  | { action: 'append'; ticketId: string; from: TicketStatus; to: TicketStatus }
  | { action: 'create' };

/**
 * A customer's message joins the active ticket of its (channel, contact) pair, waking it when the
 * workspace asks for that; with no active ticket it starts a new one.
 */
export function threadCustomerMessage(active: ActiveTicket | null, reopenOnCustomerMessage: boolean): ThreadDecision {
  if (!active) return { action: 'create' };
  return {
    action: 'append',
    ticketId: active.id,
    from: active.status,
    to: statusAfterCustomerMessage(active.status, reopenOnCustomerMessage),
  };
}

/**
 * An agent's message ("+ New" or a reply) joins the active ticket of the pair when there is one, so
 * a second active ticket is never opened and the agent's message is never lost.
 */
export function threadAgentMessage(active: ActiveTicket | null): ThreadDecision {
  if (!active) return { action: 'create' };
  return { action: 'append', ticketId: active.id, from: active.status, to: active.status };
}
