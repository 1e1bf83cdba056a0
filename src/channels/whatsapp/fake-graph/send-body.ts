// Checking a `POST /{phone-number-id}/messages` body the way the Cloud API does (channels.md §A.4):
// the common fields, then the object named after `type`. A malformed body gets the Graph error a
// real client would see, so a bug in our request builder fails the test instead of passing silently.
import { whatsappError, type GraphErrorAnswer } from './graph-errors.js';

export const MESSAGE_TYPES = ['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contacts', 'interactive', 'template', 'reaction'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'document', 'sticker']);
const CAPTIONED = new Set(['image', 'video', 'document']);

export interface TemplateRequest {
  name: string;
  language: { code: string; policy?: string };
  components?: TemplateComponentRequest[];
}

export interface TemplateComponentRequest {
  type: string;
  sub_type?: string;
  index?: string | number;
  parameters?: Record<string, unknown>[];
}

export type SendBody =
  /**
   * `waId` is the recipient as WhatsApp keys it: the phone's digits, or the BSUID as given when `to` is
   * one (then `userId` too; channels.md §A.4.1: a BSUID goes in `to`).
   */
  | { kind: 'message'; to: string; waId: string; userId: string | null; type: MessageType; template?: TemplateRequest }
  | { kind: 'mark-read'; messageId: string };

type Checked = { ok: true; body: SendBody } | { ok: false; error: GraphErrorAnswer };

const missing = (what: string): Checked => ({ ok: false, error: whatsappError(131008, `The parameter ${what} is required.`) });
const invalid = (details: string): Checked => ({ ok: false, error: whatsappError(100, details) });

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The recipient as WhatsApp normalises it: digits only, no `+`. */
export function waIdOf(to: string): string {
  return to.replace(/\D/g, '');
}

/** Whether a recipient is a business-scoped user id (`US.13491208655302741918`, `US.ENT.…`) rather than a phone. */
export function isBsuid(to: string): boolean {
  return /^[A-Z]{2}\.[A-Za-z0-9.]+$/.test(to);
}

/** The key a customer's window is kept under: a BSUID as given, a phone as digits. */
export function recipientKeyOf(to: string): string {
  return isBsuid(to) ? to : waIdOf(to);
}

