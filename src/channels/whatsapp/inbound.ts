// Reading a WhatsApp Cloud API webhook body (channels.md §A.2) into the engine's terms: customer
// messages, reactions and delivery receipts, grouped by the business number they arrived on. Every
// array is iterated (Meta batches), unknown fields are ignored, and a message that cannot be read is
// kept as an unsupported message rather than failing its batch.
import type { DeliveryStatusUpdate, InboundMessage, ReactionUpdate } from '../types.js';

export type CustomerMessage = Omit<InboundMessage, 'channelId'>;

export interface WhatsappChange {
  /** The business number the change is for: what a channel routes on. */
  phoneNumberId: string;
  messages: CustomerMessage[];
  reactions: ReactionUpdate[];
  statuses: DeliveryStatusUpdate[];
  /** System-level problems Meta reports for the number (logged, not attached to a conversation). */
  errors: { code: string; message: string }[];
}

type Json = Record<string, any>;

const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'document', 'sticker']);
const STATUSES = new Set(['sent', 'delivered', 'read', 'failed']);

const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter((v) => v && typeof v === 'object') : []);
const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** Unix seconds as a string (or number) to epoch ms; the fallback when it is missing or garbled. */
function secondsToMs(value: unknown, fallback: number): number {
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : fallback;
}

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

/** The parts of a payload the app reads; everything else in the body is ignored. */
export function readWhatsappPayload(body: unknown, receivedAt: number): WhatsappChange[] {
  const changes: WhatsappChange[] = [];
  for (const entry of list((body as Json | null)?.entry)) {
    for (const change of list(entry.changes)) {
      const value = change.value as Json | undefined;
      const phoneNumberId = text(value?.metadata?.phone_number_id);
      if (!value || !phoneNumberId || change.field !== 'messages') continue;
      const names = new Map(list(value.contacts).map((c) => [String(c.wa_id ?? ''), { name: text(c.profile?.name), username: text(c.profile?.username) }]));
      const read: WhatsappChange = { phoneNumberId, messages: [], reactions: [], statuses: [], errors: list(value.errors).map(describeError) };
      for (const message of list(value.messages)) {
        const from = text(message.from);
        const id = text(message.id);
        // Without a sender or an id there is nothing to thread or deduplicate on (username-only senders).
        if (!from || !id) {
          read.errors.push({ code: 'unreadable_message', message: `A message without ${from ? 'an id' : 'a sender wa_id'} was skipped.` });
          continue;
        }
        const sentAt = secondsToMs(message.timestamp, receivedAt);
        if (message.type === 'reaction') {
          const target = text(message.reaction?.message_id);
          if (target) read.reactions.push({ targetProviderMessageId: target, emoji: text(message.reaction?.emoji), from, at: sentAt });
          continue;
        }
        const profile = names.get(from);
        let content: Pick<CustomerMessage, 'kind' | 'body' | 'attachments' | 'data'>;
        try {
          content = contentOf(message);
        } catch (error) {
          content = { kind: 'unsupported', body: null, data: { type: String(message.type), problem: (error as Error).message } };
        }
        read.messages.push({
          providerMessageId: id,
          sentAt,
          contact: { address: from, displayName: profile?.name ?? null, username: profile?.username ?? null },
          replyToProviderMessageId: text(message.context?.id),
          ...content,
          data: withContext(content.data ?? null, message),
        });
      }
      for (const status of list(value.statuses)) {
        const id = text(status.id);
        if (!id || !STATUSES.has(status.status)) continue;
        read.statuses.push({
          providerMessageId: id,
          messageId: text(status.biz_opaque_callback_data),
          status: status.status,
          at: secondsToMs(status.timestamp, receivedAt),
          error: status.status === 'failed' ? describeError(list(status.errors)[0]) : null,
        });
      }
      changes.push(read);
    }
  }
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
