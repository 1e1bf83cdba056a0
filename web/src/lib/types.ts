// The shapes the HTTP API answers with, as the web app reads them (see /api/openapi.json).

export type ChannelKind = 'whatsapp' | 'instagram' | 'email';
export type TicketStatus = 'open' | 'pending' | 'resolved' | 'snoozed' | 'closed';
export type AgentSettableStatus = Exclude<TicketStatus, 'closed'>;
export type Priority = 'low' | 'normal' | 'high' | 'urgent';
export type Role = 'admin' | 'agent';

export const AGENT_SETTABLE_STATUSES: AgentSettableStatus[] = ['open', 'pending', 'resolved', 'snoozed'];
export const PRIORITIES: Priority[] = ['low', 'normal', 'high', 'urgent'];

export interface SignedInUser {
  userId: string;
  workspaceId: string;
  role: Role;
  email: string;
  name: string;
}

export interface Ticket {
  id: string;
  number: number;
  status: TicketStatus;
  priority: Priority;
  subject: string | null;
  channelId: string;
  contact: { id: string; name: string | null };
  createdBy: 'customer' | 'agent';
  creatorUserId: string | null;
  assigneeUserId: string | null;
  snoozedUntil: number | null;
  lastMessagePreview: string | null;
  lastMessageDirection: 'inbound' | 'outbound' | null;
  lastActivityAt: number;
  createdAt: number;
  closedAt: number | null;
  closedByUserId: string | null;
  closedByRuleId: string | null;
  closeReason: string | null;
  tags: string[];
  /** The closed ticket this one continues (the customer's previous ticket on this channel), or null. */
  previousTicket: PreviousTicketRef | null;
}

export interface PreviousTicketRef {
  id: string;
  number: number;
  /** Null when it has been reopened since. */
  closedAt: number | null;
}

/** An attachment as a message carries it; `id` (or `attachmentId`) names a downloadable file. */
export interface MessageAttachment {
  id?: string;
  attachmentId?: string;
  fileName: string | null;
  contentType: string | null;
  size: number | null;
  caption?: string | null;
}

export interface Message {
  id: string;
  direction: 'inbound' | 'outbound';
  authorKind: 'customer' | 'agent' | 'system' | 'external' | 'integration';
  authorUserId: string | null;
  /** Who wrote it: a person or an integration (by its name). */
  author?: { kind: string; id: string | null; name: string | null };
  kind: string;
  body: string | null;
  html: string | null;
  subject: string | null;
  template: { name?: string; language?: string; parameters?: Record<string, unknown> } | null;
  attachments: MessageAttachment[];
  data: Record<string, unknown> | null;
  automated: boolean;
  status: string;
  errorCode: string | null;
  errorMessage: string | null;
  providerTimestamp: number | null;
  createdAt: number;
}

export interface TimelineEvent {
  id: string;
  type: string;
  actorKind: 'user' | 'customer' | 'system' | 'integration';
  actorUserId: string | null;
  /** Who did it: a person or an integration (by its name). */
  actor?: { kind: string; id: string | null; name: string | null };
  data: Record<string, unknown>;
  createdAt: number;
}

/** What splitting a ticket answers (POST /api/tickets/{id}/split): the new ticket and the one it was split from, now closed. */
export interface TicketSplit {
  ticket: Ticket;
  previousTicket: Ticket;
}

/** A page of a ticket's thread: messages oldest first, the timeline of their time span, and the cursor to the page before. */
export interface ThreadPage {
  messages: Message[];
  events: TimelineEvent[];
  /** Set when older messages exist (read with /api/tickets/{id}/messages?before=…). */
  olderCursor: string | null;
}

/** A ticket with the newest page of its thread. */
export interface TicketDetail extends ThreadPage {
  ticket: Ticket;
}

export interface Refusal {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export type Permission = { allowed: true; tag: string | null; automationRefusal: Refusal | null } | { allowed: false; refusal: Refusal };

export interface ReplyWindow {
  channelKind: ChannelKind;
  canStart: boolean;
  freeForm: Permission;
  template: Permission;
  templateRequired: boolean;
  windowClosesAt: number | null;
}

export interface Channel {
  id: string;
  kind: ChannelKind;
  name: string;
  sandbox: boolean;
  enabled: boolean;
  accountId: string;
  settings: Record<string, unknown>;
  secretsSet: string[];
  webhook: { url: string; verifyToken: string } | null;
  createdAt: number;
  updatedAt: number;
}

export interface TemplateParameter {
  component: 'header' | 'body' | 'button';
  index?: number;
  name: string;
  type: string;
  example: string | null;
  optional?: boolean;
}

export interface Template {
  id: string;
  name: string;
  language: string;
  category: string;
  status: string;
  usable: boolean;
  headerText: string | null;
  headerMedia: string | null;
  bodyText: string;
  footerText: string | null;
  buttons: { type: string; text: string }[];
  parameters: TemplateParameter[];
  updatedAt: number;
}

export interface ContactIdentity {
  id: string;
  channelId: string;
  channelKind: ChannelKind;
  address: string;
  displayName: string | null;
  username: string | null;
  /** When an agent blocked this address on its channel; null when not blocked. */
  blockedAt: number | null;
}

export interface ContactSummary {
  id: string;
  name: string | null;
  identities: ContactIdentity[];
}

/** An event of the contact's own timeline (contact.blocked, contact.unblocked). */
export interface ContactEvent {
  id: string;
  type: string;
  actorKind: string;
  actorUserId: string | null;
  data: Record<string, unknown>;
  createdAt: number;
}

export interface ContactDetail {
  contact: { id: string; name: string | null; tags: string[]; createdAt: number; blockedChannelIds: string[] };
  identities: (ContactIdentity & { window: ReplyWindow | null })[];
  timeline: ContactEvent[];
  tickets: { id: string; number: number; status: TicketStatus; channelId: string; lastActivityAt: number; createdAt: number }[];
}

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  createdAt: number;
}

