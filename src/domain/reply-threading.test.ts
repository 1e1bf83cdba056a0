import { describe, expect, it } from 'vitest';
import { chooseReplyTarget, startsNewConversation, type ConversationHint, type PointedTicket } from './reply-threading.js';

const ticket = (id: string, contactId: string, status: PointedTicket['status'] = 'open', senderIsParticipant = false): PointedTicket => ({ id, contactId, status, senderIsParticipant });

describe('choosing where a reply goes', () => {
  it('threads by sender when the message points at nothing', () => {
    expect(chooseReplyTarget([], 'ana')).toEqual({ kind: 'sender' });
  });

  it("a customer's reply to their own active ticket goes to their active ticket", () => {
    expect(chooseReplyTarget([ticket('t1', 'ana')], 'ana')).toEqual({ kind: 'sender', answersActive: true });
  });

  it("never follows a pointer into another customer's ticket when the sender is not on its thread", () => {
    expect(chooseReplyTarget([ticket('t1', 'bo')], 'ana')).toEqual({ kind: 'sender' });
    expect(chooseReplyTarget([ticket('t1', 'bo', 'closed')], 'ana')).toEqual({ kind: 'sender' });
  });

  it('a participant the customer copied joins the customer\'s active ticket', () => {
    expect(chooseReplyTarget([ticket('t1', 'bo', 'pending', true)], 'ana')).toEqual({ kind: 'join', ticketId: 't1' });
  });

  it('a reply pointing at a closed ticket continues it in a new (or the active) ticket', () => {
    expect(chooseReplyTarget([ticket('t1', 'ana', 'closed')], 'ana')).toEqual({ kind: 'continue', closedTicketId: 't1' });
  });

  it('takes the strongest pointer the sender belongs on, skipping the ones they do not', () => {
    expect(chooseReplyTarget([ticket('t1', 'bo'), ticket('t2', 'ana', 'closed'), ticket('t3', 'ana')], 'ana')).toEqual({ kind: 'continue', closedTicketId: 't2' });
  });
});

describe('threading by conversation', () => {
  // Carries on a ticket only of the subject "Refund".
  const refund: ConversationHint = { continues: (subject) => subject === 'Refund' };
  const person = { automated: false, conversation: refund };

  it('a message on another subject that answers nothing starts a new conversation', () => {
    expect(startsNewConversation({ kind: 'sender' }, person, { subject: 'Order 7' })).toBe(true);
  });

  it('a message carrying on the active ticket, or answering it, stays in it', () => {
    expect(startsNewConversation({ kind: 'sender' }, person, { subject: 'Refund' })).toBe(false);
    expect(startsNewConversation({ kind: 'sender', answersActive: true }, person, { subject: 'Order 7' })).toBe(false);
  });

  it('never when the channel threads by sender, for automated mail, or for a reply another ticket decides', () => {
    expect(startsNewConversation({ kind: 'sender' }, { automated: false }, { subject: 'Order 7' })).toBe(false);
    expect(startsNewConversation({ kind: 'sender' }, { automated: true, conversation: refund }, { subject: 'Order 7' })).toBe(false);
    expect(startsNewConversation({ kind: 'continue', closedTicketId: 't1' }, person, { subject: 'Order 7' })).toBe(false);
  });
});
