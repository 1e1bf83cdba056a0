// The one place a message row is built. Every path that stores a message (a customer's, a brand echo, a
// queued send, a note) says what it knows and every other column starts empty, so a new column is
// added here once instead of in each path, and JSON columns are encoded one way.
import type { MessagesTable, NewMessage } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';
import { toJson } from '../../lib/json.js';

/** Every column of a new message, none left to a database default. */
export type NewMessageRow = Required<NewMessage>;

/** Who wrote a message, as its row records it. */
export interface MessageAuthor {
  kind: MessagesTable['author_kind'];
  userId?: string | null;
  /** The integration token an integration's message is sent with. */
  integrationId?: string | null;
}

export interface MessageDraft {
  ticket: { id: string; workspace_id: string };
  channelId: string;
  direction: MessagesTable['direction'];
  author: MessageAuthor;
  kind: string;
  status: MessagesTable['status'];
  body?: string | null;
  html?: string | null;
  subject?: string | null;
  /** A template message's name, language and parameters; stored as JSON. */
  template?: unknown;
  /** Stored as a JSON array when there is at least one. */
  attachments?: readonly unknown[] | null;
  /** Channel-specific extras; stored as JSON. */
  data?: unknown;
  /** Automated mail and the system's own messages: recorded, but not anyone's activity. */
  automated?: boolean;
  providerMessageId?: string | null;
  providerTimestamp?: number | null;
  replyToProviderMessageId?: string | null;
  createdAt: number;
}

export function newMessageRow(draft: MessageDraft): NewMessageRow {
  return {
    id: newId(),
    workspace_id: draft.ticket.workspace_id,
    ticket_id: draft.ticket.id,
    channel_id: draft.channelId,
    direction: draft.direction,
    author_kind: draft.author.kind,
    author_user_id: draft.author.userId ?? null,
    author_integration_id: draft.author.integrationId ?? null,
    kind: draft.kind,
    body: draft.body ?? null,
    html: draft.html ?? null,
    subject: draft.subject ?? null,
    template: toJson(draft.template),
    attachments: draft.attachments?.length ? toJson(draft.attachments) : null,
    data: toJson(draft.data),
    automated: draft.automated ? 1 : 0,
    provider_message_id: draft.providerMessageId ?? null,
    provider_timestamp: draft.providerTimestamp ?? null,
    reply_to_provider_message_id: draft.replyToProviderMessageId ?? null,
    status: draft.status,
    error_code: null,
    error_message: null,
    created_at: draft.createdAt,
  };
}
