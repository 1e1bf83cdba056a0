// Builders for the webhook payloads Meta posts to the app (channels.md §A.2), shaped like the
// fixtures: one entry, one `messages` change, metadata naming the business number.
import { randomBytes } from 'node:crypto';

export interface WebhookPayload {
  object: 'whatsapp_business_account';
  entry: WebhookEntry[];
}

export interface WebhookEntry {
  id: string;
  changes: { field: string; value: WebhookValue }[];
}

export interface WebhookValue {
  messaging_product: 'whatsapp';
  metadata: { display_phone_number: string; phone_number_id: string };
  contacts?: { profile: { name: string; username?: string }; wa_id?: string; user_id?: string; parent_user_id?: string }[];
  messages?: Record<string, unknown>[];
  statuses?: Record<string, unknown>[];
  errors?: Record<string, unknown>[];
  [field: string]: unknown;
}

export interface BusinessNumber {
  phoneNumberId: string;
  /** Digits, as Meta writes it in `metadata.display_phone_number`. */
  displayPhoneNumber: string;
  /** The WhatsApp Business Account id in `entry[].id`; a fixed fake id when absent. */
  wabaId?: string;
}

export interface InboundBase extends BusinessNumber {
  /**
   * The customer's phone (`from`, `contacts[].wa_id`). A customer who adopted a username may come with
   * `userId` alone: pass an empty string (or leave it out) to send no phone at all.
   */
  waId?: string;
  /** The business-scoped user id (BSUID, `US.…`): `messages[].from_user_id` and `contacts[].user_id`. */
  userId?: string;
  /** The parent BSUID (`US.ENT.…`): `contacts[].parent_user_id`. */
  parentUserId?: string;
  /** The customer's WhatsApp username: `contacts[].profile.username`. */
  username?: string;
  name: string;
  timestampSec: number;
  /** The wamid; a unique one is made up when absent. */
  id?: string;
  /** The wamid this message replies to (swipe-reply or button tap). */
  replyTo?: string;
}

export interface InboundText extends InboundBase {
  text: string;
}

export interface InboundMedia extends InboundBase {
  kind: 'image' | 'video' | 'audio' | 'document' | 'sticker';
  mediaId: string;
  mimeType: string;
  sha256: string;
  caption?: string;
  filename?: string;
  /** Audio only: a recorded voice note. */
  voice?: boolean;
  /** Newer numbers get the download URL in the webhook itself (§A.2.3). */
  url?: string;
}

export interface InboundAny extends InboundBase {
  /** The message's `type` and the object named after it, e.g. `{ type: 'location', location: {...} }`. */
  message: { type: string; [field: string]: unknown };
}

export interface StatusUpdate extends Omit<BusinessNumber, 'displayPhoneNumber'> {
  displayPhoneNumber?: string;
  wamid: string;
  status: 'sent' | 'delivered' | 'read' | 'failed' | (string & {});
  /** The customer's wa_id; left out for a username-only customer, named by `recipientUserId` instead. */
  recipientId?: string;
  /** The customer's BSUID (`recipient_user_id`). */
  recipientUserId?: string;
  timestampSec: number;
  errors?: { code: number; title: string; message?: string; error_data?: { details: string }; href?: string }[];
  bizOpaqueCallbackData?: string;
  pricing?: Record<string, unknown>;
}

export const FAKE_WABA_ID = '100000000000001';
let sequence = 0;

/** A wamid in Meta's style: `wamid.` and base64 of an opaque value. */
export function newWamid(hint = ''): string {
  sequence += 1;
  const opaque = `${hint}:${sequence}:${randomBytes(6).toString('hex')}`;
  return `wamid.${Buffer.from(opaque).toString('base64')}`;
}

function envelope(number: { phoneNumberId: string; displayPhoneNumber?: string; wabaId?: string }, value: Omit<WebhookValue, 'messaging_product' | 'metadata'>): WebhookPayload {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: number.wabaId ?? FAKE_WABA_ID,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: number.displayPhoneNumber ?? '15550001111', phone_number_id: number.phoneNumberId },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

