import { describe, expect, it } from 'vitest';
import { fromFirstHeader, headersStartAt } from './message-start.js';

const MAIL = 'From: ana@example.com\r\nSubject: Hi\r\n\r\nHello\r\n';

describe('where a raw mail starts', () => {
  it('starts at the first byte of a mail that begins with its headers', () => {
    expect(headersStartAt(Buffer.from(MAIL))).toBe(0);
    expect(fromFirstHeader(Buffer.from(MAIL)).toString()).toBe(MAIL);
  });

  it.each([
    ['an mbox "From " line', 'From ana@example.com Thu Nov 26 10:00:00 2026\r\n'],
    ['a stray line', '>>> relayed by forwarder 7\n'],
    ['an mbox line, then a blank line', 'From MAILER-DAEMON Thu Nov 26 10:00:00 2026\n\n'],
  ])('skips %s before the headers', (_name, prefix) => {
    expect(fromFirstHeader(Buffer.from(prefix + MAIL)).toString()).toBe(MAIL);
  });

  it.each([
    ['nothing', ''],
    ['text without any header', 'Dear support,\r\nmy order is late.\r\n'],
    ['an mbox line and no header', 'From ana@example.com Thu Nov 26 10:00:00 2026\r\n\r\nJust text.\r\n'],
    ['a header only after many lines', `${'line\r\n'.repeat(10)}${MAIL}`],
  ])('finds no headers in %s', (_name, raw) => {
    expect(headersStartAt(Buffer.from(raw))).toBeNull();
  });
});
