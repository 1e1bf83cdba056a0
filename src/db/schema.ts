// The database as Kysely sees it: one interface per table, shared by SQLite and PostgreSQL.
// Times are epoch milliseconds (bigint), flags are 0/1 integers and structured values are JSON text,
// so both engines return the same JavaScript values.
import type { ChannelKind } from '../domain/reply-policy.js';
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

export type Flag = 0 | 1;

export interface WorkspacesTable {
  id: string;
  name: string;
  /** Last ticket number handed out; incremented inside the transaction that creates a ticket. */
  ticket_seq: number;
  reopen_on_customer_message: Flag;
  created_at: number;
}

export interface UsersTable {
  id: string;
  workspace_id: string;
  email: string;
  name: string;
  role: 'admin' | 'agent';
  password_hash: string;
  active: Flag;
  created_at: number;
}

export interface ChannelsTable {
  id: string;
  workspace_id: string;
  kind: ChannelKind;
  name: string;
  /** The provider account this channel routes on (phone_number_id, Instagram account id, address). */
  external_id: string;
  /** Non-secret provider settings as JSON. */
  config: string;
  /** Provider secrets as JSON; never returned by the API. */
  secrets: string;
  sandbox: Flag;
  enabled: Flag;
  created_at: number;
  updated_at: number;
  /** Why the provider refused the channel's credentials; set until an admin replaces its secrets. */
  attention_reason: string | null;
  /** Since when the channel needs attention; its outgoing messages wait meanwhile. */
  needs_attention_since: number | null;
  /** When the provider's template list was last synced; null until the first sync. */
  templates_synced_at: number | null;
  /** When the periodic sync last tried this channel, successfully or not. */
  templates_sync_attempted_at: number | null;
}

export interface ContactsTable {
  id: string;
  workspace_id: string;
  name: string | null;
  created_at: number;
  updated_at: number;
}

