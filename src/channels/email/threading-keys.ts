// What we put on outgoing mail so replies find their ticket, and how we read it back: the reply address
// carrying the ticket token, the subject token, our Message-IDs and the VERP bounce address (channels.md §C.1).
import { createHash, timingSafeEqual } from 'node:crypto';

export interface ReplyToken {
  ticketNumber: number;
  tag: string;
}

/**
 * A short tag only someone who saw our mail knows: derived from the ticket's id, which never leaves the
 * server in mail, so a stranger who guesses a ticket number cannot write into that ticket.
 */
export function ticketTag(ticketId: string): string {
  return createHash('sha256').update(`threadbox-reply-token:${ticketId}`).digest('hex').slice(0, 8);
}

/** Whether a tag read from an address belongs to the ticket. */
export function tagMatches(tag: string, ticketId: string): boolean {
  const expected = Buffer.from(ticketTag(ticketId));
  const given = Buffer.from(tag.toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function split(address: string): { local: string; detail: string | null; domain: string } | null {
  const at = address.lastIndexOf('@');
  if (at <= 0) return null;
  const full = address.slice(0, at).toLowerCase();
  const plus = full.indexOf('+');
  return { local: plus < 0 ? full : full.slice(0, plus), detail: plus < 0 ? null : full.slice(plus + 1), domain: address.slice(at + 1).toLowerCase() };
}

/** The address without its sub-address (RFC 5233): `support+t-1.ab@x.org` -> `support@x.org`. */
export function baseAddress(address: string): string | null {
  const parts = split(address.trim());
  return parts ? `${parts.local}@${parts.domain}` : null;
}

/** The domain our Message-IDs are made on. */
export function domainOf(address: string): string {
  return split(address)?.domain ?? 'threadbox.invalid';
}

function withDetail(channelAddress: string, detail: string): string {
  const parts = split(channelAddress);
  if (!parts) throw new Error(`not an address: ${channelAddress}`);
  return `${parts.local}+${detail}@${parts.domain}`;
}

/** The Reply-To of mail about a ticket: the support address, sub-addressed with the ticket token. */
export function replyAddress(channelAddress: string, ticket: { number: number; id: string }): string {
  return withDetail(channelAddress, `t-${ticket.number}.${ticketTag(ticket.id)}`);
}

/** The ticket tokens of the addresses a mail was sent to that are sub-addresses of the support address. */
export function readReplyTokens(recipients: readonly string[], channelAddress: string): ReplyToken[] {
  const own = split(channelAddress);
  const tokens: ReplyToken[] = [];
  for (const recipient of recipients) {
    const parts = split(recipient.trim());
    if (!own || !parts || parts.local !== own.local || parts.domain !== own.domain || !parts.detail) continue;
    const token = /^t-(\d{1,9})\.([0-9a-f]{8})$/.exec(parts.detail);
    if (token) tokens.push({ ticketNumber: Number(token[1]), tag: token[2]! });
  }
  return tokens;
}

/** The envelope sender of an outgoing mail (VERP): bounces come back to it naming the message. */
export function bounceAddress(channelAddress: string, messageId: string): string {
  return withDetail(channelAddress, `b-${messageId}`);
}

/** The message id a bounce names through the VERP address it was sent to. */
export function readBounceToken(recipients: readonly string[], channelAddress: string): string | null {
  const own = split(channelAddress);
  for (const recipient of recipients) {
    const parts = split(recipient.trim());
    if (!own || !parts || parts.local !== own.local || parts.domain !== own.domain || !parts.detail) continue;
    const token = /^b-([0-9a-f-]{36})$/.exec(parts.detail);
    if (token) return token[1]!;
  }
  return null;
}

const SUBJECT_TOKEN = /\[#(?:T-)?(\d{1,9})\]/i;

/** The ticket number of a subject token, `[#123]` (or `[#T-123]`), if the subject has one. */
export function readSubjectToken(subject: string | null | undefined): number | null {
  const found = subject ? SUBJECT_TOKEN.exec(subject) : null;
  return found ? Number(found[1]) : null;
}

// "Re:", "RE:", "Fwd:", "AW:", "Re[2]:" and the like, as many as are stacked.
const REPLY_PREFIXES = /^(?:\s*(?:re|fw|fwd|aw|wg|sv|vs|antw)(?:\s*\[\d+\])?\s*:\s*)+/i;

/** A subject without reply prefixes and without our token. */
export function baseSubject(subject: string | null | undefined): string {
  return (subject ?? '').replace(REPLY_PREFIXES, '').replace(SUBJECT_TOKEN, '').replace(/\s{2,}/g, ' ').trim();
}

/** The subject of an outgoing mail: the ticket's subject with its token, and "Re: " once when it answers. */
export function outgoingSubject(subject: string | null | undefined, ticketNumber: number, isReply: boolean): string {
  const base = baseSubject(subject) || `Your request`;
  return `${isReply ? 'Re: ' : ''}[#${ticketNumber}] ${base}`;
}

/** Our Message-ID for an outgoing message: the same on every attempt, so a retried send is one mail to its readers. */
export function outgoingMessageId(ticketNumber: number, messageId: string, channelAddress: string): string {
  return `<t-${ticketNumber}.m-${messageId}@${domainOf(channelAddress)}>`;
}

/** Message-IDs as we store them: each `<left@right>` token of a header, in order. */
export function normalizeMessageIds(value: string | readonly string[] | null | undefined): string[] {
  if (!value) return [];
  const joined = typeof value === 'string' ? value : value.join(' ');
  return [...joined.matchAll(/<([^<>\s]+@[^<>\s]+)>/g)].map((m) => `<${m[1]}>`);
}
