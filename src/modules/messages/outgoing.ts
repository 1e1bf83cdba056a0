// An agent's, an integration's or an automation's outgoing message: validated, stored as queued and handed to the outbox in the same transaction.
import type { Kysely } from 'kysely';
import type { Attachment, TemplateContent } from '../../channels/types.js';
import type { Database, MessageRow, TicketRow } from '../../db/schema.js';
import { DomainError } from '../../domain/errors.js';
import type { OutboundForm } from '../../domain/reply-policy.js';
import { enqueueOutbox, SEND_TOPIC } from '../queue/outbox.repo.js';
import type { StoredCommentReply } from './comment-reply.js';
import { newMessageRow } from './message-row.js';
import { insertMessage } from './message.repo.js';
import { checkTemplateContent } from './template-check.js';

export interface OutgoingContent {
  kind: 'text' | 'media' | 'template';
  body?: string | null;
  /** Email subject; the first message of an agent-created email ticket sets the ticket's subject. */
  subject?: string | null;
  template?: TemplateContent | null;
  attachments?: Attachment[];
}

/** The policy form of an outgoing message. */
export function formOf(content: OutgoingContent): OutboundForm {
  return content.kind === 'template' ? 'template' : 'free_form';
}

/** Refuses empty or inconsistent content before anything is stored. */
export function checkOutgoingContent(content: OutgoingContent): void {
  const invalid = (message: string, field: string): never => {
    throw new DomainError({ code: 'VALIDATION_FAILED', message, details: { field } });
  };
  if (content.kind === 'template' && !content.template?.name) invalid('Choose a template to send.', 'template');
  if (content.kind === 'text' && !content.body?.trim()) invalid('Write a message before sending.', 'body');
  if (content.kind === 'media' && !content.attachments?.length) invalid('Attach a file before sending.', 'attachments');
}

/** The message with the files it carries: files make it a media message, its text (if any) their caption. */
export function withFiles(content: OutgoingContent, files: Attachment[]): OutgoingContent {
  if (files.length === 0) return content;
  if (content.kind === 'template') {
    throw new DomainError({ code: 'VALIDATION_FAILED', message: 'A template cannot carry files; send them in a message of their own.', details: { field: 'attachmentIds' } });
  }
  return { ...content, kind: 'media', body: content.body?.trim() ? content.body : null, attachments: files };
}

export interface QueueOutbound {
  ticket: TicketRow;
  authorUserId: string | null;
  authorKind: 'agent' | 'system' | 'integration';
  /** The integration token an integration's message is sent with. */
  authorIntegrationId?: string | null;
  content: OutgoingContent;
  tag: string | null;
  /** An answer to a customer's comment, checked by prepareCommentReply. */
  commentReply?: StoredCommentReply | null;
  now: number;
}

/** Stores the message as queued with its outbox row; the outbox worker sends it. A template is checked first. */
export async function queueOutbound(trx: Kysely<Database>, input: QueueOutbound): Promise<MessageRow> {
  const { ticket, now } = input;
  const content = await checkTemplateContent(trx, ticket.channel_id, input.content);
  const message = await insertMessage(
    trx,
    newMessageRow({
      ticket,
      channelId: ticket.channel_id,
      direction: 'outbound',
      author: { kind: input.authorKind, userId: input.authorUserId, integrationId: input.authorIntegrationId },
      kind: content.kind,
      status: 'queued',
      body: content.body,
      subject: content.subject,
      template: content.template,
      attachments: content.attachments,
      data: input.commentReply ? { commentReply: input.commentReply } : null,
      automated: input.authorKind === 'system',
      replyToProviderMessageId: input.commentReply?.commentId,
      createdAt: now,
    }),
  );
  if (!message) throw new Error('an outgoing message without provider id cannot collide');
  await enqueueOutbox(trx, { workspaceId: ticket.workspace_id, topic: SEND_TOPIC, messageId: message.id, channelId: ticket.channel_id, payload: { tag: input.tag } }, now);
  return message;
}
