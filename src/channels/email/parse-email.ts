// A raw RFC 5322 message, as any of the three ways in delivers it, read into what threading and storage need:
// addresses, threading headers, the new text apart from the quote, sanitized HTML, attachments, and whether a
// machine wrote it.
import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { storableDeep, storableText } from '../../domain/storable-text.js';
import { isAutomatedMail, type HeaderLookup } from './automated-mail.js';
import { contentHashOf } from './content-hash.js';
import { readDeliveryFailure, type DeliveryFailure } from './delivery-report.js';
import { sanitizeEmailHtml } from './display-html.js';
import { fileNamesOf } from './attachment-names.js';
import { extraHtmlPartsAsFiles } from './html-parts.js';
import { textOfHtml } from './html-text.js';
import { fromFirstHeader } from './message-start.js';
import { separateQuotedText } from './quoted-text.js';
import { labelUndeclaredCharsets } from './undeclared-charsets.js';
import { normalizeMessageIds } from './threading-keys.js';

export interface EmailAttachment {
  fileName: string | null;
  contentType: string;
  content: Buffer;
  /** Set for parts the HTML shows inline (`cid:` images); the UI does not list them again. */
  contentId: string | null;
  inline: boolean;
}

export interface ParsedEmail {
  /** With angle brackets; a hash of the raw bytes when the mail has none, so a second delivery is still recognised. */
  messageId: string;
  inReplyTo: string[];
  references: string[];
  from: { address: string; name: string | null } | null;
  /** Where replies go (Reply-To); also who sent the mail when it has no usable From. */
  replyTo: { address: string; name: string | null } | null;
  /** The Sender header: who sent it on the author's behalf; a fallback sender after Reply-To. */
  sender: { address: string; name: string | null } | null;
  /** The envelope sender the receiving server recorded; null when absent or `<>`. The last fallback sender. */
  returnPath: string | null;
  /** A hash of what the author wrote (content-hash.ts): tells apart two mails sharing one Message-ID. */
  contentHash: string;
  to: string[];
  cc: string[];
  /** Delivered-To and X-Original-To: where a forwarding host says the mail was addressed. */
  deliveredTo: string[];
  subject: string | null;
  /** The Date header, when it is a real date. */
  sentAt: number | null;
  /** What the sender wrote in this mail, without the quoted conversation. */
  newText: string;
  /** The quoted previous messages, kept apart. */
  quotedText: string;
  /** Sanitized HTML for display; null when the mail has no HTML part. */
  html: string | null;
  attachments: EmailAttachment[];
  automated: boolean;
  /** Set when the mail is a delivery report saying one of our mails failed. */
  deliveryFailure: DeliveryFailure | null;
  header: HeaderLookup;
}

const REPORT_PARTS = new Set(['message/delivery-status', 'text/rfc822-headers', 'message/rfc822']);

/**
 * Parses a raw message. Every string read from it (subject, names, addresses, ids, text, HTML, file
 * names, header values) is made storable the same way on both engines (domain/storable-text.ts).
 */
export async function parseEmail(raw: Buffer): Promise<ParsedEmail> {
  return storableDeep(await readEmail(raw));
}

async function readEmail(raw: Buffer): Promise<ParsedEmail> {
  const message = fromFirstHeader(raw);
  // Text is derived from the HTML here (html-text.ts), not by mailparser, which does it only for some mail shapes.
  const mail = await simpleParser(await extraHtmlPartsAsFiles(await labelUndeclaredCharsets(message)), { keepDeliveryStatus: true, checksumAlgo: 'sha256', skipHtmlToText: true });
  const header = headerLookup(mail);
  const from = addressesOf(mail.from)[0] ?? null;
  const isReport = /^multipart\/report\b/i.test(header('content-type') ?? '');
  const deliveryFailure = isReport ? readDeliveryFailure(partText(mail, 'message/delivery-status'), partText(mail, 'text/rfc822-headers') ?? partText(mail, 'message/rfc822')) : null;
  const files = mail.attachments.filter((a) => !(isReport && REPORT_PARTS.has(a.contentType)));
  const fileNames = await fileNamesOf(files);
  const html = typeof mail.html === 'string' ? sanitizeEmailHtml(mail.html) || null : null;
  // A mail with no text part (or an empty one) is read from its HTML, quotes and all.
  const { newText, quoted } = separateQuotedText(mail.text?.trim() ? mail.text : html ? textOfHtml(html) : '');
  return {
    messageId: normalizeMessageIds(mail.messageId)[0] ?? `<sha256.${createHash('sha256').update(message).digest('hex')}@threadbox.invalid>`,
    inReplyTo: normalizeMessageIds(mail.inReplyTo),
    references: normalizeMessageIds(mail.references),
    from: from ? { address: from.address, name: from.name || null } : null,
    replyTo: addressesOf(mail.replyTo).map((a) => ({ address: a.address, name: a.name || null }))[0] ?? null,
    sender: addressesOf(mail.headers.get('sender') as AddressObject | undefined).map((a) => ({ address: a.address, name: a.name || null }))[0] ?? null,
    returnPath: addressesOf(mail.headers.get('return-path') as AddressObject | undefined)[0]?.address ?? null,
    contentHash: contentHashOf(mail),
    to: addressesOf(mail.to).map((a) => a.address),
    cc: addressesOf(mail.cc).map((a) => a.address),
    deliveredTo: mail.headerLines
      .filter((h) => h.key === 'delivered-to' || h.key === 'x-original-to')
      .flatMap((h) => h.line.slice(h.line.indexOf(':') + 1).split(','))
      .map((a) => a.replace(/[<>\s]/g, '').toLowerCase())
      .filter(Boolean),
    subject: mail.subject?.trim() || null,
    sentAt: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.getTime() : null,
    newText,
    quotedText: quoted,
    html,
    attachments: files.map((a, i) => ({ fileName: fileNames[i] ?? null, contentType: a.contentType, content: a.content, contentId: a.cid ?? null, inline: a.related === true || (a.contentDisposition === 'inline' && !!a.cid) })),
    automated: isAutomatedMail(header, (addressesOf(mail.replyTo)[0] ?? from)?.address ?? null, returnPathIsNull(header)),
    deliveryFailure,
    header,
  };
}

/** Raw header values by lower-case name (the first occurrence), unfolded. */
function headerLookup(mail: ParsedMail): HeaderLookup {
  const values = new Map<string, string>();
  for (const { key, line } of mail.headerLines) {
    if (values.has(key)) continue;
    const colon = line.indexOf(':');
    values.set(key, storableText(line.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ').trim()));
  }
  return (name) => values.get(name.toLowerCase()) ?? null;
}

function returnPathIsNull(header: HeaderLookup): boolean {
  const value = header('return-path');
  return value !== null && /^<\s*>$/.test(value.trim());
}

function addressesOf(field: AddressObject | AddressObject[] | undefined): { address: string; name: string }[] {
  const objects = field ? (Array.isArray(field) ? field : [field]) : [];
  const flat = objects.flatMap((o) => o.value).flatMap((a) => (a.group ? a.group : [a]));
  return flat.filter((a): a is { address: string; name: string } => typeof a.address === 'string' && a.address.includes('@')).map((a) => ({ address: a.address.toLowerCase(), name: a.name }));
}

function partText(mail: ParsedMail, contentType: string): string | null {
  const part = mail.attachments.find((a) => a.contentType === contentType);
  return part ? part.content.toString('utf8') : null;
}
