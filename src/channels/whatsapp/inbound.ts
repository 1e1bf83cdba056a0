// Reading a WhatsApp Cloud API webhook body (channels.md §A.2) into the engine's terms: customer
// messages, reactions and delivery receipts, grouped by the business number they arrived on. Every
// array is iterated (Meta batches) and unknown fields and message types are ignored or kept as
// unsupported messages; a message or receipt whose fields do not have the documented types (a number as
// a text's body, an object as a timestamp) is reported as unreadable with the reason, never read with
// invented values, and the rest of its batch is read as usual.
import { z } from 'zod';
import { mismatchOf } from '../meta/payload-types.js';
import type { CustomerMessage } from '../inbound-events.js';
import type { DeliveryStatusUpdate, ReactionUpdate, UnreadableItem } from '../types.js';

export interface WhatsappChange {
  /** The business number the change is for: what a channel routes on. */
  phoneNumberId: string;
  messages: CustomerMessage[];
  reactions: ReactionUpdate[];
  statuses: DeliveryStatusUpdate[];
  /** System-level problems Meta reports for the number (logged, not attached to a conversation). */
  errors: { code: string; message: string }[];
  /** Messages and receipts that do not match the documented types: recorded for admins, nothing else. */
  unreadable: UnreadableItem[];
}

type Json = Record<string, any>;

const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'document', 'sticker']);
const STATUSES = new Set(['sent', 'delivered', 'read', 'failed']);

// The documented types (channels.md §A.2) of the fields this reader uses; other fields are not checked.
const seconds = z.string().regex(/^\d+$/, 'expected Unix seconds as a string of digits');
const optionalText = z.string().optional();
const contactSchema = z.object({
  wa_id: optionalText,
  profile: z.object({ name: optionalText, username: optionalText }).optional(),
});
const errorSchema = z.object({ code: z.union([z.number(), z.string()]).optional(), title: optionalText, message: optionalText });
const messageSchema = z.object({
  // Absent for a customer who adopted a username and shares no phone number: `from_user_id` then.
  from: optionalText,
  id: z.string().min(1),
  timestamp: seconds,
  type: z.string().min(1),
  context: z.object({ id: optionalText, from: optionalText }).optional(),
  referral: z.record(z.string(), z.unknown()).optional(),
  errors: z.array(errorSchema).optional(),
});
const mediaSchema = z.object({ id: z.string().min(1), mime_type: optionalText, sha256: optionalText, caption: optionalText, filename: optionalText, url: optionalText, voice: z.boolean().optional(), animated: z.boolean().optional() });
const reply = z.object({ id: optionalText, title: optionalText, description: optionalText, body: optionalText });
const TYPE_SCHEMAS: Record<string, z.ZodType> = {
  text: z.object({ text: z.object({ body: z.string() }) }),
  ...Object.fromEntries([...MEDIA_TYPES].map((type) => [type, z.object({ [type]: mediaSchema })])),
  location: z.object({ location: z.object({ latitude: z.number(), longitude: z.number(), name: optionalText, address: optionalText, url: optionalText }) }),
  contacts: z.object({ contacts: z.array(z.object({ name: z.object({ formatted_name: optionalText }).optional() })) }),
  interactive: z.object({ interactive: z.object({ type: optionalText, button_reply: reply.optional(), list_reply: reply.optional(), nfm_reply: reply.optional() }) }),
  button: z.object({ button: z.object({ payload: optionalText, text: optionalText }) }),
  reaction: z.object({ reaction: z.object({ message_id: z.string().min(1), emoji: optionalText }) }),
  unsupported: z.object({ unsupported: z.object({ type: optionalText }).optional() }),
};
const statusSchema = z.object({ id: z.string().min(1), status: z.string(), timestamp: seconds, biz_opaque_callback_data: optionalText, errors: z.array(errorSchema).optional() });

const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter((v) => v && typeof v === 'object') : []);
const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** Unix seconds (a string of digits, checked before) to epoch ms. */
const secondsToMs = (value: string): number => Number(value) * 1000;

