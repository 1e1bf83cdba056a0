// What we send to the Cloud API for one outbound message (channels.md §A.4), and what its refusals mean
// for the message (§A.5.3): both pure, so every shape and every code is tested without a network.
import type { Attachment, OutboundSend, SendResult } from '../types.js';
import { GraphError, transportFailure } from '../meta/graph-client.js';

/** An uploaded media id, or a public HTTPS link Meta fetches itself. */
export type MediaRef = { id: string } | { link: string };

export type WhatsappMediaType = 'image' | 'video' | 'audio' | 'document' | 'sticker';

/** The body of `POST /{phone-number-id}/messages`. */
export type MessageRequest = Record<string, unknown> & { messaging_product: 'whatsapp'; to: string; type: string };

export interface BuildOptions {
  /** Link previews: on when the text has a link unless told otherwise. */
  previewUrl?: boolean;
  /** For media messages: where the file is, once uploaded or when it already has a public link. */
  media?: MediaRef;
}

const URL_IN_TEXT = /\bhttps?:\/\/\S/i;

/** WhatsApp takes the recipient in E.164; our wa_ids are digits only. */
export function recipientOf(address: string): string {
  return /^\d+$/.test(address) ? `+${address}` : address;
}

/** The kind of WhatsApp media a file is sent as: stickers are WebP, unknown types go as documents. */
export function mediaTypeOf(contentType: string | null): WhatsappMediaType {
  const type = (contentType ?? '').toLowerCase().split(';')[0]!.trim();
  if (type === 'image/webp') return 'sticker';
  if (type === 'image/jpeg' || type === 'image/png') return 'image';
  if (type.startsWith('video/')) return 'video';
  if (type.startsWith('audio/')) return 'audio';
  return 'document';
}

function mediaObject(type: WhatsappMediaType, ref: MediaRef, attachment: Attachment, caption: string | null): Record<string, unknown> {
  const object: Record<string, unknown> = { ...ref };
  // Audio and stickers carry no caption; only documents carry a file name.
  if (caption && (type === 'image' || type === 'video' || type === 'document')) object.caption = caption;
  if (type === 'document' && attachment.fileName) object.filename = attachment.fileName;
  return object;
}

type Values = string[] | Record<string, string>;

function textParameters(values: Values): Record<string, unknown>[] {
  return Array.isArray(values)
    ? values.map((text) => ({ type: 'text', text }))
    : Object.entries(values).map(([name, text]) => ({ type: 'text', parameter_name: name, text }));
}

function headerParameters(values: unknown[] | Record<string, string>): Record<string, unknown>[] {
  if (!Array.isArray(values)) return textParameters(values);
  return values.map((value) => {
    if (typeof value === 'string') return { type: 'text', text: value };
    const { type, ...ref } = value as { type: string } & Record<string, unknown>;
    return { type, [type]: ref };
  });
}

const BUTTON_PARAMETER: Record<string, (value: string) => Record<string, unknown>> = {
  quick_reply: (value) => ({ type: 'payload', payload: value }),
  url: (value) => ({ type: 'text', text: value }),
  copy_code: (value) => ({ type: 'coupon_code', coupon_code: value }),
};

/** The send-side `components` of a template from its checked parameters (see TemplateContent). */
export function templateComponents(parameters: Record<string, unknown>): Record<string, unknown>[] {
  const components: Record<string, unknown>[] = [];
  const header = parameters.header as unknown[] | Record<string, string> | undefined;
  const body = parameters.body as Values | undefined;
  const buttons = (parameters.buttons ?? []) as { index: number; type?: string; value: string }[];
  if (header && Object.keys(header).length) components.push({ type: 'header', parameters: headerParameters(header) });
  if (body && Object.keys(body).length) components.push({ type: 'body', parameters: textParameters(body) });
  for (const button of [...buttons].sort((a, b) => a.index - b.index)) {
    const subType = button.type ?? 'quick_reply';
    const parameter = BUTTON_PARAMETER[subType] ?? BUTTON_PARAMETER.quick_reply!;
    components.push({ type: 'button', sub_type: subType, index: String(button.index), parameters: [parameter(button.value)] });
  }
  return components;
}

/** Builds the Graph request for a message. Media messages need `options.media`; one file per message. */
export function buildMessageRequest(send: OutboundSend, options: BuildOptions = {}): MessageRequest {
  const base: MessageRequest = { messaging_product: 'whatsapp', recipient_type: 'individual', to: recipientOf(send.to), type: 'text' };
  if (send.replyToProviderMessageId) base.context = { message_id: send.replyToProviderMessageId };
  base.biz_opaque_callback_data = send.messageId;
  if (send.kind === 'template') {
    if (!send.template) throw new Error(`template message ${send.messageId} has no template`);
    const components = templateComponents(send.template.parameters);
    return {
      ...base,
      type: 'template',
      template: { name: send.template.name, language: { code: send.template.language }, ...(components.length ? { components } : {}) },
    };
  }
  const attachment = send.attachments[0];
  if (send.kind === 'media' || attachment) {
    if (!attachment || !options.media) throw new Error(`media message ${send.messageId} has no uploaded file or link`);
    const type = mediaTypeOf(attachment.contentType);
    return { ...base, type, [type]: mediaObject(type, options.media, attachment, attachment.caption ?? send.body) };
  }
  const body = send.body ?? '';
  return { ...base, type: 'text', text: { preview_url: options.previewUrl ?? URL_IN_TEXT.test(body), body } };
}

// channels.md §A.5.3: codes worth trying again, with backoff; every other refusal is final.
const RETRYABLE_CODES = new Set([1, 2, 4, 131000, 131016, 130429, 131056, 131057, 80007]);
const WINDOW_CLOSED = 131047;
const TOKEN_REFUSED = 190;

/** What a failed Graph call means for the message: retry it, fail it with the provider's code, or hold the channel. */
export function classifyGraphFailure(error: unknown): Extract<SendResult, { ok: false }> {
  if (!(error instanceof GraphError)) return transportFailure(error, 'WhatsApp');
  const said = error.details ?? error.title ?? error.message;
  if (error.code === WINDOW_CLOSED) {
    return {
      ok: false,
      retryable: false,
      code: String(WINDOW_CLOSED),
      message: "WhatsApp refused this message because the customer's 24-hour window has closed; send an approved template to reach them again.",
    };
  }
  if (error.code === TOKEN_REFUSED) {
    return {
      ok: false,
      retryable: true,
      channelNeedsAttention: true,
      code: String(TOKEN_REFUSED),
      message: `WhatsApp refused the channel's access token (${said}); an admin needs to replace it. Messages wait until then.`,
    };
  }
  const code = error.code === null ? `HTTP_${error.status}` : String(error.code);
  const retryable = (error.code !== null && RETRYABLE_CODES.has(error.code)) || error.status >= 500 || error.status === 429;
  return { ok: false, retryable, code, message: said };
}
