// Every event Threadbox records: timeline events on a ticket and on a contact, and realtime events for
// open inboxes (which webhooks subscribe to). Who did it is an actor (actor.ts); events/ writes them.

/** The timeline of a ticket, shown inline in the thread. */
export interface TimelineEventMap {
  /** `splitAtMessageId`: an agent split the previous ticket at that message, which opened this one. */
  'ticket.created': { createdBy: 'customer' | 'agent'; previousTicketId?: string; splitAtMessageId?: string };

  'status.changed': { from: string; to: string; snoozedUntil?: number | null; reason?: string };
  'ticket.closed': { from: string; reason: string | null; ruleId?: string; ruleKind?: string };
  'ticket.reopened': Record<string, never>;
  assigned: { from: string | null; to: string | null };
  'priority.changed': { from: string; to: string };
  'tags.changed': { added: string[]; removed: string[] };
  'message.failed': { messageId: string; code: string; message: string };
  'contact.merged': { fromContactId: string; intoContactId: string };
  /** The ticket's contact was blocked or unblocked on the ticket's channel (the ticket itself stays as it is). */
  'contact.blocked': { contactId: string; channelId: string };
  'contact.unblocked': { contactId: string; channelId: string };
  /** A comment rule's automatic answer was not sent: no longer allowed (a private reply after 7 days), or the comment already had one. */
  'automation.skipped': { ruleId: string | null; commentId: string; answer: 'private' | 'public'; code: string; message: string };
}
export type TimelineEventType = keyof TimelineEventMap;

/** A contact's own timeline (`contact_events`), beside the timelines of its tickets. */
export interface ContactEventMap {
  /** An agent blocked the contact's addresses on a channel: their messages open no ticket. */
  'contact.blocked': { channelId: string; identityIds: string[]; addresses: string[] };
  'contact.unblocked': { channelId: string; identityIds: string[]; addresses: string[] };
  /** A public comment the channel's comment rules recorded without a ticket. */
  'comment.recorded': { channelId: string; commentId: string; body: string | null; permalink: string | null; ruleId: string | null };
}
export type ContactEventType = keyof ContactEventMap;

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
