// Auto-close: which tickets a per-channel inactivity rule closes at a given instant (design.md §1.5).
import { DAY, MINUTE, type EpochMs } from './clock.js';
import { DomainError } from './errors.js';
import type { TicketStatus } from './ticket-status.js';

export const AUTO_CLOSE_KINDS = ['customer_inactivity', 'agent_inactivity'] as const;
export type AutoCloseKind = (typeof AUTO_CLOSE_KINDS)[number];

/** Rules close only tickets the team is working; snoozed tickets wait for their wake time. */
export const AUTO_CLOSABLE_STATUSES = ['open', 'pending', 'resolved'] as const satisfies readonly TicketStatus[];

export const AUTO_CLOSE_MIN_MINUTES = 5;
export const AUTO_CLOSE_MAX_MINUTES = (90 * DAY) / MINUTE;
export const AUTO_CLOSE_DEFAULT_MINUTES: Record<AutoCloseKind, number> = {
  customer_inactivity: (3 * DAY) / MINUTE,
  agent_inactivity: DAY / MINUTE,
};

export interface AutoCloseRule {
  id: string;
  channelId: string;
  kind: AutoCloseKind;
  durationMinutes: number;
  enabled: boolean;
}

export interface TicketActivity {
  channelId: string;
  status: TicketStatus;
  lastMessageDirection: 'inbound' | 'outbound' | null;
  /** When the customer's last (non-automated) message reached us. */
  lastInboundAt: EpochMs | null;
  /** When the team's last message was written. */
  lastOutboundAt: EpochMs | null;
}

/** Refuses durations outside the sane bounds (5 minutes to 90 days). */
export function checkAutoCloseDuration(minutes: number): void {
  if (!Number.isInteger(minutes) || minutes < AUTO_CLOSE_MIN_MINUTES || minutes > AUTO_CLOSE_MAX_MINUTES) {
    throw new DomainError({
      code: 'VALIDATION_FAILED',
      message: `An auto-close duration must be a whole number of minutes from ${AUTO_CLOSE_MIN_MINUTES} to ${AUTO_CLOSE_MAX_MINUTES} (90 days).`,
      details: { field: 'durationMinutes' },
    });
  }
}

/** The instant at or before which the quiet side's last message makes a ticket closable. */
export function autoCloseCutoff(rule: Pick<AutoCloseRule, 'durationMinutes'>, now: EpochMs): EpochMs {
  return now - rule.durationMinutes * MINUTE;
}

/**
 * Customer inactivity closes a ticket whose last message is the team's and older than the duration;
 * agent inactivity closes one whose last message is the customer's and older than the duration.
 */
export function isAutoClosable(ticket: TicketActivity, rule: AutoCloseRule, now: EpochMs): boolean {
  if (!rule.enabled || ticket.channelId !== rule.channelId) return false;
  if (!(AUTO_CLOSABLE_STATUSES as readonly TicketStatus[]).includes(ticket.status)) return false;
  const cutoff = autoCloseCutoff(rule, now);
  if (rule.kind === 'customer_inactivity') {
    return ticket.lastMessageDirection === 'outbound' && ticket.lastOutboundAt !== null && ticket.lastOutboundAt <= cutoff;
  }
  return ticket.lastMessageDirection === 'inbound' && ticket.lastInboundAt !== null && ticket.lastInboundAt <= cutoff;
}

/** The rule that closes a ticket now, if any (a ticket matches at most one kind at a time). */
export function ruleClosing(ticket: TicketActivity, rules: readonly AutoCloseRule[], now: EpochMs): AutoCloseRule | null {
  return rules.find((rule) => isAutoClosable(ticket, rule, now)) ?? null;
}
