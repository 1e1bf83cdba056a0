// The channel-neutral seams every channel plugs into: rules, setup, normalized inbound messages, outbound sends.
import type { z } from 'zod';
import type { EpochMs } from '../domain/clock.js';
import type { Refusal } from '../domain/errors.js';
import type { ChannelKind, ReplyPolicy } from '../domain/reply-policy.js';
import type { ConversationHint } from '../domain/reply-threading.js';

export interface ChannelRules {
  kind: ChannelKind;
  replyPolicy: ReplyPolicy;
  /** Canonical form of a contact address on this kind of channel, or null when it is not one. */
  normalizeAddress(raw: string): string | null;
  /**
   * Whether an address known on one channel of this kind reaches the contact on another channel of the
   * same kind (a phone number or email does; an Instagram-scoped id belongs to one account only).
   */
  addressCarriesAcrossChannels: boolean;
  /**
   * Whether the brand may answer a customer's comment this way now (null) or why not; absent for kinds
   * without comments. The comment's provider time is when it was written.
   */
  commentReply?(mode: CommentReplyMode, commentedAt: EpochMs, now: EpochMs): Refusal | null;
  /**
   * How many uploaded files one message to the customer may carry, and the refusal past that (WhatsApp
   * sends one per message; Instagram fetches files from public links, which uploads lack). Absent: no
   * limit of the channel's own.
   */
  uploadsPerMessage?: { max: number; refusal: Refusal };
  /** How the kind's message templates read, or why it has none. */
  templates:
    | {
        describe(components: unknown): TemplateShape;
        /** Checks an agent's parameters against a template definition before anything is queued. */
        prepare(components: unknown, parameters: Record<string, unknown>): TemplatePreparation;
      }
    | { refusal: Refusal };
}

/**
 * Parameters checked against a template's definition: in the form the sender expects, with the text the
 * customer will read (placeholders filled); or every problem, each a sentence naming the parameter.
 */
export type TemplatePreparation = { ok: true; parameters: Record<string, unknown>; text: string } | { ok: false; problems: string[] };

/** One value an agent fills in when sending a template. */
export interface TemplateParameter {
  component: 'header' | 'body' | 'button';
  /** Button position, for button parameters. */
  index?: number;
  /** Placeholder name: "1", "2"… or a named one; for media headers the media kind. */
  name: string;
  type: 'text' | 'image' | 'video' | 'document' | 'location' | 'payload' | 'coupon_code';
  example: string | null;
  optional?: boolean;
}

/** A template's texts with their placeholders, and the parameters it takes. */
export interface TemplateShape {
  headerText: string | null;
  headerMedia: string | null;
  bodyText: string;
  footerText: string | null;
  buttons: { type: string; text: string }[];
  parameters: TemplateParameter[];
}

/** What an admin fills in to connect a channel of a kind, and where the provider reaches us. */
export interface ChannelSetup {
  /** The settings field naming the provider account the channel routes on (its external id). */
  accountField: string;
  /** The account in its canonical form (a support address as customers' addresses are), or null when it is not one. Absent: as given. */
  normalizeAccount?(raw: string): string | null;
  /** The account a sandbox channel routes on when none is given (mail needs an address the simulator can write to). */
  sandboxAccount(channelId: string): string;
  /** Non-secret settings; the account field is among them. Returned to admins. */
  settings: z.ZodObject;
  /** Provider credentials: stored, never returned, never logged. */
  secrets: z.ZodObject;
  /** Secrets a live (non-sandbox) channel cannot work without. */
  requiredSecrets: readonly string[];
  /** The path the provider's webhook is served on (verified with a token the admin pastes into Meta), or null. */
  webhookPath: string | null;
}

