// Machine-written mail (out-of-office, list mail, delivery reports) is recorded but never starts a ticket,
// never counts as the customer answering and is never answered automatically (channels.md §C.2, RFC 3834).

/** The header fields the decision reads: lower-case names to their raw values. */
export type HeaderLookup = (name: string) => string | null;

const NO_REPLY_SENDER = /^(?:mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?)(?:[+-].*)?$/i;

/** Whether the mail was written by a machine rather than a person. */
export function isAutomatedMail(header: HeaderLookup, from: string | null, returnPathIsNull: boolean): boolean {
  const value = (name: string) => (header(name) ?? '').trim().toLowerCase();
  const autoSubmitted = value('auto-submitted');
  if (autoSubmitted && autoSubmitted !== 'no') return true;
  if (/\b(?:bulk|list|junk|auto_reply)\b/.test(value('precedence'))) return true;
  if (header('x-autoreply') !== null || header('x-autorespond') !== null || header('x-auto-reply-from') !== null) return true;
  if (/\b(?:all|oof|autoreply)\b/.test(value('x-auto-response-suppress'))) return true;
  if (header('list-id') !== null || header('list-unsubscribe') !== null) return true;
  if (/^multipart\/report\b/.test(value('content-type'))) return true;
  if (returnPathIsNull) return true;
  const local = from?.split('@')[0] ?? '';
  return NO_REPLY_SENDER.test(local);
}

/** Whether the mail carries our own loop marker: one of our automatic mails came back to us. */
export function carriesOurLoopMarker(header: HeaderLookup, ourAddress: string): boolean {
  const loop = (header('x-loop') ?? '').toLowerCase();
  return loop !== '' && loop.includes(ourAddress.toLowerCase());
}
