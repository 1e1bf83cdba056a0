// Every event Threadbox records: timeline events on a ticket, and realtime events for open inboxes.

/** Who did something. */
export type Actor =
  | { kind: 'user'; userId: string; workspaceId: string }
  | { kind: 'customer' }
  | { kind: 'system'; ruleId?: string };

/** The timeline of a ticket, shown inline in the thread. */
export interface TimelineEventMap {
  'ticket.created': { createdBy: 'customer' | 'agent'; previousTicketId?: string };

  'status.changed': { from: string; to: string; snoozedUntil?: number | null; reason?: string };
  'ticket.closed': { from: string; reason: string | null; ruleId?: string; ruleKind?: string };
  'ticket.reopened': Record<string, never>;
  assigned: { from: string | null; to: string | null };
  'priority.changed': { from: string; to: string };
  'tags.changed': { added: string[]; removed: string[] };
  'message.failed': { messageId: string; code: string; message: string };
  'contact.merged': { fromContactId: string; intoContactId: string };
}
export type TimelineEventType = keyof TimelineEventMap;

/** What the realtime stream carries to the open inboxes of a workspace. */
export interface RealtimeEventMap {
  /** A new ticket; its number is read with the ticket (it is taken as the creating transaction's last step). */
  'ticket.created': { ticketId: string };
  'ticket.updated': { ticketId: string; number: number };
  /** A message joined a ticket; its ticket's activity and preview moved with it. */
  'message.created': { ticketId: string; messageId: string };
  'message.status': { ticketId: string; messageId: string; status: string };
  /** A message changed otherwise: a reaction, a downloaded attachment. */
  'message.updated': { ticketId: string; messageId: string };
}
export type RealtimeEventType = keyof RealtimeEventMap;
