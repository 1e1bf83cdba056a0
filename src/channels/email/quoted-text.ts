// A reply usually carries the whole previous conversation under the new text. Agents read the new text; the
// quoted part is kept beside it, so nothing the customer sent is lost (channels.md §C.4.2).
import EmailReplyParser from 'email-reply-parser';

export interface SeparatedText {
  /** What the sender wrote in this message. */
  newText: string;
  /** The quoted previous messages (and signature blocks) below it; empty when there are none. */
  quoted: string;
}

// Outlook and some webmail quote without ">" under a header line; the library knows only "On … wrote:".
const UNMARKED_QUOTE_HEADERS = [/^-{2,}\s*Original Message\s*-{2,}\s*$/im, /^_{10,}\s*$/m, /^From: .+\r?\n(?:Sent|Date): .+\r?\n/im];

/** Splits a plain-text body into the new text and the quoted rest; when splitting leaves nothing, all of it is new. */
export function separateQuotedText(text: string): SeparatedText {
  const normalized = text.replace(/\r\n/g, '\n');
  let cut = normalized.length;
  for (const header of UNMARKED_QUOTE_HEADERS) {
    const found = header.exec(normalized);
    if (found && found.index < cut) cut = found.index;
  }
  const head = normalized.slice(0, cut);
  const email = new EmailReplyParser().read(head);
  const visible = email.getVisibleText().trim();
  if (!visible) return { newText: normalized.trim(), quoted: '' };
  const hidden = email
    .getFragments()
    .filter((f) => f.isHidden())
    .map((f) => f.getContent())
    .join('\n');
  return { newText: visible, quoted: `${hidden}\n${normalized.slice(cut)}`.trim() };
}
