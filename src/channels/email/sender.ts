// The email channel's sender: it chains the threading headers to the conversation the message belongs
// to (which the engine lends it) and sends through the channel's SMTP server.
import type { Readable } from 'node:stream';
import type { Conversation, SenderPorts } from '../adapter.js';
import type { Attachment, ChannelSender, SendResult } from '../types.js';
import { sendOverSmtp, type OutgoingEmail, type SmtpSettings } from './outgoing-mail.js';
import { emailSecretsOf, emailSettingsOf } from './settings.js';
import { bounceAddress, outgoingMessageId, outgoingSubject, replyAddress } from './threading-keys.js';

// A References header lists the thread's first message and the latest ones; mail clients need no more.
const MAX_REFERENCES = 20;

export type SmtpTransport = (settings: SmtpSettings, mail: OutgoingEmail) => Promise<SendResult>;

/** The outbox's sender for email channels; `transport` is SMTP unless a test gives another. */
export function emailSender(ports: SenderPorts, transport: SmtpTransport = sendOverSmtp): ChannelSender {
  return {
    async send(send) {
      const settings = emailSettingsOf(send.account);
      if (!settings.smtp) return { ok: false, retryable: false, code: 'EMAIL_NOT_CONFIGURED', message: `The channel "${send.account.name ?? settings.address}" has no SMTP server to send through; an admin sets it in the channel's settings.` };
      const conversation = await ports.conversationOf(send);
      if (!conversation) return { ok: false, retryable: false, code: 'MESSAGE_MISSING', message: 'The message or its channel no longer exists.' };
      const thread = threadIds(conversation);
      const mail: OutgoingEmail = {
        from: { address: settings.address, name: settings.fromName ?? send.account.name ?? settings.address },
        to: send.to,
        replyTo: replyAddress(settings.address, { id: conversation.ticketId, number: conversation.ticketNumber }),
        envelopeFrom: bounceAddress(settings.address, send.messageId),
        // The first mail of an agent-created ticket carries the subject the agent chose.
        subject: outgoingSubject(conversation.messageSubject ?? conversation.ticketSubject, conversation.ticketNumber, thread.length > 0),
        messageId: outgoingMessageId(conversation.ticketNumber, send.messageId, settings.address),
        inReplyTo: thread.at(-1) ?? null,
        references: thread.length > MAX_REFERENCES ? [thread[0]!, ...thread.slice(-(MAX_REFERENCES - 1))] : thread,
        text: send.body ?? '',
        automated: conversation.automated,
        attachments: await attachmentsOf(ports, send.attachments),
      };
      const password = emailSecretsOf(send.account).smtpPassword ?? null;
      return transport({ ...settings.smtp, username: settings.smtp.username ?? null, password }, mail);
    },
  };
}

/** The Message-IDs of the ticket's mail before this message, oldest first: the customer's (with what their first mail referenced) and ours. */
function threadIds(conversation: Conversation): string[] {
  const ids: string[] = [];
  for (const earlier of conversation.earlier) {
    if (!earlier.providerMessageId.startsWith('<')) continue;
    // The customer's first mail may itself answer an older conversation; the chain starts there.
    if (ids.length === 0 && earlier.direction === 'inbound') ids.push(...earlier.references);
    ids.push(earlier.providerMessageId);
  }
  return [...new Set(ids)];
}

async function attachmentsOf(ports: SenderPorts, attachments: readonly Attachment[]): Promise<OutgoingEmail['attachments']> {
  const files: OutgoingEmail['attachments'] = [];
  for (const attachment of attachments) {
    if (!attachment.storageKey) continue;
    files.push({ fileName: attachment.fileName ?? 'attachment', contentType: attachment.contentType ?? 'application/octet-stream', content: await readAll(await ports.readAttachment(attachment.storageKey)) });
  }
  return files;
}

async function readAll(content: Readable | Buffer): Promise<Buffer> {
  if (Buffer.isBuffer(content)) return content;
  const chunks: Buffer[] = [];
  for await (const chunk of content) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