/** Someone a ticket can be assigned to (GET /api/teammates, open to every signed-in user). */
export interface Teammate {
  id: string;
  name: string;
}

export interface ApiTokenView {
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface AutoCloseRule {
  id: string;
  channelId: string;
  kind: 'customer_inactivity' | 'agent_inactivity';
  durationMinutes: number;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface Webhook {
  id: string;
  url: string;
  eventTypes: string[];
  enabled: boolean;
  description: string | null;
  createdAt: number;
  updatedAt: number;
  lastDeliveryAt: number | null;
  lastFailureAt: number | null;
  lastFailureReason: string | null;
}

/** What a sandbox channel's fake provider received from the brand (GET /api/sandbox/channels/:id/sent). */
export interface SandboxSent {
  to: string;
  kind: string;
  text: string | null;
  at: number;
  tag: string | null;
}

/** A file stored by POST /api/attachments, ready to send with a message (attachmentIds). */
export interface UploadedFile {
  id: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
}

/** What "+ New" and replies send. */
export type OutgoingMessage =
  | { kind: 'text'; body: string; subject?: string }
  | { kind: 'template'; template: { name: string; language: string; parameters: Record<string, unknown> }; body?: string };

/** What checking an email's sender (SPF, DKIM, DMARC) found, as a message's `data.senderCheck` carries it. */
export interface SenderCheck {
  authenticity: 'verified' | 'unverified' | 'unknown';
  /** A sentence an agent can read. */
  summary: string;
  /** True when the sender is treated as unverified (the channel marks or holds such mail). */
  unverified: boolean;
  /** An admin released the message after it was held. */
  released?: true;
  spf?: string;
  dkim?: string;
  dmarc?: string;
  arc?: string;
  fromDomain?: string | null;
  dkimDomain?: string | null;
  spfDomain?: string | null;
  dmarcPolicy?: string | null;
  aligned?: boolean;
  reportedBy?: string | null;
}

/** What an email channel does with mail whose sender could not be verified (absent: 'mark'). */
export type SenderVerificationMode = 'off' | 'mark' | 'quarantine';

/** How an email channel threads a customer's mail into tickets (absent: 'sender'). */
export type ThreadingMode = 'sender' | 'conversation';

/** Mail held because its sender could not be verified (GET /api/inbound-payloads?state=held, admins). */
export interface HeldMail {
  id: string;
  channelId: string;
  payloadId: string;
  providerMessageId: string;
  /** The sender the mail claims. */
  address: string;
  subject: string | null;
  reason: string;
  verdict: Partial<SenderCheck> & Record<string, unknown>;
  receivedAt: number;
  decision: 'released' | 'discarded' | null;
  decidedAt: number | null;
  decidedByUserId: string | null;
}

/** What a comment rule looks for in a public comment: anything, one of its keywords, a question, or more than emoji and @mentions. */
export type CommentMatch = 'any' | 'keywords' | 'question' | 'not_emoji_or_mentions';

/** What happens to a comment: it opens (or joins) a ticket, or it is recorded on the contact's timeline only. */
export type CommentAction = 'ticket' | 'record';

/** One of a channel's comment rules (channels with public comments: Instagram). */
export interface CommentRule {
  id: string;
  name: string;
  /** The posts and reels it applies to, by media id or link; null for every post. */
  posts: string[] | null;
  match: CommentMatch;
  /** For `keywords`: words or phrases, matched ignoring case and accents. */
  keywords?: string[];
  action: CommentAction;
  /** Sent once as a direct message to the commenter; `{handle}` and `{post}` are filled in. */
  privateReply?: string | null;
  /** Posted once under the comment. */
  publicReply?: string | null;
}

/** A channel's comment rules, read in order; `otherwise` is what happens to a comment no rule takes. */
export interface CommentRules {
  rules: CommentRule[];
  otherwise: CommentAction;
}

/** GET and PUT /api/channels/{id}/comment-rules; `saved` is false while the channel runs on the defaults. */
export interface ChannelCommentRules {
  rules: CommentRules;
  saved: boolean;
}

/** What a comment would meet (POST /api/channels/{id}/comment-rules/test); `rule` null: the channel's otherwise applied. */
export interface CommentTrial {
  action: CommentAction;
  rule: { id: string; name: string } | null;
  privateReply: string | null;
  publicReply: string | null;
}

/** How an automatic answer to a comment was sent, as an outgoing message's `data.commentReply` carries it. */
export interface CommentReplyData {
  mode: 'private' | 'public';
  commentMessageId?: string;
  /** Set on a comment rule's automatic answer; absent on a person's answer. */
  ruleId?: string;
}
