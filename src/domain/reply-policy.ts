// What the brand may send to a contact on a channel right now, as a value every sender checks.
import type { EpochMs } from './clock.js';
import type { Refusal } from './errors.js';

export const CHANNEL_KINDS = ['whatsapp', 'instagram', 'email'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** Who wrote an outgoing message: a person on the team, or an automation / integration / bot. */
export type MessageOrigin = 'agent' | 'automation';
/** Free text (with or without attachments), or a provider-approved template. */
export type OutboundForm = 'free_form' | 'template';

export interface ReplyContext {
  /** The customer's last inbound message on this (channel, contact) pair, provider timestamp. */
  lastInboundAt: EpochMs | null;
  /** The contact's address usable on this channel (wa_id, Instagram-scoped id, email), if known. */
  address: string | null;
  now: EpochMs;
}

export type Permission =
  | { allowed: true; tag: string | null; automationRefusal: Refusal | null }
  | { allowed: false; refusal: Refusal };

export interface ReplyWindow {
  channelKind: ChannelKind;
  /** Whether anything at all can be sent (a template counts). */
  canStart: boolean;
  freeForm: Permission;
  template: Permission;
  /** Free-form is refused but a template would go through. */
  templateRequired: boolean;
  /** When the current free-form allowance ends; null when there is no window (email) or it is closed. */
  windowClosesAt: EpochMs | null;
}

export type ReplyPolicy = (ctx: ReplyContext) => ReplyWindow;

export type SendDecision = { ok: true; tag: string | null } | { ok: false; refusal: Refusal };

/** Applies a computed window to one outgoing message. */
export function checkOutbound(window: ReplyWindow, form: OutboundForm, origin: MessageOrigin): SendDecision {
  const permission = form === 'template' ? window.template : window.freeForm;
  if (!permission.allowed) return { ok: false, refusal: permission.refusal };
  if (origin === 'automation' && permission.automationRefusal) return { ok: false, refusal: permission.automationRefusal };
  return { ok: true, tag: permission.tag };
}

/**
 * The window as a sender of this origin sees it: for an automation (an integration, the system) whatever
 * only a person may send is refused, so a pre-flight tells a bot the truth before it writes.
 */
export function windowForOrigin(window: ReplyWindow, origin: MessageOrigin): ReplyWindow {
  if (origin !== 'automation') return window;
  const asAutomation = (permission: Permission): Permission => (permission.allowed && permission.automationRefusal ? refuse(permission.automationRefusal) : permission);
  const freeForm = asAutomation(window.freeForm);
  const template = asAutomation(window.template);
  return {
    ...window,
    canStart: freeForm.allowed || template.allowed,
    freeForm,
    template,
    templateRequired: !freeForm.allowed && template.allowed,
    windowClosesAt: freeForm.allowed ? window.windowClosesAt : null,
  };
}

export const allow = (tag: string | null = null, automationRefusal: Refusal | null = null): Permission => ({
  allowed: true,
  tag,
  automationRefusal,
});

export const refuse = (refusal: Refusal): Permission => ({ allowed: false, refusal });

/** A window where nothing can be sent, for a contact the channel cannot reach. */
export function unreachable(channelKind: ChannelKind, refusal: Refusal): ReplyWindow {
  return {
    channelKind,
    canStart: false,
    freeForm: refuse(refusal),
    template: refuse(refusal),
    templateRequired: false,
    windowClosesAt: null,
  };
}
