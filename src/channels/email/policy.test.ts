import { describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../../domain/clock.js';
import { checkOutbound, type ReplyContext } from '../../domain/reply-policy.js';
import { replyPolicyFor } from '../registry.js';
import { emailPolicy } from './policy.js';

const now = Date.UTC(2026, 10, 25, 12);
const at = (ago: number | null, address: string | null = 'ana@example.com'): ReplyContext => ({
  lastInboundAt: ago === null ? null : now - ago,
  address,
  now,
});

describe('email reply policy', () => {
  it('is the policy the registry gives for email', () => {
    expect(replyPolicyFor('email')).toBe(emailPolicy);
  });

  it.each([
    ['a minute after the customer wrote', 60_000],
    ['exactly 24 hours after', 24 * HOUR],
    ['exactly 7 days after', 7 * DAY],
    ['a year after', 365 * DAY],
    ['when the customer never wrote', null],
  ])('free-form email is always allowed, %s, with no window', (_label, ago) => {
    const window = emailPolicy(at(ago));
    expect(window.channelKind).toBe('email');
    expect(window.canStart).toBe(true);
    expect(window.templateRequired).toBe(false);
    expect(window.windowClosesAt).toBeNull();
    expect(checkOutbound(window, 'free_form', 'agent')).toEqual({ ok: true, tag: null });
    expect(checkOutbound(window, 'free_form', 'automation')).toEqual({ ok: true, tag: null });
  });

  it.each(['agent', 'automation'] as const)('templates are refused on email with EMAIL_TEMPLATES_UNSUPPORTED (%s)', (origin) => {
    const decision = checkOutbound(emailPolicy(at(HOUR)), 'template', origin);
    expect(decision.ok).toBe(false);
    if (decision.ok) return;
    expect(decision.refusal.code).toBe('EMAIL_TEMPLATES_UNSUPPORTED');
    expect(decision.refusal.message).toBe('Templates are a WhatsApp feature; write the email instead.');
  });

  it.each([
    ['recently written', HOUR],
    ['never written', null],
  ])('a contact with no email address (%s) is refused with CONTACT_HAS_NO_EMAIL', (_label, ago) => {
    const window = emailPolicy(at(ago, null));
    expect(window.canStart).toBe(false);
    expect(window.templateRequired).toBe(false);
    expect(window.windowClosesAt).toBeNull();
    for (const form of ['free_form', 'template'] as const) {
      for (const origin of ['agent', 'automation'] as const) {
        const decision = checkOutbound(window, form, origin);
        expect(decision.ok).toBe(false);
        if (decision.ok) return;
        expect(decision.refusal.code).toBe('CONTACT_HAS_NO_EMAIL');
        expect(decision.refusal.message).toBe('This contact has no email address; add one before writing by email.');
      }
    }
  });
});
