// What makes a mail that mail, as a hash: Message-IDs are not unique in the wild (some ticketing systems
// send different notifications under one id), so a second mail with a known id is compared by this.
// Only what the author wrote goes in (From, Date, Subject, the text and HTML as decoded, each attachment's
// type and bytes), never the transport headers (Received, Return-Path, Delivered-To, Authentication-
// Results) or encodings a relay may change: the same mail arriving by SMTP and again by IMAP hashes the same.
import { createHash } from 'node:crypto';
import type { AddressObject, ParsedMail } from 'mailparser';

export function contentHashOf(mail: ParsedMail): string {
  const hash = createHash('sha256');
  const add = (part: string) => hash.update(`${part.length}:${part}\n`);
  add(addressesOf(mail.from));
  add(mail.date && !Number.isNaN(mail.date.getTime()) ? String(mail.date.getTime()) : '');
  add(mail.subject?.trim() ?? '');
  add(normalizedText(mail.text ?? ''));
  add(typeof mail.html === 'string' ? normalizedText(mail.html) : '');
  for (const attachment of mail.attachments) add(`${attachment.contentType} ${createHash('sha256').update(attachment.content).digest('hex')}`);
  return hash.digest('hex');
}

function addressesOf(field: AddressObject | AddressObject[] | undefined): string {
  const objects = field ? (Array.isArray(field) ? field : [field]) : [];
  return objects.flatMap((o) => o.value.map((a) => (a.address ?? '').toLowerCase())).join(',');
}

// Line endings and trailing blanks differ between the ways a mail reaches us, never between two mails.
function normalizedText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/[ \t]+$/gm, '').trimEnd();
}