/** Any inbound message type: location, contacts, interactive, button, reaction, unsupported, … */
export function inboundMessage(input: InboundAny): WebhookPayload {
  const waId = input.waId || undefined;
  const message: Record<string, unknown> = {
    ...(input.replyTo ? { context: { from: input.displayPhoneNumber, id: input.replyTo } } : {}),
    ...(waId ? { from: waId } : {}),
    ...(input.userId ? { from_user_id: input.userId } : {}),
    id: input.id ?? newWamid(waId ?? input.userId ?? ''),
    timestamp: String(input.timestampSec),
    ...input.message,
  };
  const contact = {
    profile: { name: input.name, ...(input.username ? { username: input.username } : {}) },
    ...(waId ? { wa_id: waId } : {}),
    ...(input.userId ? { user_id: input.userId } : {}),
    ...(input.parentUserId ? { parent_user_id: input.parentUserId } : {}),
  };
  return envelope(input, { contacts: [contact], messages: [message] });
}

export function inboundText(input: InboundText): WebhookPayload {
  return inboundMessage({ ...input, message: { type: 'text', text: { body: input.text } } });
}

export function inboundMedia(input: InboundMedia): WebhookPayload {
  const media: Record<string, unknown> = {
    ...(input.caption !== undefined ? { caption: input.caption } : {}),
    ...(input.filename !== undefined ? { filename: input.filename } : {}),
    mime_type: input.mimeType,
    sha256: input.sha256,
    id: input.mediaId,
    ...(input.kind === 'audio' ? { voice: input.voice ?? false } : {}),
    ...(input.kind === 'sticker' ? { animated: false } : {}),
    ...(input.url !== undefined ? { url: input.url } : {}),
  };
  return inboundMessage({ ...input, message: { type: input.kind, [input.kind]: media } });
}

export function statusUpdate(input: StatusUpdate): WebhookPayload {
  const status: Record<string, unknown> = {
    id: input.wamid,
    status: input.status,
    timestamp: String(input.timestampSec),
    ...(input.recipientId !== undefined ? { recipient_id: input.recipientId } : {}),
    ...(input.recipientUserId !== undefined ? { recipient_user_id: input.recipientUserId } : {}),
    ...(input.bizOpaqueCallbackData !== undefined ? { biz_opaque_callback_data: input.bizOpaqueCallbackData } : {}),
    ...(input.pricing ? { pricing: input.pricing } : {}),
    ...(input.errors ? { errors: input.errors } : {}),
  };
  return envelope(input, { statuses: [status] });
}

/**
 * Several payloads as one batched POST (§1.3): `entries` keeps each payload's entries side by side,
 * `changes` puts every change under the first entry, `messages` merges the values of the same
 * number into one change (several messages, contacts and statuses in one `value`).
 */
export function batchPayloads(payloads: WebhookPayload[], mode: 'entries' | 'changes' | 'messages' = 'entries'): WebhookPayload {
  const entries = payloads.flatMap((p) => p.entry);
  if (mode === 'entries' || entries.length === 0) return { object: 'whatsapp_business_account', entry: entries };
  const changes = entries.flatMap((e) => e.changes);
  if (mode === 'changes') return { object: 'whatsapp_business_account', entry: [{ id: entries[0]!.id, changes }] };
  const merged = new Map<string, { field: string; value: WebhookValue }>();
  for (const change of changes) {
    const key = `${change.field}:${change.value.metadata.phone_number_id}`;
    const into = merged.get(key);
    if (!into) {
      merged.set(key, { field: change.field, value: { ...change.value } });
      continue;
    }
    for (const list of ['contacts', 'messages', 'statuses', 'errors'] as const) {
      const more = change.value[list];
      if (more) into.value[list] = [...(into.value[list] ?? []), ...more] as never;
    }
  }
  return { object: 'whatsapp_business_account', entry: [{ id: entries[0]!.id, changes: [...merged.values()] }] };
}
