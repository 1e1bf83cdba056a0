import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEmail } from './parse-email.js';

const fixture = (name: string) => fs.readFileSync(path.resolve(import.meta.dirname, '../../../test/fixtures/channels', name));

describe('reading an email', () => {
  it('reads a customer reply: addresses, threading headers, the new text apart from the quote, and safe HTML', async () => {
    const mail = await parseEmail(fixture('email-reply.eml'));
    expect(mail).toMatchObject({
      messageId: '<CAFAKE-reply-0003@mail.example.com>',
      inReplyTo: ['<t-123.m-456.1735810000@support.example.org>'],
      references: ['<CAFAKE-original-0001@mail.example.com>', '<t-123.m-456.1735810000@support.example.org>'],
      from: { address: 'jane.customer@example.com', name: 'Jane Customer' },
      to: ['support+t-123.k7f2@support.example.org'],
      subject: 'Re: [#T-123] Order A-1001 not delivered',
      sentAt: Date.UTC(2025, 0, 2, 10, 15),
      automated: false,
      deliveryFailure: null,
    });
    expect(mail.newText).toBe('Thanks, the tracking link works now. One more question: can I change the delivery address to Café Street 5?\n\nJane');
    expect(mail.quotedText).toContain('On Wed, 1 Jan 2025 at 09:26, Example Support');
    expect(mail.quotedText).toContain('> Your parcel left our warehouse today.');
    expect(mail.html).toContain('Café Street 5');
    expect(mail.html).not.toMatch(/<script|alert\(/);
    expect(mail.html).not.toMatch(/\ssrc="https:\/\/tracker/);
    expect(mail.html).toContain('data-remote-src="https://tracker.example.net/open.gif?u=jane"');
  });

  it('recognises an out-of-office reply as automated', async () => {
    const mail = await parseEmail(fixture('email-autoreply.eml'));
    expect(mail.automated).toBe(true);
    expect(mail.references).toEqual(['<t-123.m-457.1735815000@support.example.org>']);
    expect(mail.newText).toContain('I am out of the office until 6 January');
  });

  it('reads a bounce as a permanent failure of the message named in its returned headers', async () => {
    const mail = await parseEmail(fixture('email-bounce.eml'));
    expect(mail.automated).toBe(true);
    expect(mail.deliveryFailure).toEqual({
      recipients: [{ address: 'nobody@example.net', status: '5.1.1', diagnostic: '550 5.1.1 User unknown' }],
      originalMessageId: '<t-123.m-458.1735819198@support.example.org>',
    });
    expect(mail.attachments).toEqual([]);
  });

  it.each([
    ['Auto-Submitted: auto-generated', true],
    ['Auto-Submitted: no', false],
    ['Precedence: bulk', true],
    ['Precedence: list', true],
    ['X-Autorespond: yes', true],
    ['X-Auto-Response-Suppress: OOF', true],
    ['List-Id: <news.example.com>', true],
    ['Return-Path: <>', true],
    ['X-Mailer: Thunderbird', false],
  ])('a mail with "%s" is automated: %s', async (header, automated) => {
    const raw = Buffer.from(`From: Ana <ana@example.com>\r\nTo: support@brand.test\r\nSubject: Hi\r\nMessage-ID: <a1@example.com>\r\n${header}\r\n\r\nHello\r\n`);
    expect((await parseEmail(raw)).automated).toBe(automated);
  });

  it('a mail from a no-reply sender is automated', async () => {
    const raw = Buffer.from('From: Shop <no-reply@shop.example>\r\nTo: support@brand.test\r\nSubject: Your order\r\n\r\nThanks\r\n');
    expect((await parseEmail(raw)).automated).toBe(true);
  });

  it('a mail without Message-ID gets one from its bytes, the same on every delivery', async () => {
    const raw = Buffer.from('From: ana@example.com\r\nTo: support@brand.test\r\nSubject: Hi\r\n\r\nHello\r\n');
    const first = await parseEmail(raw);
    expect(first.messageId).toMatch(/^<sha256\.[0-9a-f]{64}@threadbox\.invalid>$/);
    expect((await parseEmail(Buffer.from(raw))).messageId).toBe(first.messageId);
  });

  it('keeps attachments and marks inline cid images, which the HTML shows as data: images', async () => {
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    const raw = [
      'From: Ana <ana@example.com>', 'To: support@brand.test', 'Subject: Photo', 'Message-ID: <p1@example.com>', 'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="mixed"', '',
      '--mixed', 'Content-Type: multipart/related; boundary="rel"', '',
      '--rel', 'Content-Type: text/html; charset=utf-8', '', '<p>See <img src="cid:logo@x"></p>',
      '--rel', 'Content-Type: image/png', 'Content-ID: <logo@x>', 'Content-Disposition: inline', 'Content-Transfer-Encoding: base64', '', png.toString('base64'),
      '--rel--',
      '--mixed', 'Content-Type: application/pdf; name="invoice.pdf"', 'Content-Disposition: attachment; filename="invoice.pdf"', 'Content-Transfer-Encoding: base64', '', Buffer.from('%PDF-1.4 test').toString('base64'),
      '--mixed--', '',
    ].join('\r\n');
    const mail = await parseEmail(Buffer.from(raw));
    expect(mail.attachments.map((a) => ({ fileName: a.fileName, contentType: a.contentType, inline: a.inline, size: a.content.length }))).toEqual([
      { fileName: null, contentType: 'image/png', inline: true, size: png.length },
      { fileName: 'invoice.pdf', contentType: 'application/pdf', inline: false, size: 13 },
    ]);
    expect(mail.html).toMatch(/<img src="data:image\/png;base64,/);
  });
});