export const MESSAGE_KINDS = [
  'text',
  'media',
  'template',
  'note',
  'comment',
  'location',
  'contacts',
  'interactive',
  'unsupported',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export interface Attachment {
  fileName: string | null;
  contentType: string | null;
  size: number | null;
  /** Where the bytes live in attachment storage, once downloaded. */
  storageKey?: string | null;
  /** The provider's media id or URL, kept so a failed download can be retried. */
  providerRef?: string | null;
  caption?: string | null;
  /** The attachment record the bytes belong to (GET /api/attachments/:id/content). */
  attachmentId?: string | null;
  /** Shown inside the message's HTML (an email's cid: image) rather than listed beside it. */
  inline?: boolean;
}

/**
 * One customer message as every channel's inbound parser produces it. The core dedupes on
 * (channelId, providerMessageId) before anything else.
 */
export interface InboundMessage {
  channelId: string;
  providerMessageId: string;
  /** The provider's timestamp: reply windows are computed from it, not from arrival time. */
  sentAt: EpochMs;
  contact: {
    /**
     * wa_id, Instagram-scoped id or email address; normalized by the channel's rules before lookup. A
     * WhatsApp customer who shared no phone number is known by their BSUID: then `userId`, as given.
     */
    address: string;
    displayName?: string | null;
    username?: string | null;
    /**
     * WhatsApp: the business-scoped user id (BSUID) and the parent BSUID, beside the phone or instead of
     * it. They match an identity on this channel only: never a contact on another channel.
     */
    userId?: string | null;
    parentUserId?: string | null;
  };
  kind: MessageKind;
  body: string | null;
  /** Sanitized HTML (email), safe to hand to a browser. */
  html?: string | null;
  subject?: string | null;
  attachments?: Attachment[];
  /** Provider id of the message this one answers (WhatsApp context, email In-Reply-To). */
  replyToProviderMessageId?: string | null;
  /**
   * Machine-written mail (auto-replies): recorded in an active ticket but never starts one and never
   * counts as customer activity.
   */
  automated?: boolean;
  /**
   * False for customer activity that lets the brand answer only that one item (an Instagram comment):
   * it opens or wakes a ticket but does not open the channel's messaging window.
   */
  opensReplyWindow?: boolean;
  /** Channel-specific extras shown with the message (location, comment media, reply context). */
  data?: Record<string, unknown> | null;
  /**
   * Tickets of this channel the message points at (an email's reply token, subject token and references),
   * strongest first. It joins the first one whose customer, or a participant of it, wrote the message; a
   * closed one is continued by a new ticket linked to it. Without candidates threading is by sender alone.
   */
  threadCandidates?: string[];
  /** Set when the channel threads by conversation: a message not carrying on the active ticket starts its own. */
  conversation?: ConversationHint;
  /**
   * A comment the channel's comment rules record only: it joins the customer's active ticket if they have
   * one, and otherwise opens none and is kept on the contact's timeline (`recorded_comments`).
   */
  recordOnly?: { ruleId: string | null; mediaId: string | null; permalink: string | null };
  /** Normalized addresses the message was also sent to (an email's To and Cc, ours left out): recorded on its ticket. */
  participants?: string[];
}


/** A connected provider account as a channel's code sees it: settings and credentials (never logged). */
export interface ChannelAccount {
  channelId: string;
  /** The channel's name in the workspace, for messages people read. */
  name?: string;
  /** What the channel routes on: phone number id, Instagram account id, address. */
  accountId: string;
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
  sandbox: boolean;
  /**
   * Whether the provider calls made for this account (Graph API, media downloads) may reach private,
   * loopback and link-local addresses (PRIVATE_OUTBOUND_URLS=allow). Absent: refused, unless `sandbox`.
   */
  allowPrivateAddresses?: boolean;
}

/** Downloads a customer's media from the provider, given the reference its webhook carried. */
export interface MediaFetcher {
  fetch(account: ChannelAccount, providerRef: string): Promise<{ bytes: Buffer; contentType: string | null }>;
}

/** A provider's receipt for one of our outbound messages (delivered, read, failed). */
export interface DeliveryStatusUpdate {
  /** The provider's id of our message. */
  providerMessageId: string;
  /** Our own message id when the provider echoes it back (WhatsApp's biz_opaque_callback_data). */
  messageId?: string | null;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  at: EpochMs;
  error?: { code: string; message: string } | null;
}

/** A customer's reaction to a message of the thread; a null emoji removes their reaction. */
export interface ReactionUpdate {
  /** The provider's id of the message reacted to. */
  targetProviderMessageId: string;
  emoji: string | null;
  from: string;
  at: EpochMs;
}

/** An outgoing message handed to a channel's sender by the outbox worker. */
export interface OutboundSend {
  messageId: string;
  channelId: string;
  to: string;
  kind: MessageKind;
  body: string | null;
  subject: string | null;
  template: TemplateContent | null;
  attachments: Attachment[];
  /** Provider tag the policy requires (Instagram's HUMAN_AGENT), if any. */
  tag: string | null;
  /** The provider id of the customer message this one answers, shown as a quoted reply where supported. */
  replyToProviderMessageId: string | null;
  /** An answer to a customer's comment: in a private message, or as a public reply under the comment. */
  commentReply?: CommentReply | null;
  /** The channel's provider account the message goes out from; its secrets are never logged. */
  account: ChannelAccount;
}

export type CommentReplyMode = 'private' | 'public';

export interface CommentReply {
  /** The provider's id of the comment answered. */
  commentId: string;
  mode: CommentReplyMode;
}

/**
 * A template to send. WhatsApp parameters, once checked against the synced definition, read
 * `{ header?, body?, buttons? }`: header and body are a list filling {{1}}, {{2}}… in order, or an
 * object by placeholder name for NAMED templates; a media header is `[{ type: 'image', link | id }]`;
 * buttons are `[{ index, type: 'quick_reply' | 'url' | 'copy_code', value }]`.
 */
export interface TemplateContent {
  name: string;
  language: string;
  parameters: Record<string, unknown>;
}

export type SendResult =
  | { ok: true; providerMessageId: string }
  | {
      ok: false;
      retryable: boolean;
      code: string;
      message: string;
      /**
       * The provider refused the channel's credentials: the channel is flagged for an admin and its
       * messages wait, unfailed and without using up attempts, until the credentials are replaced.
       */
      channelNeedsAttention?: boolean;
    };

/** A message template as the provider lists it; its definition (`components`) is kept as given. */
export interface ProviderTemplate {
  name: string;
  language: string;
  status: string;
  category: string;
  components: unknown;
}

export type TemplateListing =
  | { ok: true; templates: ProviderTemplate[] }
  | {
      ok: false;
      /** `not_configured`: a setting is missing; `credentials`: the provider refused them; `unavailable`: try later. */
      reason: 'not_configured' | 'credentials' | 'unavailable' | 'refused';
      message: string;
    };

/** Where a channel kind's approved templates come from (WhatsApp: the business account's message_templates). */
export interface TemplateSource {
  list(account: ChannelAccount): Promise<TemplateListing>;
}

/** What a channel's outbound side implements; the outbox worker only sees this. */
export interface ChannelSender {
  send(message: OutboundSend): Promise<SendResult>;
  /**
   * How many messages a second the provider accepts from this account, enforced by the outbox across
   * every server process; absent or null for no limit.
   */
  sendRatePerSecond?(account: ChannelAccount): number | null;
  /** Whether this sender also serves the account while the channel is in sandbox mode (a local fake provider). */
  servesSandbox?(account: ChannelAccount): boolean;
}

/**
 * A part of a provider payload (one message, receipt or event) that does not match the provider's
 * documented types: it is not turned into anything, but recorded with the reason for admins to see.
 */
export interface UnreadableItem {
  /** Where in the payload, e.g. `entry[0].changes[0].value.messages[1]`. */
  item: string;
  /** The provider's id of the message, when that much could be read. */
  providerMessageId: string | null;
  reason: string;
}
