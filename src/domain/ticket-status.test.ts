import { describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from './clock.js';
import { DomainError, type ErrorCode } from './errors.js';
import {
  AGENT_SETTABLE_STATUSES,
  TICKET_STATUSES,
  checkReopen,
  isActive,
  planStatusChange,
  shouldWake,
  statusAfterCustomerMessage,
  type TicketStatus,
} from './ticket-status.js';

const now = Date.UTC(2026, 10, 25, 12);

/** Runs `fn`, asserts it throws a DomainError, and returns it. */
function domainErrorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a DomainError, but nothing was thrown');
}

function expectRefused(fn: () => unknown, code: ErrorCode): DomainError {
  const error = domainErrorOf(fn);
  expect(error.code).toBe(code);
  expect(error.message).toMatch(/^[A-Z].+\.$/);
  return error;
}

describe('isActive', () => {
  it.each([
    ['open', true],
    ['pending', true],
    ['resolved', true],
    ['snoozed', true],
    ['closed', false],
  ] as const)('a %s ticket is active: %s', (status, active) => {
    expect(isActive(status)).toBe(active);
  });

  it('closed is the only inactive status', () => {
    expect(TICKET_STATUSES.filter((status) => !isActive(status))).toEqual(['closed']);
  });
});

describe('statusAfterCustomerMessage', () => {
  it.each([
    ['pending', 'open'],
    ['resolved', 'open'],
    ['snoozed', 'open'],
    ['open', 'open'],
  ] as const)('a customer message moves a %s ticket to %s when reopening is on', (current, expected) => {
    expect(statusAfterCustomerMessage(current, true)).toBe(expected);
  });

  it.each([
    ['pending', 'pending'],
    ['resolved', 'resolved'],
    ['open', 'open'],
  ] as const)('with reopening switched off a customer message leaves a %s ticket %s', (current, expected) => {
    expect(statusAfterCustomerMessage(current, false)).toBe(expected);
  });

  it('a customer message always wakes a snoozed ticket, even with reopening switched off', () => {
    expect(statusAfterCustomerMessage('snoozed', false)).toBe('open');
  });

  it.each([true, false])('a closed ticket takes no customer message (TICKET_CLOSED, reopen setting %s)', (reopen) => {
    expectRefused(() => statusAfterCustomerMessage('closed', reopen), 'TICKET_CLOSED');
  });
});

describe('planStatusChange', () => {
  it.each(['open', 'pending', 'resolved'] as const)('an agent can set a ticket to %s, which clears any snooze time', (next) => {
    expect(planStatusChange('snoozed', next, now + HOUR, now)).toEqual({ status: next, snoozedUntil: null });
  });

  it.each(['open', 'pending', 'resolved', 'snoozed'] as const)('an agent can snooze a %s ticket until a future time', (current) => {
    expect(planStatusChange(current, 'snoozed', now + HOUR, now)).toEqual({ status: 'snoozed', snoozedUntil: now + HOUR });
  });

  it('snoozing until one millisecond from now is accepted', () => {
    expect(planStatusChange('open', 'snoozed', now + 1, now)).toEqual({ status: 'snoozed', snoozedUntil: now + 1 });
  });

  it.each([null, undefined])('snoozing without a wake time is refused with SNOOZE_UNTIL_REQUIRED (%s)', (until) => {
    expectRefused(() => planStatusChange('open', 'snoozed', until, now), 'SNOOZE_UNTIL_REQUIRED');
  });

  it.each([
    ['exactly now', now],
    ['one minute ago', now - MINUTE],
  ])('snoozing until %s is refused with SNOOZE_UNTIL_IN_PAST', (_label, until) => {
    expectRefused(() => planStatusChange('open', 'snoozed', until, now), 'SNOOZE_UNTIL_IN_PAST');
  });

  it.each(AGENT_SETTABLE_STATUSES)('a closed ticket cannot be set to %s without reopening it first (TICKET_CLOSED)', (next) => {
    const error = expectRefused(() => planStatusChange('closed', next, now + HOUR, now), 'TICKET_CLOSED');
    expect(error.message).toContain('reopen');
  });
});

describe('shouldWake', () => {
  it.each([
    ['one millisecond before its wake time', now + 1, false],
    ['exactly at its wake time', now, true],
    ['after its wake time', now - MINUTE, true],
  ])('a snoozed ticket %s wakes: %s', (_label, until, expected) => {
    expect(shouldWake('snoozed', until, now)).toBe(expected);
  });

  it('a snoozed ticket with no wake time never wakes by itself', () => {
    expect(shouldWake('snoozed', null, now)).toBe(false);
  });

  it.each(['open', 'pending', 'resolved', 'closed'] as const)('a %s ticket is never woken, even with a past snooze time', (status: TicketStatus) => {
    expect(shouldWake(status, now - HOUR, now)).toBe(false);
  });
});

describe('checkReopen', () => {
  it('a closed ticket can be reopened when the customer has no other active ticket on the channel', () => {
    expect(() => checkReopen('closed', null)).not.toThrow();
  });

  it('reopening is refused with ACTIVE_TICKET_EXISTS naming the active ticket when the customer has one', () => {
    const error = expectRefused(() => checkReopen('closed', { id: 'tkt_active', number: 42 }), 'ACTIVE_TICKET_EXISTS');
    expect(error.message).toContain('#42');
    expect(error.details).toEqual({ activeTicketId: 'tkt_active', activeTicketNumber: 42 });
    expect(error.kind).toBe('conflict');
  });

  it.each(['open', 'pending', 'resolved', 'snoozed'] as const)('a %s ticket cannot be reopened (TICKET_NOT_CLOSED)', (status) => {
    expectRefused(() => checkReopen(status, null), 'TICKET_NOT_CLOSED');
  });

  it('a ticket that is not closed is refused with TICKET_NOT_CLOSED even when another ticket is active', () => {
    expectRefused(() => checkReopen('open', { id: 'tkt_other', number: 7 }), 'TICKET_NOT_CLOSED');
  });
});
