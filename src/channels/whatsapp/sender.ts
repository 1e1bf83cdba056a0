// The WhatsApp Cloud API sender: one Graph call per message (after uploading its file, if it has one),
// Meta's answer read by its numeric code. Live channels use it, and sandbox channels whose settings point
// the Graph base URL at a local fake. It never logs: the account carries the channel's access token.
import type { Readable } from 'node:stream';
import type { Attachment, ChannelAccount, ChannelSender, OutboundSend, SendResult } from '../types.js';
import { graphAccountOf, hasOwnGraphBaseUrl, phoneNumberIdOf } from './graph-account.js';
import { graphJson, type GraphAccount } from '../meta/graph-client.js';
import { buildMessageRequest, classifyGraphFailure, type MediaRef } from './outbound.js';
import { whatsappOneFilePerMessage } from './policy.js';

/** Meta's default throughput per business number (channels.md §A.5.2); `settings.sendRatePerSecond` overrides it. */
export const DEFAULT_SEND_RATE_PER_SECOND = 80;

export interface WhatsappSenderOptions {
  /** The bytes of a stored attachment, by its storage key. */
  readAttachment(storageKey: string): Promise<Readable | Buffer>;
  /** How long one Graph call may take before it counts as a timeout (retried); the client's default otherwise. */
  timeoutMs?: number;
}

async function bytesOf(content: Readable | Buffer): Promise<Buffer> {
  if (Buffer.isBuffer(content)) return content;
  const chunks: Buffer[] = [];
  for await (const chunk of content) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

const failure = (code: string, message: string): SendResult => ({ ok: false, retryable: false, code, message });

export function whatsappSender(options: WhatsappSenderOptions): ChannelSender {
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };

  /** Where Meta finds the file: a public link it was given, or the stored bytes uploaded to the number. */
  async function mediaOf(graph: GraphAccount, phoneNumberId: string, attachment: Attachment): Promise<MediaRef | null> {
    if (attachment.providerRef && /^https:\/\//.test(attachment.providerRef)) return { link: attachment.providerRef };
    if (!attachment.storageKey) return null;
    const bytes = await storedBytes(attachment.storageKey);
    if (!bytes) return null;
    const type = attachment.contentType ?? 'application/octet-stream';
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', type);
    form.set('file', new Blob([new Uint8Array(bytes)], { type }), attachment.fileName ?? 'file');
    const uploaded = await graphJson<{ id?: string }>(graph, { method: 'POST', path: `/${phoneNumberId}/media`, body: form, ...timeout });
    return uploaded?.id ? { id: uploaded.id } : null;
  }

  async function storedBytes(storageKey: string): Promise<Buffer | null> {
    try {
      return await bytesOf(await options.readAttachment(storageKey));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  return {
    async send(message: OutboundSend): Promise<SendResult> {
      const graph = graphAccountOf(message.account);
      if (!graph.accessToken) {
        return { ok: false, retryable: true, channelNeedsAttention: true, code: 'ACCESS_TOKEN_MISSING', message: 'The channel has no WhatsApp access token; an admin needs to add one. Messages wait until then.' };
      }
      const phoneNumberId = phoneNumberIdOf(message.account);
      if (message.kind !== 'template' && message.attachments.length > 1) {
        return failure(whatsappOneFilePerMessage.code, whatsappOneFilePerMessage.message);
      }
      try {
        const attachment = message.kind === 'template' ? undefined : message.attachments[0];
        const media = attachment ? await mediaOf(graph, phoneNumberId, attachment) : undefined;
        if (media === null || (message.kind === 'media' && !attachment)) return failure('MEDIA_MISSING', 'The file of this message is no longer stored, so it could not be sent; attach it again.');
        const answer = await graphJson<{ messages?: { id?: string }[] }>(graph, { method: 'POST', path: `/${phoneNumberId}/messages`, json: buildMessageRequest(message, { media }), ...timeout });
        const id = answer?.messages?.[0]?.id;
        // Accepted without an id: sending again could deliver it twice, so it is recorded as failed.
        if (!id) return failure('UNEXPECTED_ANSWER', 'WhatsApp accepted the message without giving its id; check the conversation on the phone before sending it again.');
        return { ok: true, providerMessageId: id };
      } catch (error) {
        return classifyGraphFailure(error);
      }
    },

    sendRatePerSecond(account: ChannelAccount): number {
      const rate = account.settings.sendRatePerSecond;
      return typeof rate === 'number' && rate > 0 ? rate : DEFAULT_SEND_RATE_PER_SECOND;
    },

    servesSandbox(account: ChannelAccount): boolean {
      return hasOwnGraphBaseUrl(account);
    },
  };
}