/**
 * A business-scoped user id (`US.13491208655302741918`, parent `US.ENT.…`) as given, or null. Meta marks
 * the format subject to change, so any short printable string without spaces is taken as it is; anything
 * else is ignored rather than making the message unreadable.
 */
export function bsuidOf(value: unknown): string | null {
  return typeof value === 'string' && value.length <= 256 && /^[\x21-\x7e]+$/.test(value) ? value : null;
}

/** The provider's id of a message or receipt, when it is a string. */
const idOf = (value: Json): string | null => text(value.id);

function describeError(error: Json | undefined): { code: string; message: string } {
  const details = text(error?.error_data?.details);
  const title = text(error?.title) ?? text(error?.message) ?? 'Unknown error';
  return { code: String(error?.code ?? 'unknown'), message: details ? `${title}: ${details}` : title };
}

/** The business numbers (phone_number_id) a webhook body has changes for. */
export function whatsappAccountsOf(body: unknown): string[] {
  const ids = new Set<string>();
  for (const entry of list((body as Json | null)?.entry)) {
    for (const change of list(entry.changes)) {
      const id = text(change.value?.metadata?.phone_number_id);
      if (id) ids.add(id);
    }
  }
  return [...ids];
}

/**
 * The parts of a payload the app reads; everything else in the body is ignored. Every time read comes
 * from the payload itself (`_receivedAt` never stands in for a missing or garbled one).
 */
export function readWhatsappPayload(body: unknown, _receivedAt: number): WhatsappChange[] {
  const changes: WhatsappChange[] = [];
  list((body as Json | null)?.entry).forEach((entry, entryIndex) => {
    list(entry.changes).forEach((change, changeIndex) => {
      const value = change.value as Json | undefined;
      const phoneNumberId = text(value?.metadata?.phone_number_id);
      if (!value || !phoneNumberId || change.field !== 'messages') return;
      // A message names its sender by phone (`from`) or, for username-only customers, by BSUID.
      const contacts = new Map<string, Json>();
      const contactsByUserId = new Map<string, Json>();
      for (const c of list(value.contacts)) {
        if (typeof c.wa_id === 'string') contacts.set(c.wa_id, c);
        const userId = bsuidOf(c.user_id);
        if (userId) contactsByUserId.set(userId, c);
      }
      const read: WhatsappChange = { phoneNumberId, messages: [], reactions: [], statuses: [], errors: list(value.errors).map(describeError), unreadable: [] };
      const where = `entry[${entryIndex}].changes[${changeIndex}].value`;
      list(value.messages).forEach((message, index) => {
        const unreadable = (reason: string) => read.unreadable.push({ item: `${where}.messages[${index}]`, providerMessageId: idOf(message), reason });
        const mismatch = mismatchOf(messageSchema, message) ?? (TYPE_SCHEMAS[String(message.type)] ? mismatchOf(TYPE_SCHEMAS[String(message.type)]!, message) : null);
        if (mismatch) return void unreadable(mismatch);
        const phone = text(message.from);
        const messageUserId = bsuidOf(message.from_user_id);
        if (!phone && !messageUserId) return void unreadable('a message without a sender: neither `from` nor `from_user_id`');
        const contact = (phone ? contacts.get(phone) : undefined) ?? (messageUserId ? contactsByUserId.get(messageUserId) : undefined);
        const contactMismatch = contact ? mismatchOf(contactSchema, contact) : null;
        if (contactMismatch) return void unreadable(`its contact: ${contactMismatch}`);
        const userId = messageUserId ?? bsuidOf(contact?.user_id);
        // Sends go to the phone when known, else to the BSUID.
        const from = phone ?? (userId as string);
        const sentAt = secondsToMs(message.timestamp);
        if (message.type === 'reaction') {
          read.reactions.push({ targetProviderMessageId: message.reaction.message_id, emoji: text(message.reaction.emoji), from, at: sentAt });
          return;
        }
        let content: Pick<CustomerMessage, 'kind' | 'body' | 'attachments' | 'data'>;
        try {
          content = contentOf(message);
        } catch (error) {
          return void unreadable((error as Error).message);
        }
        read.messages.push({
          providerMessageId: message.id,
          sentAt,
          contact: {
            address: from,
            displayName: text(contact?.profile?.name),
            username: text(contact?.profile?.username),
            ...(userId ? { userId } : {}),
            ...(bsuidOf(contact?.parent_user_id) ? { parentUserId: bsuidOf(contact?.parent_user_id) } : {}),
          },
          replyToProviderMessageId: text(message.context?.id),
          ...content,
          data: withContext(content.data ?? null, message),
        });
      });
      list(value.statuses).forEach((status, index) => {
        const mismatch = mismatchOf(statusSchema, status);
        if (mismatch) return void read.unreadable.push({ item: `${where}.statuses[${index}]`, providerMessageId: idOf(status), reason: mismatch });
        // Statuses this app does not track (e.g. `deleted`) are ignored.
        if (!STATUSES.has(status.status)) return;
        read.statuses.push({
          providerMessageId: status.id,
          messageId: text(status.biz_opaque_callback_data),
          status: status.status,
          at: secondsToMs(status.timestamp),
          error: status.status === 'failed' ? describeError(list(status.errors)[0]) : null,
        });
      });
      changes.push(read);
    });
  });
  return changes;
}

