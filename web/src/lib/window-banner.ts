// Where the team stands with a contact on a channel, in one sentence: the composer's banner and the
// contact panel's window state, from the reply-window pre-flight and the current time.
import { hoursAndMinutes, remainingDaysOrHours } from './time.js';
import type { ReplyWindow } from './types.js';

export type BannerTone = 'open' | 'limited' | 'closed';

export interface Banner {
  tone: BannerTone;
  text: string;
  /** Why free text cannot be sent now, as the API put it; null when it can. */
  freeFormRefusal: string | null;
  /** Whether an approved template is the only way to write. */
  templateOnly: boolean;
}

const HUMAN_AGENT = 'HUMAN_AGENT';

/** The banner for a pre-flight answer at a moment. */
export function bannerFor(window: ReplyWindow, now: number): Banner {
  const refusal = window.freeForm.allowed ? null : window.freeForm.refusal;
  const closesIn = window.windowClosesAt === null ? null : window.windowClosesAt - now;
  switch (window.channelKind) {
    case 'whatsapp': {
      if (!window.canStart) return { tone: 'closed', text: refusal?.message ?? 'Nothing can be sent to this contact on WhatsApp.', freeFormRefusal: refusal?.message ?? null, templateOnly: false };
      if (window.freeForm.allowed && closesIn !== null && closesIn > 0) {
        return { tone: 'open', text: `WhatsApp window open, closes in ${hoursAndMinutes(closesIn)}`, freeFormRefusal: null, templateOnly: false };
      }
      const neverWrote = refusal?.details?.lastInboundAt === null;
      return {
        tone: 'limited',
        text: neverWrote ? 'The customer has not written on WhatsApp yet: choose an approved template' : 'Outside the 24-hour window: choose an approved template',
        freeFormRefusal: refusal?.message ?? "Outside WhatsApp's 24-hour window only an approved template can be sent.",
        templateOnly: true,
      };
    }
    case 'instagram': {
      if (!window.canStart || (closesIn !== null && closesIn <= 0)) {
        return { tone: 'closed', text: 'The customer must write first', freeFormRefusal: refusal?.message ?? 'Instagram lets brands answer only after the customer writes.', templateOnly: false };
      }
      if (window.freeForm.allowed && window.freeForm.tag === HUMAN_AGENT && closesIn !== null) {
        return { tone: 'limited', text: `Instagram: human-agent reply allowed for ${remainingDaysOrHours(closesIn)}`, freeFormRefusal: null, templateOnly: false };
      }
      if (window.freeForm.allowed && closesIn !== null) {
        return { tone: 'open', text: `Instagram window open, closes in ${hoursAndMinutes(closesIn)}`, freeFormRefusal: null, templateOnly: false };
      }
      return { tone: 'closed', text: 'The customer must write first', freeFormRefusal: refusal?.message ?? null, templateOnly: false };
    }
    case 'email':
      if (!window.canStart || refusal) return { tone: 'closed', text: refusal?.message ?? 'This contact cannot be emailed.', freeFormRefusal: refusal?.message ?? null, templateOnly: false };
      return { tone: 'open', text: 'Email: you can write at any time', freeFormRefusal: null, templateOnly: false };
  }
}


/**
 * The window for an address no contact has yet: such a customer has never written, so WhatsApp takes
 * only a template, Instagram nothing, and email anything. The server checks again when it is sent.
 */
export function windowForNewAddress(kind: ReplyWindow['channelKind']): ReplyWindow {
  const refuse = (code: string, message: string, details?: Record<string, unknown>) => ({ allowed: false as const, refusal: { code, message, details } });
  const allow = { allowed: true as const, tag: null, automationRefusal: null };
  switch (kind) {
    case 'whatsapp':
      return {
        channelKind: kind,
        canStart: true,
        freeForm: refuse('WHATSAPP_TEMPLATE_REQUIRED', 'This customer has not written to this WhatsApp number yet; only an approved template can start the conversation.', { lastInboundAt: null }),
        template: allow,
        templateRequired: true,
        windowClosesAt: null,
      };
    case 'instagram': {
      const refusal = refuse('INSTAGRAM_WINDOW_CLOSED', 'The customer must write to this Instagram account first; Instagram lets brands answer only after that.');
      return { channelKind: kind, canStart: false, freeForm: refusal, template: refusal, templateRequired: false, windowClosesAt: null };
    }
    case 'email':
      return { channelKind: kind, canStart: true, freeForm: allow, template: refuse('EMAIL_TEMPLATES_UNSUPPORTED', 'Templates are a WhatsApp feature; write the email instead.'), templateRequired: false, windowClosesAt: null };
  }
}
