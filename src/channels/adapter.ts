// The contract of one channel kind: everything the engine needs from a provider, in one object. The
// registry (registry.ts) is the only place that maps a kind to its adapter; the server, the HTTP app,
// the jobs and the inbound core loop over the registry and never name a kind.
import type { Readable } from 'node:stream';
import type { EpochMs } from '../domain/clock.js';
import type { ChannelKind } from '../domain/reply-policy.js';
import type { SenderAuthenticity, SenderVerificationMode } from '../domain/sender-trust.js';
import type { AccountEvents, CustomerMessage } from './inbound-events.js';
import type { ChannelAccount, ChannelRules, ChannelSender, ChannelSetup, MediaFetcher, OutboundSend, TemplateSource } from './types.js';
import type { CommentFacts } from '../domain/comment-rules.js';

export interface ChannelAdapter {
  kind: ChannelKind;
  /** Reply policy, addresses, templates, comment rules. */
  rules: ChannelRules;
  /** What an admin fills in to connect one, and which secrets it keeps. */
  setup: ChannelSetup;
  /**
   * The names stored deliveries of this channel carry (`inbound_payloads.source`): one per way in. A
   * delivery is read by the adapter whose sources name it.
   */
  sources: readonly string[];
  /** The provider's signed webhook, when it delivers that way; served by one generic route. */
  webhook?: WebhookEndpoint;
  /**
   * Reads one stored delivery into channel-neutral events, per provider account. Pure: no store, no
   * network. `channel` is the account the delivery was stored for, when it was stored for one (mail).
   */
  read(delivery: StoredDelivery): Promise<AccountEvents[]> | AccountEvents[];
  /**
   * Best-effort lookups that complete customers' messages (a profile's name, a post's link) before they
   * are stored; a failure never holds a message back.
   */
  enrich?(account: ChannelAccount, messages: CustomerMessage[], context: EnrichContext): Promise<CustomerMessage[]>;
  /**
   * For a channel with public comments: what the comment rules (domain/comment-rules.ts) read of a
   * customer's message that is a comment; null for any other message.
   */
  commentFacts?(message: CustomerMessage): CommentFacts | null;
  /**
   * Checks that a delivery comes from the sender it names (mail: SPF, DKIM, DMARC, or the receiving
   * server's report of them), as the channel's settings ask; null when the channel does not check.
   * May look things up in DNS, through `options.resolveDns` when given.
   */
  checkSender?(delivery: StoredDelivery, account: ChannelAccount, options: { resolveDns?: DnsResolver }): Promise<SenderCheck | null>;
  /** Sends our messages for the outbox. */
  createSender(ports: SenderPorts): ChannelSender;
  /** Downloads customers' media the provider only links to. */
  mediaFetcher?: MediaFetcher;
  /** Where the kind's approved message templates are listed. */
  templateSource?: TemplateSource;
  /** The local fake provider sandbox channels of this kind use, so the product can be tried without one. */
  sandbox?: SandboxFactory;
  /** A mailbox the engine reads on a timer, for providers that keep mail for us to fetch (IMAP). */
  mailbox?: MailboxReader;
  /**
   * The account an address that a listener or mailbox delivery was sent to belongs to (a support
   * address's sub-addresses carry reply tokens), or null when it is no account's.
   */
  accountOfRecipient?(address: string): string | null;
  /** A listener the engine runs for providers that deliver to a port of ours (SMTP); its deliveries are stored under `source`. */
  listener?: { source: string; start(options: ListenerOptions): Promise<{ port: number; close(): Promise<void> }> };
  /** Raw deliveries an admin's integration forwards by HTTP for one channel (mail services); stored under `source`. */
  forward?: { source: string; looksValid(raw: Buffer): boolean };
}

/** Reads an account's mailbox after a cursor, handing each new message over with the cursor that includes it. */
export interface MailboxReader {
  /** The source name its deliveries are stored under. */
  source: string;
  /** The mailbox to read, or null when the account has none configured (nothing is read). */
  mailboxOf(account: ChannelAccount): string | null;
  read(account: ChannelAccount, cursor: MailboxCursor | null, take: (raw: Buffer, after: MailboxCursor) => Promise<void>): Promise<MailboxCursor>;
}

/** Where reading a mailbox stopped: its generation (IMAP's UIDVALIDITY) and the last position taken. */
export interface MailboxCursor {
  uidValidity: string;
  lastUid: number;
}

export interface ListenerOptions {
  host: string;
  port: number;
  /** The largest delivery accepted, in bytes. */
  maxBytes: number;
  /** Whether deliveries for this recipient are ours to take. */
  acceptsRecipient(address: string): Promise<boolean>;
  /** Stores a delivery for its recipients; resolves once it is durable (only then is the sender answered). */
  store(raw: Buffer, envelope: DeliveryEnvelope & { recipients: string[] }): Promise<void>;
  /** Told about a delivery that could not be stored (the sender is told to retry). */
  onStoreError?(error: unknown): void;
}

