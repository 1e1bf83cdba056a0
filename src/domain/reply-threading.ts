// Where a reply goes when it points at tickets (an email's reply token or references), issue 6 §3: a pointer
// is followed only when the sender belongs on that ticket, so a stranger quoting someone else's thread never
// lands in it.
import type { TicketStatus } from './ticket-status.js';

/** A ticket a message points at, as threading needs to judge it. */
export interface PointedTicket {
  id: string;
  contactId: string;
  status: TicketStatus;
  /** The sender's address is on the ticket's thread (the customer copied them, or they wrote there before). */
  senderIsParticipant: boolean;
}

export type ReplyTarget =
  /** Thread by sender: their active ticket on the channel, or a new one. `answersActive`: the message answers that active ticket. */
  | { kind: 'sender'; answersActive?: true }
  /** A participant's reply joins the active ticket of the customer who copied them. */
  | { kind: 'join'; ticketId: string }
  /** The thread's ticket is closed: the sender's active ticket takes it, or a new ticket linked to the closed one. */
  | { kind: 'continue'; closedTicketId: string };

/** Follows the first pointer (in the given order, strongest first) whose ticket the sender belongs on. */
export function chooseReplyTarget(pointed: readonly PointedTicket[], senderContactId: string): ReplyTarget {
  for (const ticket of pointed) {
    const own = ticket.contactId === senderContactId;
    if (!own && !ticket.senderIsParticipant) continue;
    if (ticket.status === 'closed') return { kind: 'continue', closedTicketId: ticket.id };
    // The sender's own active ticket is the one threading by sender finds.
    return own ? { kind: 'sender', answersActive: true } : { kind: 'join', ticketId: ticket.id };
  }
  return { kind: 'sender' };
}

/** How a channel threads a customer's messages while they have an active ticket there. */
export const THREADING_MODES = ['sender', 'conversation'] as const;
export type ThreadingMode = (typeof THREADING_MODES)[number];

/** For a channel that threads by conversation: whether a message carries on a ticket of the given subject. */
export interface ConversationHint {
  continues(ticketSubject: string | null): boolean;
}

/**
 * Threading by conversation (an email channel's choice): a person's message that answers none of our
 * messages and does not carry on the active ticket's conversation (another subject) starts a ticket of
 * its own. One active ticket per customer and channel still holds, so the active one is closed first and
 * the new one continues it. Automated mail never does: it opens no ticket.
 */
export function startsNewConversation(target: ReplyTarget, message: { automated: boolean; conversation?: ConversationHint }, active: { subject: string | null }): boolean {
  if (target.kind !== 'sender' || target.answersActive || message.automated || !message.conversation) return false;
  return !message.conversation.continues(active.subject);
}