export interface ContactIdentitiesTable {
  id: string;
  workspace_id: string;
  contact_id: string;
  channel_id: string;
  channel_kind: ChannelKind;
  /**
   * Normalized address, where sends go: wa_id digits (a WhatsApp customer's BSUID while their phone is
   * unknown), Instagram-scoped id, lower-cased email.
   */
  address: string;
  display_name: string | null;
  username: string | null;
  /** WhatsApp: the phone (wa_id digits) when known; null while only the BSUID is. */
  wa_id: string | null;
  /** WhatsApp: the business-scoped user id (BSUID), unique per channel; never carries to another channel. */
  user_id: string | null;
  /** WhatsApp: the parent BSUID (`US.ENT.…`), when the business has them enabled. */
  parent_user_id: string | null;
  created_at: number;
  /** When an agent blocked this address on its channel: its messages open no ticket (`inbound_blocked`). */
  blocked_at: ColumnType<number | null, number | null | undefined, number | null>;
  blocked_by_user_id: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A contact's own timeline (blocked, unblocked on a channel); moves with the contact when merged. */
export interface ContactEventsTable {
  id: string;
  workspace_id: string;
  contact_id: string;
  type: string;
  actor_kind: 'user' | 'customer' | 'system';
  actor_user_id: string | null;
  /** JSON. */
  data: string;
  created_at: number;
}

/** A message from a blocked sender: acknowledged and kept as received, recorded here instead of in a ticket. */
export interface InboundBlockedTable {
  id: string;
  workspace_id: string;
  channel_id: string;
  contact_id: string;
  identity_id: string;
  address: string;
  provider_message_id: string;
  kind: string;
  received_at: number;
}

export interface RecordedCommentsTable {
  id: string;
  workspace_id: string;
  channel_id: string;
  contact_id: string;
  address: string;
  provider_message_id: string;
  body: string | null;
  media_id: string | null;
  permalink: string | null;
  rule_id: string | null;
  commented_at: number;
  received_at: number;
}

export interface ContactTagsTable {
  workspace_id: string;
  contact_id: string;
  tag: string;
}

export interface TicketsTable {
  id: string;
  workspace_id: string;
  /** Per-workspace sequence; inserted as null and set just before the creating transaction commits. */
  number: ColumnType<number, number | null, number>;
  channel_id: string;
  contact_id: string;
  status: 'open' | 'pending' | 'resolved' | 'snoozed' | 'closed';
  priority: 'low' | 'normal' | 'high' | 'urgent';
  subject: string | null;
  created_by: 'customer' | 'agent';
  creator_user_id: string | null;
  assignee_user_id: string | null;
  snoozed_until: number | null;
  /** Direction of the last customer or team message, which auto-close rules read. */
  last_message_direction: 'inbound' | 'outbound' | null;
  last_inbound_at: number | null;
  last_outbound_at: number | null;
  /**
   * Provider time of the customer's latest message in this ticket. The reply window of the (channel,
   * contact) pair is anchored on the latest of these over the pair's tickets.
   */
  last_customer_sent_at: number | null;
  last_activity_at: number;
  last_message_preview: string | null;
  first_response_at: number | null;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
  closed_by_user_id: string | null;
  closed_by_rule_id: string | null;
  close_reason: string | null;
  /** The closed ticket this one continues: the one an email answered, else the pair's last closed ticket. */
  previous_ticket_id: string | null;
}

export interface TicketTagsTable {
  workspace_id: string;
  ticket_id: string;
  tag: string;
}

export interface MessagesTable {
  id: string;
  workspace_id: string;
  ticket_id: string;
  channel_id: string;
  direction: 'inbound' | 'outbound' | 'internal';
  author_kind: 'customer' | 'agent' | 'system' | 'external' | 'integration';
  author_user_id: string | null;
  /** The integration token (api_tokens, kind 'integration') a message of an integration was sent with. */
  author_integration_id: ColumnType<string | null, string | null | undefined, string | null>;
  kind: string;
  body: string | null;
  html: string | null;
  subject: string | null;
  /** JSON: { name, language, parameters } for template messages. */
  template: string | null;
  /** JSON array of attachments. */
  attachments: string | null;
  /** JSON: channel-specific extras. */
  data: string | null;
  automated: Flag;
  provider_message_id: string | null;
  provider_timestamp: number | null;
  reply_to_provider_message_id: string | null;
  status: 'received' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed' | 'note';
  error_code: string | null;
  error_message: string | null;
  created_at: number;
}

export interface AttachmentsTable {
  id: string;
  workspace_id: string;
  /** Where the bytes are in attachment storage: a generated id, never a name a person chose. */
  storage_key: string;
  /** The name to show and to offer when downloading; never used as a path. */
  file_name: string;
  content_type: string;
  size_bytes: number;
  /** Hex SHA-256 of the stored bytes. */
  sha256: string;
  /** Null when a channel downloaded the file from its provider. */
  uploaded_by_user_id: string | null;
  /** The message that uses the file; null while it is only uploaded. */
  message_id: string | null;
  created_at: number;
}

export interface TicketEventsTable {
  id: string;
  workspace_id: string;
  ticket_id: string;
  type: string;
  actor_kind: 'user' | 'customer' | 'system' | 'integration';
  actor_user_id: string | null;
  /** The integration token behind an integration's change. */
  actor_integration_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** JSON details (from/to status, rule id, assignee, tags). */
  data: string | null;
  created_at: number;
}

export interface OutboxTable {
  id: string;
  workspace_id: string;
  topic: string;
  message_id: string | null;
  channel_id: string | null;
  payload: string | null;
  attempts: number;
  available_at: number;
  locked_until: number | null;
  last_error: string | null;
  done_at: number | null;
  created_at: number;
}

export interface RealtimeEventsTable {
  /** Monotonic per database; what SSE clients resume from with Last-Event-ID. */
  seq: Generated<number>;
  workspace_id: string;
  type: string;
  payload: string;
  created_at: number;
}

export interface AutoCloseRulesTable {
  id: string;
  workspace_id: string;
  channel_id: string;
  kind: 'customer_inactivity' | 'agent_inactivity';
  duration_minutes: number;
  enabled: Flag;
  created_at: number;
  updated_at: number;
}

export interface TemplatesTable {
  id: string;
  workspace_id: string;
  channel_id: string;
  name: string;
  language: string;
  category: string;
  status: string;
  /** JSON: the provider's components array. */
  components: string;
  updated_at: number;
}

/** The next moment a channel may send (a per-number rate limit shared by every server process). */
export interface SendRateSlotsTable {
  channel_id: string;
  /** Microseconds since the epoch (an interval at 1,000 messages a second is about one millisecond). */
  next_slot_us: number;
}

export interface SessionsTable {
  id: string;
  workspace_id: string;
  user_id: string;
  /** SHA-256 of the cookie's secret. */
  token_hash: string;
  created_at: number;
  expires_at: number;
}

export interface ApiTokensTable {
  id: string;
  workspace_id: string;
  /**
   * `personal`: a person's token, acting as that person. `integration`: the workspace's token for an
   * integration or bot, acting as an automation under its own name.
   */
  kind: ColumnType<'personal' | 'integration', 'personal' | 'integration' | undefined, never>;
  /** The owner of a personal token; the admin who created an integration token. */
  user_id: string;
  name: string;
  /** SHA-256 of the token; the token itself is shown once, when created. */
  token_hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface WebhooksTable {
  id: string;
  workspace_id: string;
  url: string;
  /** The signing key. Kept in clear because every delivery is signed with it; shown once, never returned again. */
  secret: string;
  /** JSON array of the realtime event types the webhook receives. */
  event_types: string;
  enabled: Flag;
  description: string | null;
  /** The newest realtime seq when the webhook was created: events up to it are never sent to it. */
  start_after_seq: number;
  created_at: number;
  updated_at: number;
  last_delivery_at: number | null;
  /** When a delivery was last given up on, and why; null until one is. */
  last_failure_at: number | null;
  last_failure_reason: string | null;
}

/** How far the webhook fan-out has read the realtime_events list; one row ('default'). */
export interface WebhookDispatchCursorTable {
  id: string;
  last_seq: number;
  /**
   * PostgreSQL: the transaction id of the last event read (events are read in (xid, seq) order, see
   * fan-out-webhook-events.ts); always 0 on SQLite.
   */
  last_xid: number;
}

export interface InboundPayloadsTable {
  id: string;
  /** Which parser reads it: whatsapp, instagram, email-smtp, email-imap, email-http. */
  source: string;
  channel_id: string | null;
  /** The bytes exactly as the provider sent them. */
  raw: Buffer;
  /** The provider's signature header, checked again per channel when the payload is processed. */
  signature: string | null;
  received_at: number;
  attempts: number;
  available_at: number;
  locked_until: number | null;
  processed_at: number | null;
  last_error: string | null;
  /** JSON: how a listener received it ({ clientIp, helo, mailFrom } for SMTP), for checks judged on the envelope. */
  envelope: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A message held back because its sender could not be verified, until a person releases or discards it. */
export interface InboundHeldTable {
  id: string;
  workspace_id: string;
  channel_id: string;
  payload_id: string;
  provider_message_id: string;
  address: string;
  subject: string | null;
  reason: string;
  /** JSON: the sender check's verdict. */
  verdict: string;
  received_at: number;
  decided_at: number | null;
  decided_by_user_id: string | null;
  decision: 'released' | 'discarded' | null;
}

/** A part of a provider payload that did not match the provider's documented types, kept for admins to see. */
export interface InboundUnreadableTable {
  id: string;
  workspace_id: string;
  channel_id: string;
  payload_id: string;
  /** Where in the payload, e.g. `entry[0].changes[0].value.messages[1]`. */
  item: string;
  provider_message_id: string | null;
  reason: string;
  received_at: number;
  recorded_at: number;
}

/** An address on a ticket's mail thread: the customer, and whoever their mail was also sent to. */
export interface TicketParticipantsTable {
  workspace_id: string;
  ticket_id: string;
  address: string;
  created_at: number;
}

/** How far a polled IMAP mailbox of an email channel has been read. */
export interface EmailMailboxCursorsTable {
  channel_id: string;
  mailbox: string;
  uid_validity: string;
  last_uid: number;
  locked_until: number | null;
  last_error: string | null;
  updated_at: number;
}

/** Failed sign-ins per hashed key (account at address, or address), shared by every process. */
export interface SignInThrottleTable {
  key: string;
  failures: number;
  retry_at: number;
}

export interface Database {
  workspaces: WorkspacesTable;
  users: UsersTable;
  channels: ChannelsTable;
  contacts: ContactsTable;
  contact_identities: ContactIdentitiesTable;
  contact_tags: ContactTagsTable;
  contact_events: ContactEventsTable;
  inbound_blocked: InboundBlockedTable;
  inbound_held: InboundHeldTable;
  tickets: TicketsTable;
  ticket_tags: TicketTagsTable;
  messages: MessagesTable;
  attachments: AttachmentsTable;
  ticket_events: TicketEventsTable;
  outbox: OutboxTable;
  realtime_events: RealtimeEventsTable;
  auto_close_rules: AutoCloseRulesTable;
  templates: TemplatesTable;
  send_rate_slots: SendRateSlotsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  inbound_payloads: InboundPayloadsTable;
  inbound_unreadable: InboundUnreadableTable;
  webhooks: WebhooksTable;
  webhook_dispatch_cursor: WebhookDispatchCursorTable;
  ticket_participants: TicketParticipantsTable;
  recorded_comments: RecordedCommentsTable;
  email_mailbox_cursors: EmailMailboxCursorsTable;
  sign_in_throttle: SignInThrottleTable;
}

export type TicketRow = Selectable<TicketsTable>;
export type NewTicket = Insertable<TicketsTable>;
export type TicketUpdate = Updateable<TicketsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type NewMessage = Insertable<MessagesTable>;
export type AttachmentRow = Selectable<AttachmentsTable>;
export type ChannelRow = Selectable<ChannelsTable>;
export type ContactRow = Selectable<ContactsTable>;
export type IdentityRow = Selectable<ContactIdentitiesTable>;
export type AutoCloseRuleRow = Selectable<AutoCloseRulesTable>;
export type WorkspaceRow = Selectable<WorkspacesTable>;
export type UserRow = Selectable<UsersTable>;
