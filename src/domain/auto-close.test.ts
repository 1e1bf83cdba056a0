import { describe, expect, it } from 'vitest';
import {
  AUTO_CLOSE_DEFAULT_MINUTES,
  AUTO_CLOSE_MAX_MINUTES,
  AUTO_CLOSE_MIN_MINUTES,
  autoCloseCutoff,
  checkAutoCloseDuration,
  isAutoClosable,
  ruleClosing,
  type AutoCloseRule,
  type TicketActivity,
} from './auto-close.js';
import { DAY, HOUR, MINUTE } from './clock.js';
import { DomainError } from './errors.js';

const now = Date.UTC(2026, 10, 25, 12);
const CHANNEL = 'ch_whatsapp';

const customerRule: AutoCloseRule = { id: 'r_customer', channelId: CHANNEL, kind: 'customer_inactivity', durationMinutes: (3 * DAY) / MINUTE, enabled: true };
const agentRule: AutoCloseRule = { id: 'r_agent', channelId: CHANNEL, kind: 'agent_inactivity', durationMinutes: DAY / MINUTE, enabled: true };

/** A ticket whose last message is the team's, written `ago` ms before now. */
function waitingOnCustomer(ago: number, overrides: Partial<TicketActivity> = {}): TicketActivity {
  return { channelId: CHANNEL, status: 'pending', lastMessageDirection: 'outbound', lastInboundAt: now - ago - HOUR, lastOutboundAt: now - ago, ...overrides };
}

/** A ticket whose last message is the customer's, received `ago` ms before now. */
function waitingOnAgent(ago: number, overrides: Partial<TicketActivity> = {}): TicketActivity {
  return { channelId: CHANNEL, status: 'open', lastMessageDirection: 'inbound', lastInboundAt: now - ago, lastOutboundAt: now - ago - HOUR, ...overrides };
}

