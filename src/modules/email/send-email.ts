// The email channel's sender for the outbox: it reads the conversation the message belongs to, chains the
// threading headers to it, and sends through the channel's SMTP server.
import type { Readable } from 'node:stream';
import { sendOverSmtp, type OutgoingEmail, type SmtpSettings } from '../../channels/email/outgoing-mail.js';
import { bounceAddress, outgoingMessageId, outgoingSubject, replyAddress } from '../../channels/email/threading-keys.js';
import type { Attachment, ChannelSender, OutboundSend, SendResult } from '../../channels/types.js';
import type { MessageRow } from '../../db/schema.js';
import { fromJson } from '../../lib/json.js';
import type { AttachmentStorage } from '../attachments/attachment-storage.js';
import { findChannel } from '../channels/channel.repo.js';
import type { Deps } from '../deps.js';
import { emailSecretsOf, emailSettingsOf } from './email-channel.repo.js';

// A References header lists the thread's first message and the latest ones; mail clients need no more.
const MAX_REFERENCES = 20;

type Transport = (settings: SmtpSettings, mail: OutgoingEmail) => Promise<SendResult>;

/** The outbox's sender for email channels. */
export function createEmailSender(deps: Pick<Deps, 'store'>, storage: AttachmentStorage, transport: Transport = sendOverSmtp): ChannelSender {
  return { send: (send) => sendEmail(deps, storage, transport, send) };
}

async function sendEmail(deps: Pick<Deps, 'store'>, storage: AttachmentStorage, transport: Transport, send: OutboundSend): Promise<SendResult> {
  const db = deps.store.db;
  const channel = await findChannel(db, send.channelId);
  const message = await db.selectFrom('messages').selectAll().where('id', '=', send.messageId).executeTakeFirst();
  if (!channel || !message) return { ok: false, retryable: false, code: 'MESSAGE_MISSING', message: 'The message or its channel no longer exists.' };
  const settings = emailSettingsOf(channel);
  if (!settings.smtp) return { ok: false, retryable: false, code: 'EMAIL_NOT_CONFIGURED', message: `The channel "${channel.name}" has no SMTP server to send through; an admin sets it in the channel's settings.` };
  const ticket = await db.selectFrom('tickets').select(['id', 'number', 'subject']).where('id', '=', message.ticket_id).executeTakeFirstOrThrow();
  const thread = await threadBefore(deps, message);
  const mail: OutgoingEmail = {
    from: { address: settings.address, name: settings.fromName ?? channel.name },
    to: send.to,
    replyTo: replyAddress(settings.address, ticket),
    envelopeFrom: bounceAddress(settings.address, message.id),
    // The first mail of an agent-created ticket carries the subject the agent chose.
    subject: outgoingSubject(message.subject ?? ticket.subject, ticket.number, thread.length > 0),
    messageId: outgoingMessageId(ticket.number, message.id, settings.address),
    inReplyTo: thread.at(-1) ?? null,
    references: thread.length > MAX_REFERENCES ? [thread[0]!, ...thread.slice(-(MAX_REFERENCES - 1))] : thread,
    text: send.body ?? '',
    automated: message.automated === 1 || message.author_kind === 'system',
    attachments: await attachmentsOf(storage, send.attachments),
  };
  const password = emailSecretsOf(channel).smtpPassword ?? null;
  return transport({ ...settings.smtp, username: settings.smtp.username ?? null, password }, mail);
}

/**
 * The Message-IDs of the ticket's mail before this message, oldest first: the customer's (with what their first
 * mail referenced) and ours.
 */
async function threadBefore(deps: Pick<Deps, 'store'>, message: MessageRow): Promise<string[]> {
  const earlier = await deps.store.db
    .selectFrom('messages')
    .select(['provider_message_id', 'direction', 'data'])
    .where('ticket_id', '=', message.ticket_id)
    .where('channel_id', '=', message.channel_id)
    .where('provider_message_id', 'is not', null)
    .where('direction', 'in', ['inbound', 'outbound'])
    .where((eb) => eb.or([eb('created_at', '<', message.created_at), eb.and([eb('created_at', '=', message.created_at), eb('id', '<', message.id)])]))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const ids: string[] = [];
  for (const row of earlier) {
    if (!row.provider_message_id?.startsWith('<')) continue;
    if (ids.length === 0 && row.direction === 'inbound') {
      // The customer's first mail may itself answer an older conversation; the chain starts there.
      const references = fromJson<{ email?: { references?: string[] } }>(row.data)?.email?.references ?? [];
      ids.push(...references);
    }
    ids.push(row.provider_message_id);
  }
  return [...new Set(ids)];
}

async function attachmentsOf(storage: AttachmentStorage, attachments: readonly Attachment[]): Promise<OutgoingEmail['attachments']> {
  const files: OutgoingEmail['attachments'] = [];
  for (const attachment of attachments) {
    if (!attachment.storageKey) continue;
    files.push({ fileName: attachment.fileName ?? 'attachment', contentType: attachment.contentType ?? 'application/octet-stream', content: await readAll(await storage.get(attachment.storageKey)) });
  }
  return files;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
