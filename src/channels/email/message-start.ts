// Mail exported from a mailbox file (mbox) starts with a "From " envelope line, and some forwarders put a stray
// line before the headers. The bytes are stored as received; reading starts at the first header line.

// A header line: a field name of printable characters other than the colon, then a colon (RFC 5322 §2.2).
const HEADER_LINE = /^[\x21-\x39\x3b-\x7e]+:/;
// Only a few leading lines are skipped: a body with no header near its start is not a mail.
const MAX_LEADING_LINES = 5;
const MAX_LEADING_BYTES = 4096;

/** Where the first header line starts, past an mbox "From " line and stray lines; null when no header line comes first. */
export function headersStartAt(raw: Buffer): number | null {
  const head = raw.subarray(0, MAX_LEADING_BYTES).toString('latin1');
  let offset = 0;
  for (let skipped = 0; skipped <= MAX_LEADING_LINES && offset < head.length; skipped++) {
    const end = head.indexOf('\n', offset);
    const line = head.slice(offset, end === -1 ? head.length : end);
    if (HEADER_LINE.test(line)) return offset;
    if (end === -1) return null;
    offset = end + 1;
  }
  return null;
}

/** The message from its first header line on: what a mail parser expects to read. */
export function fromFirstHeader(raw: Buffer): Buffer {
  const start = headersStartAt(raw);
  return start === null || start === 0 ? raw : raw.subarray(start);
}