/** Forwarding and ad referrals travel with any message type. */
function withContext(data: Record<string, unknown> | null, message: Json): Record<string, unknown> | null {
  const extra: Record<string, unknown> = {};
  if (message.context?.forwarded || message.context?.frequently_forwarded) extra.forwarded = true;
  if (message.referral && typeof message.referral === 'object') extra.referral = message.referral;
  return Object.keys(extra).length ? { ...data, ...extra } : data;
}

function contentOf(message: Json): Pick<CustomerMessage, 'kind' | 'body' | 'attachments' | 'data'> {
  const type = String(message.type);
  const object = (message[type] ?? {}) as Json;
  if (type === 'text') {
    if (typeof object.body !== 'string') throw new Error('a text message without a body');
    return { kind: 'text', body: object.body, data: null };
  }
  if (MEDIA_TYPES.has(type)) {
    const mediaId = text(object.id);
    if (!mediaId) throw new Error(`a ${type} without a media id`);
    return {
      kind: 'media',
      body: text(object.caption),
      attachments: [{ fileName: text(object.filename), contentType: text(object.mime_type), size: null, providerRef: mediaId, caption: text(object.caption), storageKey: null }],
      data: { mediaType: type, ...(object.voice === true ? { voice: true } : {}), ...(object.animated === true ? { animated: true } : {}), ...(text(object.sha256) ? { sha256: object.sha256 } : {}) },
    };
  }
  if (type === 'location') {
    const { latitude, longitude } = object;
    if (typeof latitude !== 'number' || typeof longitude !== 'number') throw new Error('a location without coordinates');
    const label = [text(object.name), text(object.address)].filter(Boolean).join(', ');
    return { kind: 'location', body: label || `${latitude}, ${longitude}`, data: { latitude, longitude, name: text(object.name), address: text(object.address), url: text(object.url) } };
  }
  if (type === 'contacts') {
    const cards = list(message.contacts);
    return { kind: 'contacts', body: cards.map((c) => text(c.name?.formatted_name) ?? 'Contact card').join(', '), data: { contacts: cards } };
  }
  if (type === 'interactive') {
    const reply = (object.button_reply ?? object.list_reply ?? object.nfm_reply) as Json | undefined;
    return { kind: 'interactive', body: text(reply?.title) ?? text(reply?.body) ?? null, data: { interactive: object } };
  }
  if (type === 'button') {
    return { kind: 'interactive', body: text(object.text), data: { button: { payload: text(object.payload), text: text(object.text) } } };
  }
  // Polls, orders, system notices and whatever Meta adds next: kept, shown as unsupported.
  return { kind: 'unsupported', body: null, data: { type, unsupportedType: text(object.type), errors: list(message.errors).map(describeError) } };
}
