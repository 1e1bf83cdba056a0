// A mail written only in HTML still needs a text body: the ticket preview, search and the quote separation read
// text. The text keeps what a reader needs (words, line breaks between blocks, link targets, quotes marked
// with ">") and drops what is only layout (images, fixed-width wrapping).
import { compile } from 'html-to-text';

const HEADINGS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } }));

const convert = compile({
  // Lines are as long as the sender's paragraphs; the UI wraps them.
  wordwrap: false,
  selectors: [
    // A link's target is shown when its text does not already say it (mailto: is shown as the address).
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true, noAnchorUrl: true } },
    // Logos, spacers and tracking pixels say nothing an agent reads.
    { selector: 'img', format: 'skip' },
    ...HEADINGS,
    { selector: 'table', format: 'block' },
  ],
});

/** Readable plain text of (sanitized) mail HTML. */
export function textOfHtml(html: string): string {
  // Nested blocks each add their own break; one empty line is enough between them.
  return convert(html).replace(/\n{3,}/g, '\n\n').trim();
}