describe('checkAutoCloseDuration', () => {
  it.each([
    ['5 minutes', AUTO_CLOSE_MIN_MINUTES],
    ['1 day', DAY / MINUTE],
    ['90 days', (90 * DAY) / MINUTE],
  ])('accepts a duration of %s', (_label, minutes) => {
    expect(() => checkAutoCloseDuration(minutes)).not.toThrow();
  });

  it.each([
    ['4 minutes', 4],
    ['0 minutes', 0],
    ['a negative duration', -10],
    ['90 days and 1 minute', (90 * DAY) / MINUTE + 1],
    ['a fraction of a minute', 5.5],
    ['NaN', Number.NaN],
  ])('refuses a duration of %s with VALIDATION_FAILED', (_label, minutes) => {
    let thrown: unknown;
    try {
      checkAutoCloseDuration(minutes);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    const error = thrown as DomainError;
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toContain('from 5 to 129600 (90 days)');
    expect(error.details).toEqual({ field: 'durationMinutes' });
  });

  it('bounds are 5 minutes and 90 days, with defaults inside them', () => {
    expect(AUTO_CLOSE_MIN_MINUTES).toBe(5);
    expect(AUTO_CLOSE_MAX_MINUTES).toBe(129_600);
    expect(AUTO_CLOSE_DEFAULT_MINUTES).toEqual({ customer_inactivity: 4320, agent_inactivity: 1440 });
    for (const minutes of Object.values(AUTO_CLOSE_DEFAULT_MINUTES)) expect(() => checkAutoCloseDuration(minutes)).not.toThrow();
  });
});

describe('autoCloseCutoff', () => {
  it.each([
    [5, now - 5 * MINUTE],
    [60, now - HOUR],
    [(3 * DAY) / MINUTE, now - 3 * DAY],
  ])('a %i-minute rule has its cutoff that many minutes before now', (durationMinutes, cutoff) => {
    expect(autoCloseCutoff({ durationMinutes }, now)).toBe(cutoff);
  });
});

describe('isAutoClosable: customer inactivity', () => {
  it.each([
    ['closes a ticket the customer left unanswered for longer than the duration', 3 * DAY + MINUTE, true],
    ['closes a ticket exactly at the cutoff', 3 * DAY, true],
    ['does not close a ticket one millisecond before the cutoff', 3 * DAY - 1, false],
    ['does not close a ticket the team answered recently', HOUR, false],
  ])('%s', (_label, ago, expected) => {
    expect(isAutoClosable(waitingOnCustomer(ago), customerRule, now)).toBe(expected);
  });

  it('does not close a ticket whose last message is the customer\'s', () => {
    expect(isAutoClosable(waitingOnAgent(10 * DAY), customerRule, now)).toBe(false);
  });

  it('does not close a ticket the team never wrote in', () => {
    expect(isAutoClosable(waitingOnCustomer(10 * DAY, { lastOutboundAt: null }), customerRule, now)).toBe(false);
  });
});

describe('isAutoClosable: agent inactivity', () => {
  it.each([
    ['closes a ticket no agent answered for longer than the duration', DAY + MINUTE, true],
    ['closes a ticket exactly at the cutoff', DAY, true],
    ['does not close a ticket one millisecond before the cutoff', DAY - 1, false],
    ['does not close a ticket the customer wrote in recently', HOUR, false],
  ])('%s', (_label, ago, expected) => {
    expect(isAutoClosable(waitingOnAgent(ago), agentRule, now)).toBe(expected);
  });

  it('does not close a ticket whose last message is the team\'s', () => {
    expect(isAutoClosable(waitingOnCustomer(10 * DAY), agentRule, now)).toBe(false);
  });

  it('does not close a ticket with no customer message time', () => {
    expect(isAutoClosable(waitingOnAgent(10 * DAY, { lastInboundAt: null }), agentRule, now)).toBe(false);
  });

  it('does not close a ticket with no messages at all', () => {
    const empty: TicketActivity = { channelId: CHANNEL, status: 'open', lastMessageDirection: null, lastInboundAt: null, lastOutboundAt: null };
    expect(isAutoClosable(empty, agentRule, now)).toBe(false);
    expect(isAutoClosable(empty, customerRule, now)).toBe(false);
  });
});

describe('isAutoClosable: statuses, switches and channels', () => {
  it.each([
    ['open', true],
    ['pending', true],
    ['resolved', true],
    ['snoozed', false],
    ['closed', false],
  ] as const)('customer inactivity on a quiet %s ticket closes it: %s', (status, expected) => {
    expect(isAutoClosable(waitingOnCustomer(10 * DAY, { status }), customerRule, now)).toBe(expected);
  });

  it.each([
    ['open', true],
    ['pending', true],
    ['resolved', true],
    ['snoozed', false],
    ['closed', false],
  ] as const)('agent inactivity on a quiet %s ticket closes it: %s', (status, expected) => {
    expect(isAutoClosable(waitingOnAgent(10 * DAY, { status }), agentRule, now)).toBe(expected);
  });

  it('does not close a snoozed ticket before it wakes, however long it has been quiet', () => {
    expect(isAutoClosable(waitingOnCustomer(89 * DAY, { status: 'snoozed' }), { ...customerRule, durationMinutes: 5 }, now)).toBe(false);
  });

  it.each([
    ['customer inactivity', customerRule, waitingOnCustomer(10 * DAY)],
    ['agent inactivity', agentRule, waitingOnAgent(10 * DAY)],
  ])('a switched-off %s rule closes nothing', (_label, rule, ticket) => {
    expect(isAutoClosable(ticket, rule, now)).toBe(true);
    expect(isAutoClosable(ticket, { ...rule, enabled: false }, now)).toBe(false);
  });

  it.each([
    ['customer inactivity', customerRule, waitingOnCustomer(10 * DAY)],
    ['agent inactivity', agentRule, waitingOnAgent(10 * DAY)],
  ])('another channel\'s %s rule does not close the ticket', (_label, rule, ticket) => {
    expect(isAutoClosable(ticket, { ...rule, channelId: 'ch_other' }, now)).toBe(false);
  });
});

describe('ruleClosing', () => {
  const rules = [customerRule, agentRule];

  it('picks the customer inactivity rule for a ticket waiting on the customer', () => {
    expect(ruleClosing(waitingOnCustomer(3 * DAY), rules, now)).toBe(customerRule);
  });

  it('picks the agent inactivity rule for a ticket waiting on an agent', () => {
    expect(ruleClosing(waitingOnAgent(DAY), rules, now)).toBe(agentRule);
  });

  it('returns no rule when no rule\'s duration has passed', () => {
    expect(ruleClosing(waitingOnCustomer(DAY), rules, now)).toBeNull();
    expect(ruleClosing(waitingOnAgent(HOUR), rules, now)).toBeNull();
  });

  it('returns no rule when the matching rule is switched off', () => {
    expect(ruleClosing(waitingOnAgent(10 * DAY), [customerRule, { ...agentRule, enabled: false }], now)).toBeNull();
  });

  it('returns no rule when only another channel has rules', () => {
    const ticket = waitingOnCustomer(10 * DAY, { channelId: 'ch_instagram' });
    expect(ruleClosing(ticket, rules, now)).toBeNull();
  });

  it('uses the rule of the ticket\'s own channel among several channels', () => {
    const instagramRule: AutoCloseRule = { ...customerRule, id: 'r_ig', channelId: 'ch_instagram', durationMinutes: 60 };
    const ticket = waitingOnCustomer(2 * HOUR, { channelId: 'ch_instagram' });
    expect(ruleClosing(ticket, [customerRule, instagramRule], now)).toBe(instagramRule);
  });

  it('returns no rule when there are none', () => {
    expect(ruleClosing(waitingOnCustomer(10 * DAY), [], now)).toBeNull();
  });
});
