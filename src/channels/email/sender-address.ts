// Who sent a mail: its From, and when that has no usable address (missing, unparsable, or our own), the
// next header that names a person of the mail: Reply-To, then Sender, then the envelope sender the
// receiving server recorded (Return-Path; `<>` names nobody). The header used is kept with the message.
import { normalizeEmailAddress } from './address.js';
import type { ParsedEmail } from './parse-email.js';

export type SenderHeader = 'from' | 'reply-to' | 'sender' | 'return-path';

export interface MailSender {
  address: string;
  name: string | null;
  header: SenderHeader;
}

/** The mail's sender, or null when no header names a usable address other than ours. */
export function senderOf(mail: Pick<ParsedEmail, 'from' | 'replyTo' | 'sender' | 'returnPath'>, isOurs: (address: string) => boolean): MailSender | null {
  const candidates: [SenderHeader, { address: string; name: string | null } | null][] = [
    ['from', mail.from],
    ['reply-to', mail.replyTo],
    ['sender', mail.sender],
    ['return-path', mail.returnPath ? { address: mail.returnPath, name: null } : null],
  ];
  for (const [header, named] of candidates) {
    const address = named ? normalizeEmailAddress(named.address) : null;
    if (address && !isOurs(address)) return { address, name: named?.name ?? null, header };
  }
  return null;
}