/** What checking a delivery's sender concluded, and what the channel does about an unverified one. */
export interface SenderCheck {
  authenticity: SenderAuthenticity;
  mode: SenderVerificationMode;
  /** A sentence or two an agent can follow. */
  summary: string;
  /** The individual results (spf, dkim, dmarc, arc, domains), shown with the message. */
  details: Record<string, unknown>;
}

/** Answers a DNS question (name, record type) the way Node's resolver does (TXT records as chunks), failing with its error codes. */
export type DnsResolver = (name: string, type: string) => Promise<string[] | string[][]>;

/** A delivery as it was stored before it was acknowledged. */
export interface StoredDelivery {
  /** The way in it came by (one of the adapter's sources). */
  source: string;
  raw: Buffer;
  /** The provider's signature header, as received. */
  signature: string | null;
  receivedAt: EpochMs;
  /** The channel it was stored for, when the way in already knew it (mail); null for webhooks. */
  channel: ChannelAccount | null;
  /** How a listener received it, when one did. */
  envelope: DeliveryEnvelope | null;
}

/** How a listener received a delivery: the connecting client, its greeting name and the envelope sender (SMTP). */
export interface DeliveryEnvelope {
  clientIp: string | null;
  helo: string | null;
  mailFrom: string | null;
}

/**
 * A provider's webhook: the subscription handshake, which bodies it takes, whom they are for, and how
 * their signature over the raw bytes is checked.
 */
export interface WebhookEndpoint {
  /** The source name its deliveries are stored under (one of the adapter's sources). */
  source: string;
  /** The header carrying the signature. (The path is the setup's `webhookPath`.) */
  signatureHeader: string;
  /** The provider accounts a parsed body is for, or null when the body is not this provider's kind. */
  accountsOf(body: unknown): string[] | null;
  /** What the body must say it is, for the refusal's message. */
  describesBody: string;
  /** Whether `signature` signs `raw` under the account's secrets; in constant time. */
  verifySignature(raw: Buffer, signature: string | null, account: ChannelAccount): boolean;
  /**
   * The subscription handshake (a GET with a challenge): the answer to send when the query proves it
   * knows one channel's verify token, else null. `tokens` are every channel's of this kind.
   */
  answerHandshake?(query: Record<string, string | undefined>, tokens: string[]): string | null;
  /** Query parameters of the handshake that may appear once only. */
  handshakeParameters?: readonly string[];
}

export interface EnrichContext {
  /** Addresses among those given that already have a username on the channel (no lookup needed). */
  knownAddresses(addresses: string[]): Promise<Set<string>>;
  /** Whether to look `key` up now: true unless it was asked within `intervalMs` (then it is noted as asked). */
  mayAsk(key: string, intervalMs: number): boolean;
  /** Logs that a lookup was not answered; the message is stored without it. */
  lookupFailed(what: string, error: unknown): null;
}

/** What the engine lends a channel's sender. */
export interface SenderPorts {
  /** The bytes of a stored attachment, by its storage key. */
  readAttachment(storageKey: string): Promise<Readable | Buffer>;
  /** The conversation a message belongs to, for providers that chain messages (mail's threading headers). */
  conversationOf(send: OutboundSend): Promise<Conversation | null>;
}

/** The ticket an outbound message belongs to, as a chaining provider needs it. */
export interface Conversation {
  ticketId: string;
  ticketNumber: number;
  ticketSubject: string | null;
  /** The subject the agent chose for this message, if any. */
  messageSubject: string | null;
  /** Whether a machine wrote the message (an automation, the system). */
  automated: boolean;
  /**
   * Provider ids of the ticket's earlier messages on the channel, oldest first, each with what it
   * referenced itself (an email's References).
   */
  earlier: { providerMessageId: string; direction: 'inbound' | 'outbound'; references: string[] }[];
}

/** Starts the local fake provider of a kind for sandbox channels. */
export type SandboxFactory = (context: SandboxContext) => Promise<SandboxProvider>;

export interface SandboxContext {
  /** Where a webhook path of this server is reached; known only once it listens (ask at each use). */
  webhookUrl(path: string): string;
  /** Where this server takes mail by SMTP. */
  smtp: { host: string; port: number };
  now(): EpochMs;
  /** The kind's real sender, pointed at the fake for each send. */
  realSender: ChannelSender;
}

/** What the simulator's customer writes. */
export interface SimulatedCustomerMessage {
  from: string;
  name?: string;
  text: string;
  /** Email only. */
  subject?: string;
  /** Instagram only: a comment on one of the brand's posts instead of a direct message. */
  comment?: { mediaId?: string };
  /**
   * WhatsApp only: the customer's business-scoped user id (BSUID, `US.…`), sent beside the phone in
   * `from`. A `from` that is itself a BSUID writes as a username-only customer, with no phone at all.
   */
  userId?: string;
  /** WhatsApp only: the customer's username. */
  username?: string;
}

export interface SandboxProvider {
  /** Sends a sandbox channel's messages to the fake. */
  sender: ChannelSender;
  /** Delivers a customer's message the way the provider would; resolves once our server acknowledged it. Throws a Refusal-carrying error for bad input. */
  actAsCustomer(account: ChannelAccount, message: SimulatedCustomerMessage): Promise<void>;
  close(): Promise<void>;
}
