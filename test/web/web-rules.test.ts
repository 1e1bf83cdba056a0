// The web app's own rules, without a browser: the reply-window banner sentences, timeline sentences,
// template previews and parameters, and folding quoted email text.
import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../web/src/features/ticket/timeline.js';
import { emailDocument, splitQuoted } from '../../web/src/features/ticket/quoted.js';
import { missingParameters, renderTemplate, templateParameters } from '../../web/src/features/composer/template-text.js';
import type { ReplyWindow, Template, TimelineEvent } from '../../web/src/lib/types.js';
import { bannerFor, windowForNewAddress } from '../../web/src/lib/window-banner.js';

const NOW = Date.UTC(2026, 10, 25, 12);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const allow = (tag: string | null = null) => ({ allowed: true as const, tag, automationRefusal: null });
const refuse = (code: string, message: string, details?: Record<string, unknown>) => ({ allowed: false as const, refusal: { code, message, details } });

describe('the reply-window banner', () => {
  const whatsappOpen = (closesIn: number): ReplyWindow => ({ channelKind: 'whatsapp', canStart: true, freeForm: allow(), template: allow(), templateRequired: false, windowClosesAt: NOW + closesIn });

  it('counts an open WhatsApp window down in hours and minutes', () => {
    expect(bannerFor(whatsappOpen(5 * HOUR + 12 * MINUTE + 40_000), NOW)).toMatchObject({ tone: 'open', text: 'WhatsApp window open, closes in 5 h 12 min', freeFormRefusal: null });
    expect(bannerFor(whatsappOpen(12 * MINUTE), NOW).text).toBe('WhatsApp window open, closes in 12 min');
    expect(bannerFor(whatsappOpen(30_000), NOW).text).toBe('WhatsApp window open, closes in less than a minute');
  });

  it('turns to the template requirement once the WhatsApp window has run out on the clock', () => {
    const banner = bannerFor(whatsappOpen(HOUR), NOW + HOUR);
    expect(banner).toMatchObject({ tone: 'limited', text: 'Outside the 24-hour window: choose an approved template', templateOnly: true });
    expect(banner.freeFormRefusal).toBeTruthy();
  });

  it("asks for a template outside WhatsApp's window, giving the API's reason for refusing free text", () => {
    const reason = "Last customer message was 25 h ago; outside WhatsApp's 24-hour window only an approved template can be sent.";
    const window: ReplyWindow = { channelKind: 'whatsapp', canStart: true, freeForm: refuse('WHATSAPP_TEMPLATE_REQUIRED', reason, { lastInboundAt: NOW - 25 * HOUR }), template: allow(), templateRequired: true, windowClosesAt: null };
    expect(bannerFor(window, NOW)).toEqual({ tone: 'limited', text: 'Outside the 24-hour window: choose an approved template', freeFormRefusal: reason, templateOnly: true });
  });

  it('says when a WhatsApp customer has never written, for a new number too', () => {
    expect(bannerFor(windowForNewAddress('whatsapp'), NOW)).toMatchObject({ text: 'The customer has not written on WhatsApp yet: choose an approved template', templateOnly: true });
  });

  it("shows Instagram's human-agent allowance in days, then hours", () => {
    const window = (closesIn: number): ReplyWindow => ({ channelKind: 'instagram', canStart: true, freeForm: allow('HUMAN_AGENT'), template: refuse('INSTAGRAM_TEMPLATES_UNSUPPORTED', 'No templates.'), templateRequired: false, windowClosesAt: NOW + closesIn });
    expect(bannerFor(window(2 * DAY + 3 * HOUR), NOW)).toMatchObject({ tone: 'limited', text: 'Instagram: human-agent reply allowed for 2 more days', freeFormRefusal: null });
    expect(bannerFor(window(DAY + HOUR), NOW).text).toBe('Instagram: human-agent reply allowed for 1 more day');
    expect(bannerFor(window(5 * HOUR), NOW).text).toBe('Instagram: human-agent reply allowed for 5 h more');
  });

  it('says the Instagram customer must write first when nothing can be sent, and for a new handle', () => {
    const reason = 'Last customer message was 8 days ago; Instagram allows no message after 7 days until the customer writes again.';
    const closed = refuse('INSTAGRAM_WINDOW_CLOSED', reason);
    const window: ReplyWindow = { channelKind: 'instagram', canStart: false, freeForm: closed, template: closed, templateRequired: false, windowClosesAt: null };
    expect(bannerFor(window, NOW)).toEqual({ tone: 'closed', text: 'The customer must write first', freeFormRefusal: reason, templateOnly: false });
    expect(bannerFor(windowForNewAddress('instagram'), NOW).text).toBe('The customer must write first');
  });

  it('lets email be written at any time, and names a missing address', () => {
    expect(bannerFor(windowForNewAddress('email'), NOW)).toMatchObject({ tone: 'open', text: 'Email: you can write at any time' });
    const missing = refuse('CONTACT_HAS_NO_EMAIL', 'This contact has no email address; add one before writing by email.');
    expect(bannerFor({ channelKind: 'email', canStart: false, freeForm: missing, template: missing, templateRequired: false, windowClosesAt: null }, NOW).text).toBe('This contact has no email address; add one before writing by email.');
  });
});

