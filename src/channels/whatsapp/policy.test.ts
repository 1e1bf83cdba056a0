import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../domain/clock.js';
import { checkOutbound, type ReplyContext } from '../../domain/reply-policy.js';
import { replyPolicyFor } from '../registry.js';
import { WHATSAPP_WINDOW_MS, whatsappPolicy } from './policy.js';

const now = Date.UTC(2026, 10, 25, 12);
const address = '15550102030';
const at = (ago: number | null): ReplyContext => ({ lastInboundAt: ago === null ? null : now - ago, address, now });

describe('WhatsApp reply policy', () => {
  it('is the policy the registry gives for WhatsApp', () => {
    expect(replyPolicyFor('whatsapp')).toBe(whatsappPolicy);
    expect(WHATSAPP_WINDOW_MS).toBe(24 * HOUR);
  });

  it.each([
    ['1 minute', MINUTE],
    ['23 hours', 23 * HOUR],
    ['24 hours minus 1 ms', 24 * HOUR - 1],
  ])('free-form is allowed %s after the customer\'s last message, and the window closes 24 h after it', (_label, ago) => {
    const window = whatsappPolicy(at(ago));
    expect(window.channelKind).toBe('whatsapp');
    expect(window.canStart).toBe(true);
    expect(window.freeForm).toEqual({ allowed: true, tag: null, automationRefusal: null });
    expect(window.templateRequired).toBe(false);
    expect(window.windowClosesAt).toBe(now - ago + 24 * HOUR);
    expect(checkOutbound(window, 'free_form', 'agent')).toEqual({ ok: true, tag: null });
    expect(checkOutbound(window, 'free_form', 'automation')).toEqual({ ok: true, tag: null });
  });

  it.each([
    ['exactly 24 hours', 24 * HOUR, '24 h'],
    ['25 hours', 25 * HOUR, '25 h'],
    ['3 days', 3 * DAY, '3 days'],
    ['30 days', 30 * DAY, '30 days'],
  ])('free-form is refused with WHATSAPP_TEMPLATE_REQUIRED %s after the customer\'s last message', (_label, ago, said) => {
    const window = whatsappPolicy(at(ago));
    expect(window.canStart).toBe(true);
    expect(window.templateRequired).toBe(true);
    expect(window.windowClosesAt).toBeNull();
    expect(window.freeForm.allowed).toBe(false);
    const decision = checkOutbound(window, 'free_form', 'agent');
    expect(decision.ok).toBe(false);
    if (decision.ok) return;
    expect(decision.refusal.code).toBe('WHATSAPP_TEMPLATE_REQUIRED');
    expect(decision.refusal.message).toBe(
      `Last customer message was ${said} ago; outside WhatsApp's 24-hour window only an approved template can be sent.`,
    );
    expect(decision.refusal.details).toEqual({ lastInboundAt: now - ago });
  });

  it('the refusal 3 days after the customer\'s last message says "3 days ago" in a sentence', () => {
    const decision = checkOutbound(whatsappPolicy(at(3 * DAY)), 'free_form', 'agent');
    expect(decision.ok).toBe(false);
    if (decision.ok) return;
    expect(decision.refusal.message).toContain('3 days ago');
    expect(decision.refusal.message).toMatch(/^[A-Z].*\.$/);
  });

  it('automations are refused free-form outside the window just like agents', () => {
    const decision = checkOutbound(whatsappPolicy(at(2 * DAY)), 'free_form', 'automation');
    expect(decision).toMatchObject({ ok: false, refusal: { code: 'WHATSAPP_TEMPLATE_REQUIRED' } });
  });

  it.each([
    ['inside the window', 1 * HOUR],
    ['exactly 24 hours after', 24 * HOUR],
    ['a week after', 7 * DAY],
    ['when the customer never wrote', null],
  ])('an approved template is always allowed, for agents and automations alike, %s', (_label, ago) => {
    const window = whatsappPolicy(at(ago));
    expect(window.template).toEqual({ allowed: true, tag: null, automationRefusal: null });
    expect(checkOutbound(window, 'template', 'agent')).toEqual({ ok: true, tag: null });
    expect(checkOutbound(window, 'template', 'automation')).toEqual({ ok: true, tag: null });
  });

  it('a customer who never wrote can only be reached with a template, and the refusal says so', () => {
    const window = whatsappPolicy(at(null));
    expect(window.canStart).toBe(true);
    expect(window.templateRequired).toBe(true);
    expect(window.windowClosesAt).toBeNull();
    const decision = checkOutbound(window, 'free_form', 'agent');
    expect(decision).toMatchObject({ ok: false, refusal: { code: 'WHATSAPP_TEMPLATE_REQUIRED', details: { lastInboundAt: null } } });
    if (decision.ok) return;
    expect(decision.refusal.message).toContain('has not written to this WhatsApp number yet');
  });

  it('once the customer replies the 24 h window opens again', () => {
    expect(whatsappPolicy(at(5 * DAY)).templateRequired).toBe(true);
    const reopened = whatsappPolicy(at(MINUTE));
    expect(reopened.templateRequired).toBe(false);
    expect(reopened.windowClosesAt).toBe(now - MINUTE + DAY);
  });

  it.each([
    ['recently written', HOUR],
    ['never written', null],
  ])('a contact with no WhatsApp number (%s) is refused with CONTACT_HAS_NO_PHONE', (_label, ago) => {
    const window = whatsappPolicy({ ...at(ago), address: null });
    expect(window.canStart).toBe(false);
    expect(window.templateRequired).toBe(false);
    expect(window.windowClosesAt).toBeNull();
    for (const form of ['free_form', 'template'] as const) {
      const decision = checkOutbound(window, form, 'agent');
      expect(decision).toMatchObject({ ok: false, refusal: { code: 'CONTACT_HAS_NO_PHONE' } });
      if (decision.ok) return;
      expect(decision.refusal.message).toContain('no WhatsApp number');
    }
  });
});