function checkMedia(type: string, media: Record<string, unknown>): string | null {
  const hasId = typeof media.id === 'string' && media.id !== '';
  const hasLink = typeof media.link === 'string' && media.link !== '';
  if (hasId === hasLink) return `Param ${type} must have exactly one of id or link.`;
  if (hasLink && !/^https?:\/\//.test(media.link as string)) return `Param ${type}['link'] must be an http(s) URL.`;
  if (media.caption !== undefined && (!CAPTIONED.has(type) || typeof media.caption !== 'string')) return `Param ${type}['caption'] is not valid for ${type}.`;
  if (typeof media.caption === 'string' && media.caption.length > 1024) return `Param ${type}['caption'] must be at most 1024 characters.`;
  if (media.filename !== undefined && (type !== 'document' || typeof media.filename !== 'string')) return `Param ${type}['filename'] is only valid for documents.`;
  return null;
}

function checkTemplate(template: Record<string, unknown>): Checked | null {
  if (typeof template.name !== 'string' || template.name === '') return missing("template['name']");
  if (!isObject(template.language) || typeof template.language.code !== 'string' || template.language.code === '') return missing("template['language']['code']");
  if (template.components !== undefined) {
    if (!Array.isArray(template.components)) return invalid("Param template['components'] must be an array.");
    for (const component of template.components as unknown[]) {
      if (!isObject(component) || typeof component.type !== 'string') return invalid("Each template component needs a 'type'.");
      if (!['header', 'body', 'button'].includes(component.type)) return invalid(`Template component type '${component.type}' is not valid.`);
      if (component.parameters !== undefined && (!Array.isArray(component.parameters) || !component.parameters.every((p) => isObject(p) && typeof p.type === 'string'))) {
        return invalid(`Template component '${component.type}' has parameters without a 'type'.`);
      }
      if (component.type === 'button' && (typeof component.sub_type !== 'string' || component.index === undefined)) return missing("template button 'sub_type' and 'index'");
    }
  }
  return null;
}

function checkTypeObject(type: MessageType, object: Record<string, unknown>): string | null {
  if (type === 'text') {
    if (typeof object.body !== 'string' || object.body === '') return "Param text['body'] must be a non-empty string.";
    if (object.body.length > 4096) return "Param text['body'] must be at most 4096 characters.";
    if (object.preview_url !== undefined && typeof object.preview_url !== 'boolean') return "Param text['preview_url'] must be a boolean.";
    return null;
  }
  if (MEDIA_TYPES.has(type)) return checkMedia(type, object);
  if (type === 'location') return typeof object.latitude === 'number' && typeof object.longitude === 'number' ? null : 'Param location needs numeric latitude and longitude.';
  if (type === 'reaction') return typeof object.message_id === 'string' && typeof object.emoji === 'string' ? null : "Param reaction needs 'message_id' and 'emoji'.";
  if (type === 'interactive') return typeof object.type === 'string' && isObject(object.action) ? null : "Param interactive needs 'type' and 'action'.";
  return null;
}

/** Reads a send request body; the error is the one Meta would answer with. */
export function checkSendBody(parsed: unknown): Checked {
  if (!isObject(parsed)) return invalid('The request body must be a JSON object.');
  if (parsed.messaging_product !== 'whatsapp') return parsed.messaging_product === undefined ? missing('messaging_product') : invalid("Param messaging_product must be 'whatsapp'.");
  if (parsed.status === 'read') {
    if (typeof parsed.message_id !== 'string' || parsed.message_id === '') return missing('message_id');
    return { ok: true, body: { kind: 'mark-read', messageId: parsed.message_id } };
  }
  if (typeof parsed.to !== 'string' || parsed.to === '') return missing('to');
  const userId = isBsuid(parsed.to) ? parsed.to : null;
  const waId = userId ?? waIdOf(parsed.to);
  if (!userId && (waId.length < 5 || waId.length > 20 || !/^\+?[\d\s()-]+$/.test(parsed.to))) return invalid("Param 'to' is not a valid phone number.");
  if (parsed.recipient_type !== undefined && parsed.recipient_type !== 'individual') return invalid("Param recipient_type must be 'individual'.");
  const type = parsed.type === undefined ? 'text' : parsed.type;
  if (typeof type !== 'string' || !(MESSAGE_TYPES as readonly string[]).includes(type)) return invalid(`Param type '${String(type)}' is not a valid message type.`);
  const object = parsed[type];
  if (type === 'contacts') {
    if (!Array.isArray(object) || object.length === 0) return missing('contacts');
  } else if (!isObject(object)) return missing(type);
  if (parsed.context !== undefined && (!isObject(parsed.context) || typeof parsed.context.message_id !== 'string')) return invalid("Param context['message_id'] must be a string.");
  if (parsed.biz_opaque_callback_data !== undefined && (typeof parsed.biz_opaque_callback_data !== 'string' || parsed.biz_opaque_callback_data.length > 512)) {
    return invalid('Param biz_opaque_callback_data must be a string of at most 512 characters.');
  }
  if (type === 'template') {
    const refused = checkTemplate(object as Record<string, unknown>);
    if (refused) return refused;
    return { ok: true, body: { kind: 'message', to: parsed.to, waId, userId, type, template: object as unknown as TemplateRequest } };
  }
  if (type !== 'contacts') {
    const problem = checkTypeObject(type as MessageType, object as Record<string, unknown>);
    if (problem) return invalid(problem);
  }
  return { ok: true, body: { kind: 'message', to: parsed.to, waId, userId, type: type as MessageType } };
}
