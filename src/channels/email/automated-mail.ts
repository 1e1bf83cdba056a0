// Machine-written mail (out-of-office, delivery reports, list mail nobody answers) never starts a ticket
// by itself, never counts as the customer answering and is never answered automatically (channels.md §C.2,
// RFC 3834). Only the standard signals count, never the sender's local part alone: a shop's order with
// its invoice from `noreply@` is a person's business, and so is a person's newsletter.
//
// List and bulk mail (`Precedence: bulk|junk|list`, `List-Id`, `List-Unsubscribe`) is automated only when
// it also carries no personal reply path: the address a reply would go to (Reply-To, else From) is missing
// or a no-reply mailbox. A newsletter someone can answer is a person's mail; a blast from `noreply@` is not.
// `X-Auto-Response-Suppress` asks us not to answer automatically (we never do); it says nothing about
// who wrote the mail, and Outlook and ticketing systems set it on people's mail too.

/** The header fields the decision reads: lower-case names to their raw values. */
export type HeaderLookup = (name: string) => string | null;

const NO_REPLY_MAILBOX = /^(?:mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?)(?:[+._-].*)?$/i;

/**
 * Whether the mail was written by a machine rather than a person. `replyAddress` is where a reply would
 * go (Reply-To, else From); `returnPathIsNull` says the envelope sender was `<>` (a bounce or a well-behaved
 * auto-reply).
 */
export function isAutomatedMail(header: HeaderLookup, replyAddress: string | null, returnPathIsNull: boolean): boolean {
  const value = (name: string) => (header(name) ?? '').trim().toLowerCase();
  const autoSubmitted = value('auto-submitted');
  if (autoSubmitted && autoSubmitted !== 'no') return true;
  if (header('x-autoreply') !== null || header('x-autorespond') !== null || header('x-auto-reply-from') !== null) return true;
  if (/\bauto_reply\b/.test(value('precedence'))) return true;
  if (/^multipart\/report\b/.test(value('content-type'))) return true;
  if (returnPathIsNull) return true;
  return isBulkMail(header) && !hasPersonalReplyPath(replyAddress);
}

/** Mail sent to many: a list or a bulk sender says so. */
function isBulkMail(header: HeaderLookup): boolean {
  if (/\b(?:bulk|junk|list)\b/.test((header('precedence') ?? '').toLowerCase())) return true;
  return header('list-id') !== null || header('list-unsubscribe') !== null;
}

/** A reply would reach a mailbox someone reads. */
function hasPersonalReplyPath(replyAddress: string | null): boolean {
  if (!replyAddress?.includes('@')) return false;
  return !NO_REPLY_MAILBOX.test(replyAddress.slice(0, replyAddress.lastIndexOf('@')));
}

/** Whether the mail carries our own loop marker: one of our automatic mails came back to us. */
export function carriesOurLoopMarker(header: HeaderLookup, ourAddress: string): boolean {
  const loop = (header('x-loop') ?? '').toLowerCase();
  return loop !== '' && loop.includes(ourAddress.toLowerCase());
}