describe('timeline sentences', () => {
  const event = (type: string, data: Record<string, unknown>, actor: Partial<TimelineEvent> = { actorKind: 'user', actorUserId: 'u1' }): TimelineEvent => ({ id: 'e', type, data, createdAt: NOW, actorKind: 'user', actorUserId: null, ...actor });
  const nameOf = (id: string | null) => (id === 'u1' ? 'You' : id === 'u2' ? 'Bo' : 'A teammate');

  it('names who created, assigned, changed and closed the ticket', () => {
    expect(describeEvent(event('ticket.created', { createdBy: 'customer' }, { actorKind: 'customer' }), nameOf)).toBe('The customer started this conversation');
    expect(describeEvent(event('ticket.created', { createdBy: 'agent' }), nameOf)).toBe('You started this conversation');
    expect(describeEvent(event('assigned', { from: null, to: 'u1' }), nameOf)).toBe('You took the ticket');
    expect(describeEvent(event('assigned', { from: 'u1', to: 'u2' }), nameOf)).toBe('You assigned the ticket to Bo');
    expect(describeEvent(event('assigned', { from: 'u2', to: null }), nameOf)).toBe('You unassigned the ticket');
    expect(describeEvent(event('status.changed', { from: 'open', to: 'pending' }), nameOf)).toBe('You set the status to Pending');
    expect(describeEvent(event('ticket.closed', { from: 'open', reason: 'duplicate' }, { actorKind: 'user', actorUserId: 'u2' }), nameOf)).toBe('Bo closed the ticket (duplicate)');
    expect(describeEvent(event('tags.changed', { added: ['vip'], removed: [] }), nameOf)).toBe('You tagged it vip');
  });

  it('says which kind of auto-close rule closed a ticket', () => {
    expect(describeEvent(event('ticket.closed', { from: 'pending', reason: null, ruleId: 'r1', ruleKind: 'customer_inactivity' }, { actorKind: 'system', actorUserId: null }), nameOf)).toBe(
      'Closed automatically by an auto-close rule: the customer did not answer in time',
    );
    expect(describeEvent(event('ticket.closed', { from: 'open', reason: null, ruleId: 'r2', ruleKind: 'agent_inactivity' }, { actorKind: 'system', actorUserId: null }), nameOf)).toBe(
      'Closed automatically by an auto-close rule: nobody on the team answered in time',
    );
  });

  it('says a customer message woke the ticket', () => {
    expect(describeEvent(event('status.changed', { from: 'pending', to: 'open', reason: 'customer_message' }, { actorKind: 'customer' }), nameOf)).toBe('The customer wrote again; the ticket is open again');
  });
});

describe('template previews and parameters', () => {
  const template: Template = {
    id: 't',
    name: 'order_update',
    language: 'en_US',
    category: 'UTILITY',
    status: 'APPROVED',
    usable: true,
    headerText: 'Order {{1}}',
    headerMedia: null,
    bodyText: 'Hi {{1}}, your order {{2}} is on its way.',
    footerText: 'Reply STOP to opt out',
    buttons: [{ type: 'URL', text: 'Track' }],
    parameters: [
      { component: 'header', name: '1', type: 'text', example: null },
      { component: 'body', name: '1', type: 'text', example: 'Jane' },
      { component: 'body', name: '2', type: 'text', example: '#1' },
      { component: 'button', index: 0, name: 'url_suffix', type: 'text', example: 'abc' },
    ],
    updatedAt: NOW,
  };

  it('previews the text with the values typed so far, keeping the empty placeholders visible', () => {
    expect(renderTemplate(template, { 'body:1': 'Maria' })).toBe('Order {{1}}\n\nHi Maria, your order {{2}} is on its way.\n\nReply STOP to opt out');
    expect(missingParameters(template, { 'body:1': 'Maria' }).map((p) => `${p.component}:${p.name}`)).toEqual(['header:1', 'body:2', 'button:url_suffix']);
  });

  it('sends header and body values by placeholder name and button values by index', () => {
    const values = { 'header:1': 'A-1', 'body:1': ' Maria ', 'body:2': '#1042', 'button:0:url_suffix': 'track/1042' };
    expect(templateParameters(template, values)).toEqual({ header: { 1: 'A-1' }, body: { 1: 'Maria', 2: '#1042' }, buttons: [{ index: 0, value: 'track/1042' }] });
  });
});

describe('quoted email text', () => {
  it('folds what a reply quotes below its own text', () => {
    expect(splitQuoted('Thanks, that worked.\n\nOn Tue, 3 Mar 2026, Support wrote:\n> Try restarting it.')).toEqual({ fresh: 'Thanks, that worked.', quoted: 'On Tue, 3 Mar 2026, Support wrote:\n> Try restarting it.' });
    expect(splitQuoted('No quote here.\n> but this line is inline\nand more text')).toEqual({ fresh: 'No quote here.\n> but this line is inline\nand more text', quoted: '' });
  });

  it('frames email HTML under a policy that loads no script and no remote image, hiding quotes unless asked', () => {
    const folded = emailDocument('<p>Hi</p><blockquote>old</blockquote>', false);
    expect(folded).toContain(`content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"`);
    expect(folded).toContain('blockquote');
    expect(folded).toContain('display: none');
    expect(emailDocument('<p>Hi</p>', true)).not.toContain('display: none');
  });
});
