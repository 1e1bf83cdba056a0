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
    // List and bulk mail from a reply path someone reads is a person's (automated-mail.ts).
    ['Precedence: bulk', false],
    ['Precedence: list', false],
    ['X-Autorespond: yes', true],
    ['X-Auto-Response-Suppress: OOF', false],
    ['List-Id: <news.example.com>', false],
    ['Return-Path: <>', true],
    ['X-Mailer: Thunderbird', false],
  ])('a mail with "%s" is automated: %s', async (header, automated) => {
    const raw = Buffer.from(`From: Ana <ana@example.com>\r\nTo: support@brand.test\r\nSubject: Hi\r\nMessage-ID: <a1@example.com>\r\n${header}\r\n\r\nHello\r\n`);
    expect((await parseEmail(raw)).automated).toBe(automated);
  });

  it('a mail from a no-reply sender is a person\'s unless a standard signal says otherwise; list mail from one is automated', async () => {
    const raw = Buffer.from('From: Shop <no-reply@shop.example>\r\nTo: support@brand.test\r\nSubject: Your order\r\n\r\nThanks\r\n');
    expect((await parseEmail(raw)).automated).toBe(false);
    expect((await parseEmail(Buffer.from(`List-Unsubscribe: <https://shop.example/u>\r\n${raw.toString()}`))).automated).toBe(true);
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
      { fileName: 'image-1.png', contentType: 'image/png', inline: true, size: png.length },
      { fileName: 'invoice.pdf', contentType: 'application/pdf', inline: false, size: 13 },
    ]);
    expect(mail.html).toMatch(/<img src="data:image\/png;base64,/);
  });
});

describe('reading real-world mail shapes', () => {
  it('reads an HTML-only reply into text: the new words apart from the quote, link targets kept, images and wrapping dropped', async () => {
    const mail = await parseEmail(fixture('email-html-only-reply.eml'));
    expect(mail.newText).toBe(
      'The parcel still has not arrived. Could you send it to Café Street 5 instead?\nThe tracking page [https://track.example.net/A-1001] shows no update since Monday.\n\nJane',
    );
    expect(mail.quotedText).toContain('On Wed, 25 Nov 2026 at 09:26, Example Support');
    expect(mail.quotedText).toContain('> Your parcel left our warehouse today.');
    expect(mail.newText).not.toContain('logo');
    expect(mail.html).toContain('Café Street 5');
  });

  it('reads a single-part HTML mail without wrapping its lines or uppercasing its headings', async () => {
    const sentence = 'This sentence is deliberately longer than eighty characters so that a fixed-width wrap would break it.';
    const raw = Buffer.from(`From: ana@example.com\r\nTo: support@brand.test\r\nSubject: Hi\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<h2>Order</h2><p>${sentence}</p><p>Mail <a href="mailto:ana@example.com">ana@example.com</a></p>\r\n`);
    expect((await parseEmail(raw)).newText).toBe(`Order\n\n${sentence}\n\nMail ana@example.com`);
  });

  it('reads a mail that starts with an mbox "From " line', async () => {
    const mail = await parseEmail(fixture('email-mbox-from-line.eml'));
    expect(mail).toMatchObject({ from: { address: 'jane.customer@example.com', name: 'Jane Customer' }, subject: 'Exported from my mail archive', messageId: '<mbox-0001@mail.example.com>' });
    expect(mail.newText).toBe('Hello, this mail was saved in mbox form.\n\nJane');
  });

  it('reads a mail with a stray line before its headers, and hashes it as the same mail without the line', async () => {
    const mail = 'From: Ana <ana@example.com>\r\nTo: support@brand.test\r\nSubject: Stray\r\n\r\nHello\r\n';
    const withStray = await parseEmail(Buffer.from(`>>> forwarded by relay 7\r\n${mail}`));
    expect(withStray).toMatchObject({ from: { address: 'ana@example.com' }, subject: 'Stray', newText: 'Hello' });
    expect(withStray.messageId).toBe((await parseEmail(Buffer.from(mail))).messageId);
  });

  it('names a forwarded message after its subject (.eml) and unnamed inline images after their type', async () => {
    const mail = await parseEmail(fixture('email-forwarded-message.eml'));
    expect(mail.attachments.map((a) => [a.fileName, a.contentType])).toEqual([
      ['Invoice 12 2026 overdue.eml', 'message/rfc822'],
      ['forwarded-message.eml', 'message/rfc822'],
      ['image-1.jpeg', 'image/jpeg'],
      ['image-2.png', 'image/png'],
    ]);
    expect(mail.attachments[0]!.content.toString()).toContain('Subject: Invoice 12/2026: "overdue?"');
  });

  it('keeps the text/html parts after the main one as files instead of folding them into the HTML body', async () => {
    const mail = await parseEmail(fixture('email-apple-mail-html-parts.eml'));
    expect(mail.attachments.map((a) => [a.fileName, a.contentType])).toEqual([
      ['box.pdf', 'application/pdf'],
      ['part-2.html', 'text/html'],
      ['label.pdf', 'application/pdf'],
      ['part-3.html', 'text/html'],
    ]);
    expect(mail.attachments[1]!.content.toString()).toContain('And the label:');
    expect(mail.html).toContain('Here is the box:');
    expect(mail.html).not.toContain('And the label:');
    expect(mail.newText).toBe('Here is the box:\n\nAnd the label:\n\nJane');
  });
});
