import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../domain/clock.js';
import { checkOutbound, type ReplyContext } from '../../domain/reply-policy.js';
import { replyPolicyFor } from '../registry.js';
import { HUMAN_AGENT_TAG, INSTAGRAM_HUMAN_AGENT_WINDOW_MS, INSTAGRAM_STANDARD_WINDOW_MS, instagramPolicy } from './policy.js';

const now = Date.UTC(2026, 10, 25, 12);
const address = '17841400000000001';
const at = (ago: number | null): ReplyContext => ({ lastInboundAt: ago === null ? null : now - ago, address, now });

describe('Instagram reply policy', () => {
  it('is the policy the registry gives for Instagram, with 24 h and 7 day windows', () => {
    expect(replyPolicyFor('instagram')).toBe(instagramPolicy);
    expect(INSTAGRAM_STANDARD_WINDOW_MS).toBe(24 * HOUR);
    expect(INSTAGRAM_HUMAN_AGENT_WINDOW_MS).toBe(7 * DAY);
    expect(HUMAN_AGENT_TAG).toBe('HUMAN_AGENT');
  });

  it.each([
    ['1 minute', MINUTE],
    ['23 hours', 23 * HOUR],
    ['24 hours minus 1 ms', 24 * HOUR - 1],
  ])('any message is allowed without a tag %s after the customer\'s last message', (_label, ago) => {
    const window = instagramPolicy(at(ago));
    expect(window.channelKind).toBe('instagram');
    expect(window.canStart).toBe(true);
    expect(window.templateRequired).toBe(false);
    expect(window.windowClosesAt).toBe(now - ago + 24 * HOUR);
    expect(window.freeForm).toEqual({ allowed: true, tag: null, automationRefusal: null });
    expect(checkOutbound(window, 'free_form', 'agent')).toEqual({ ok: true, tag: null });
    expect(checkOutbound(window, 'free_form', 'automation')).toEqual({ ok: true, tag: null });
  });

  it.each([
    ['exactly 24 hours', 24 * HOUR],
    ['3 days', 3 * DAY],
    ['7 days minus 1 ms', 7 * DAY - 1],
  ])('an agent message is sent with the HUMAN_AGENT tag %s after the customer\'s last message', (_label, ago) => {
    const window = instagramPolicy(at(ago));
    expect(window.canStart).toBe(true);
    expect(window.templateRequired).toBe(false);
    expect(window.windowClosesAt).toBe(now - ago + 7 * DAY);
    expect(checkOutbound(window, 'free_form', 'agent')).toEqual({ ok: true, tag: 'HUMAN_AGENT' });
  });

  it.each([
    ['exactly 24 hours', 24 * HOUR, '24 h'],
    ['3 days', 3 * DAY, '3 days'],
    ['7 days minus 1 ms', 7 * DAY - 1, '7 days'],
  ])('an automated message is refused with INSTAGRAM_HUMAN_AGENT_ONLY %s after the customer\'s last message', (_label, ago, said) => {
    const decision = checkOutbound(instagramPolicy(at(ago)), 'free_form', 'automation');
    expect(decision.ok).toBe(false);
    if (decision.ok) return;
    expect(decision.refusal.code).toBe('INSTAGRAM_HUMAN_AGENT_ONLY');
    expect(decision.refusal.message).toBe(
      `Last customer message was ${said} ago; after 24 hours Instagram accepts only messages written by a person on the team.`,
    );
    expect(decision.refusal.details).toEqual({ lastInboundAt: now - ago });
  });

  it.each([
    ['exactly 7 days', 7 * DAY, '7 days'],
    ['8 days', 8 * DAY, '8 days'],
    ['30 days', 30 * DAY, '30 days'],
  ])('nothing can be sent %s after the customer\'s last message (INSTAGRAM_WINDOW_CLOSED)', (_label, ago, said) => {
    const window = instagramPolicy(at(ago));
    expect(window.canStart).toBe(false);
    expect(window.templateRequired).toBe(false);
    expect(window.windowClosesAt).toBeNull();
    for (const origin of ['agent', 'automation'] as const) {
      const decision = checkOutbound(window, 'free_form', origin);
      expect(decision.ok).toBe(false);
      if (decision.ok) return;
      expect(decision.refusal.code).toBe('INSTAGRAM_WINDOW_CLOSED');
      expect(decision.refusal.message).toBe(
        `Last customer message was ${said} ago; Instagram allows no message after 7 days until the customer writes again.`,
      );
      expect(decision.refusal.details).toEqual({ lastInboundAt: now - ago });
    }
  });

  it.each([
    ['inside 24 hours', HOUR],
    ['between 24 hours and 7 days', 3 * DAY],
    ['after 7 days', 8 * DAY],
  ])('templates are refused with INSTAGRAM_TEMPLATES_UNSUPPORTED %s', (_label, ago) => {
    const window = instagramPolicy(at(ago));
    for (const origin of ['agent', 'automation'] as const) {
      const decision = checkOutbound(window, 'template', origin);
      expect(decision.ok).toBe(false);
      if (decision.ok) return;
      expect(decision.refusal.code).toBe('INSTAGRAM_TEMPLATES_UNSUPPORTED');
      expect(decision.refusal.message).toContain('Instagram does not support message templates');
    }
  });

  it('a contact who has an Instagram id but never wrote cannot be messaged (INSTAGRAM_WINDOW_CLOSED)', () => {
    const window = instagramPolicy(at(null));
    expect(window.canStart).toBe(false);
    expect(window.templateRequired).toBe(false);
    expect(window.windowClosesAt).toBeNull();
    expect(window.template.allowed).toBe(false);
    for (const origin of ['agent', 'automation'] as const) {
      const decision = checkOutbound(window, 'free_form', origin);
      expect(decision).toMatchObject({ ok: false, refusal: { code: 'INSTAGRAM_WINDOW_CLOSED' } });
      if (decision.ok) return;
      expect(decision.refusal.message).toContain('must write to this Instagram account first');
    }
  });

  it.each([
    ['recently written', HOUR],
    ['never written', null],
  ])('a contact not on this Instagram account (%s) is refused with CONTACT_NOT_ON_CHANNEL', (_label, ago) => {
    const window = instagramPolicy({ ...at(ago), address: null });
    expect(window.canStart).toBe(false);
    expect(window.templateRequired).toBe(false);
    expect(window.windowClosesAt).toBeNull();
    for (const form of ['free_form', 'template'] as const) {
      const decision = checkOutbound(window, form, 'agent');
      expect(decision).toMatchObject({ ok: false, refusal: { code: 'CONTACT_NOT_ON_CHANNEL' } });
      if (decision.ok) return;
      expect(decision.refusal.message).toMatch(/^[A-Z].*\.$/);
    }
  });
});
