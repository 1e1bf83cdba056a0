// What a provider delivery means, in channel-neutral terms: every channel's reader turns a stored raw
// delivery into these events, and one core (modules/inbound/apply-inbound-events.ts) applies them.
import type { EpochMs } from '../domain/clock.js';
import type { Attachment, DeliveryStatusUpdate, InboundMessage, ReactionUpdate, UnreadableItem } from './types.js';
import type { CommentAction } from '../domain/comment-rules.js';
import type { ConversationHint } from '../domain/reply-threading.js';

/** A customer's message before it is tied to a channel of ours. */
export type CustomerMessage = Omit<InboundMessage, 'channelId'> & {
  /** Files that arrived inside the delivery itself (an email's parts): stored before the message is. */
  files?: DeliveredFile[];
  /** Tickets the message names, by what it carries (an email's reply token, subject token, references). */
  threadingHints?: ThreadingHints;
  /**
   * What makes the message that message, for a provider whose ids are not unique (an email's Message-ID):
   * a second, different message under a stored id is kept under a derived id instead of being taken for a
   * redelivery (modules/inbound/same-provider-id.ts).
   */
  contentHash?: string;
  /** What the channel's comment rules decided for a comment (set by the inbound core, not by readers). */
  commentTriage?: CommentTriage;
};

/** A comment rule's decision as the core applies it: the action, and the automatic answers, filled in. */
export interface CommentTriage {
  action: CommentAction;
  ruleId: string | null;
  /** The post the comment is under. */
  mediaId: string | null;
  permalink: string | null;
  privateReply: string | null;
  publicReply: string | null;
}

/** A message the channel read but cannot tie to a sender (mail with no usable address): kept for admins. */
export interface UnattributedMessage {
  providerMessageId: string;
  subject: string | null;
  reason: 'no_sender';
  /** What an admin is told about it. */
  summary: string;
}

/** A file whose bytes came with the delivery. */
export interface DeliveredFile {
  fileName: string | null;
  contentType: string;
  content: Buffer;
  /** Shown inside the message's HTML rather than listed beside it. */
  inline: boolean;
}

/**
 * What a message carries that points at a ticket, strongest first: ticket numbers it names (each with a
 * check that only a real recipient of our mail passes), and provider ids of earlier messages it answers.
 */
export interface ThreadingHints {
  /**
   * `proves`: the number came with a check only a real recipient of our mail passes (a reply token),
   * rather than merely naming the ticket (a subject token anyone can copy).
   */
  ticketNumbers: { number: number; belongsTo(ticketId: string): boolean; proves: boolean }[];
  referencedMessageIds: string[];
  /** Set when the channel threads by conversation rather than by sender (domain/reply-threading.ts). */
  conversation?: ConversationHint;
}

/** A message our account sent (from this app, another tool or the provider's own app), echoed back. */
export interface BrandMessage {
  providerMessageId: string;
  /**
   * The customer's address: for echoes the recipient, not the sender. Null for a public answer under a
   * customer's comment, which names only the comment it answers (`answers`).
   */
  to: string | null;
  /** The provider id of the customer's message this one answers, when the provider says. */
  answers?: string | null;
  sentAt: EpochMs;
  kind: InboundMessage['kind'];
  body: string | null;
  attachments: Attachment[];
  data: Record<string, unknown> | null;
}

/** The customer read the thread up to one of our messages, or up to a time (a watermark). */
export interface ReadUpdate {
  /** The last message read; null when the provider sends only a watermark time. */
  providerMessageId: string | null;
  watermark: EpochMs | null;
  from: string;
  at: EpochMs;
}

/** Someone unsent a message of the thread. */
export interface UnsendUpdate {
  providerMessageId: string;
  from: string;
  at: EpochMs;
}

/** A report that one of our outbound messages never arrived (an email bounce). */
export interface BounceReport {
  /** Our own message id, when the report came back to an address naming it (VERP). */
  messageId: string | null;
  /** The provider id of our message, as the report quotes it. */
  providerMessageId: string | null;
  code: string;
  message: string;
  /** What to store instead when the report names none of our messages (it is then ordinary mail). */
  otherwise: CustomerMessage | null;
}

/** Everything one delivery says about one provider account (a business number, an Instagram account, a mailbox). */
export interface AccountEvents {
  /** What a channel routes on: its external id. */
  accountId: string;
  messages: CustomerMessage[];
  echoes: BrandMessage[];
  receipts: DeliveryStatusUpdate[];
  reactions: ReactionUpdate[];
  reads: ReadUpdate[];
  unsends: UnsendUpdate[];
  bounces: BounceReport[];
  /** Problems the provider reports that belong to no conversation: logged. */
  errors: { code: string; message: string }[];
  /** Parts that do not match the provider's documented types: recorded for admins, nothing else. */
  unreadable: UnreadableItem[];
  /** Why a delivery was deliberately not stored (our own mail coming back): nothing to log. */
  dropped: string[];
  /** Messages that belong to no sender: held in `inbound_held` for an admin to see, never stored in a ticket. */
  unattributed: UnattributedMessage[];
}

/** An empty set of events for an account, to fill in. */
export function noEvents(accountId: string): AccountEvents {
  return { accountId, messages: [], echoes: [], receipts: [], reactions: [], reads: [], unsends: [], bounces: [], errors: [], unreadable: [], dropped: [], unattributed: [] };
}

/** The address a customer-side event is about, to keep one customer's events in order. */
export function conversationKeysOf(events: AccountEvents): string[] {
  const key = (address: string) => `${events.accountId}:${address}`;
  return [
    // A customer may be named by address, by a provider user id or by both: each key serializes.
    ...events.messages.flatMap((m) => [key(m.contact.address), ...(m.contact.userId ? [key(m.contact.userId)] : [])]),
    ...events.echoes.map((e) => key(e.to ?? `answer:${e.answers}`)),
    ...[...events.reactions, ...events.reads, ...events.unsends].map((u) => key(u.from)),
    ...events.receipts.map((s) => key(`status:${s.providerMessageId}`)),
  ];
}
