// Some clients (Apple Mail with attachments among the text) send a body of several text/html parts. mailparser
// joins every inline text/html part into one HTML body and has no option to keep them apart, so before it reads
// the mail, every text/html part after the first is re-labelled as a file (`part-2.html`, …). Only the copy
// being read changes; the stored mail stays as received.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Joiner, Splitter, type MimeNode } from '@zone-eu/mailsplit';

const HTML_PART = /^content-type:[ \t]*text\/html/gim;

/** The message with each text/html part after the main one marked as an attachment named `part-<n>.html`. */
export async function extraHtmlPartsAsFiles(message: Buffer): Promise<Buffer> {
  // Most mail has at most one HTML part: it is not split and joined again.
  if ((message.toString('latin1').match(HTML_PART) ?? []).length < 2) return message;
  let htmlParts = 0;
  const splitter = new Splitter();
  const chunks: Buffer[] = [];
  splitter.on('data', (data: { type: string }) => {
    if (data.type !== 'node') return;
    const node = data as MimeNode;
    if (node.contentType !== 'text/html' || node.disposition === 'attachment' || insideForwardedMessage(node)) return;
    htmlParts++;
    if (htmlParts === 1 || !node.headers) return;
    node.headers.update('Content-Disposition', 'attachment');
    node.setFilename(`part-${htmlParts}.html`);
  });
  const collect = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  try {
    await pipeline(Readable.from([message]), splitter, new Joiner(), collect);
  } catch {
    // A mail the splitter cannot take apart is read as it came: its HTML parts stay joined, nothing is lost.
    return message;
  }
  return Buffer.concat(chunks);
}

/** A forwarded mail's own HTML belongs to that mail, not to this one's body. */
function insideForwardedMessage(node: MimeNode): boolean {
  for (let parent = node.parentNode; parent; parent = parent.parentNode) {
    if (parent.contentType === 'message/rfc822') return true;
  }
  return false;
}
