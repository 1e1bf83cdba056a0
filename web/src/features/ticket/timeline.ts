// A timeline event as one sentence in the thread: who did what, for closes by which rule or why, and why
// an automatic answer to a comment was not sent.
import { dateTime } from '../../lib/time.js';
import type { TimelineEvent } from '../../lib/types.js';

const STATUS: Record<string, string> = { open: 'Open', pending: 'Pending', resolved: 'Resolved', snoozed: 'Snoozed', closed: 'Closed' };
const RULE: Record<string, string> = {
  customer_inactivity: 'the customer did not answer in time',
  agent_inactivity: 'nobody on the team answered in time',
};

/** Why the product itself closed a ticket, as the end of a sentence; other reasons are an agent's own words. */
const CLOSE_REASON = new Map([
  ['split', 'split into a new ticket'],
  ['new_conversation', 'the customer started a new conversation'],
]);

const list = (items: unknown) => (Array.isArray(items) ? items.map(String).join(', ') : '');

/** The sentence for an event; `nameOf` turns a user id into a name ("You" for the reader). */
export function describeEvent(event: TimelineEvent, nameOf: (userId: string | null) => string): string {
  const actor =
    event.actorKind === 'user'
      ? nameOf(event.actorUserId)
      : event.actorKind === 'integration'
        ? (event.actor?.name ?? 'An integration')
        : event.actorKind === 'customer'
          ? 'The customer'
          : 'Threadbox';
  const d = event.data;
  switch (event.type) {
    case 'ticket.created':
      if (typeof d.splitAtMessageId === 'string') return `${actor} split this ticket from the previous one`;
      return d.createdBy === 'customer' ? 'The customer started this conversation' : `${actor} started this conversation`;
    case 'status.changed': {
      const to = STATUS[String(d.to)] ?? String(d.to);
      if (d.reason === 'customer_message') return `The customer wrote again; the ticket is ${to.toLowerCase()} again`;
      if (d.to === 'snoozed' && typeof d.snoozedUntil === 'number') return `${actor} snoozed the ticket until ${dateTime(d.snoozedUntil)}`;
      if (event.actorKind === 'system' && d.from === 'snoozed') return `The snooze ended; the ticket is ${to.toLowerCase()} again`;
      return `${actor} set the status to ${to}`;
    }
    case 'ticket.closed': {
      const why = typeof d.reason === 'string' ? CLOSE_REASON.get(d.reason) : undefined;
      if (why) return event.actorKind === 'system' ? `Closed: ${why}` : `${actor} closed the ticket: ${why}`;
      const reason = typeof d.reason === 'string' && d.reason ? ` (${d.reason})` : '';
      if (event.actorKind === 'system') {
        const rule = typeof d.ruleKind === 'string' ? RULE[d.ruleKind] : undefined;
        return rule ? `Closed automatically by an auto-close rule: ${rule}` : `Closed automatically${reason}`;
      }
      return `${actor} closed the ticket${reason}`;
    }
    case 'ticket.reopened':
      return `${actor} reopened the ticket`;
    case 'assigned': {
      const to = (d.to as string | null) ?? null;
      if (to === null) return `${actor} unassigned the ticket`;
      if (event.actorKind === 'user' && to === event.actorUserId) return `${actor} took the ticket`;
      return `${actor} assigned the ticket to ${nameOf(to)}`;
    }
    case 'priority.changed':
      return `${actor} changed the priority from ${String(d.from)} to ${String(d.to)}`;
    case 'tags.changed': {
      const added = list(d.added);
      const removed = list(d.removed);
      if (added && removed) return `${actor} tagged it ${added} and removed ${removed}`;
      return added ? `${actor} tagged it ${added}` : `${actor} removed the tag ${removed}`;
    }
    case 'message.failed':
      return `A message could not be delivered: ${String(d.message ?? d.code ?? 'the provider refused it')}`;
    case 'contact.merged':
      return 'This ticket moved here when its contact was merged with a duplicate';
    case 'contact.blocked':
      return `${actor} blocked this contact on this channel: new messages from them open no ticket (this ticket stays as it is)`;
    case 'contact.unblocked':
      return `${actor} unblocked this contact on this channel`;
    case 'automation.skipped': {
      // A comment rule's automatic answer that was no longer allowed, or that a person had already given.
      const answer = d.answer === 'public' ? 'public answer' : 'private reply';
      const why = typeof d.message === 'string' && d.message ? d.message : typeof d.code === 'string' ? d.code : 'it was no longer allowed';
      return `The automatic ${answer} was not sent: ${why}`;
    }
    default:
      return `${actor}: ${event.type}`;
  }
}
