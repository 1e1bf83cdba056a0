import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.js';
import { threadAgentMessage, threadCustomerMessage } from './threading.js';

describe('threadCustomerMessage', () => {
  it.each([true, false])('a customer message with no active ticket starts a new ticket (reopen setting %s)', (reopen) => {
    expect(threadCustomerMessage(null, reopen)).toEqual({ action: 'create' });
  });

  it.each([
    ['open', 'open'],
    ['pending', 'open'],
    ['resolved', 'open'],
    ['snoozed', 'open'],
  ] as const)('a customer message joins the active %s ticket and moves it to %s', (status, to) => {
    expect(threadCustomerMessage({ id: 'tkt_1', status }, true)).toEqual({ action: 'append', ticketId: 'tkt_1', from: status, to });
  });

  it.each([
    ['pending', 'pending'],
    ['resolved', 'resolved'],
    ['snoozed', 'open'],
  ] as const)('with reopening switched off a customer message joins the %s ticket and leaves it %s', (status, to) => {
    expect(threadCustomerMessage({ id: 'tkt_1', status }, false)).toEqual({ action: 'append', ticketId: 'tkt_1', from: status, to });
  });

  it('a customer message never joins a closed ticket', () => {
    expect(() => threadCustomerMessage({ id: 'tkt_1', status: 'closed' }, true)).toThrow(DomainError);
  });
});

describe('threadAgentMessage', () => {
  it('an agent message with no active ticket starts a new ticket', () => {
    expect(threadAgentMessage(null)).toEqual({ action: 'create' });
  });

  it.each(['open', 'pending', 'resolved', 'snoozed'] as const)(
    'an agent\'s "+ New" joins the customer\'s active %s ticket and leaves its status unchanged',
    (status) => {
      expect(threadAgentMessage({ id: 'tkt_9', status })).toEqual({ action: 'append', ticketId: 'tkt_9', from: status, to: status });
    },
  );
});
