import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseEmail } from './parse-email.js';
import { labelUndeclaredCharsets } from './undeclared-charsets.js';

const ascii = (text: string) => Buffer.from(text.replace(/\n/g, '\r\n'), 'latin1');

/** A mail whose parts are ASCII text and legacy-encoded strings, joined as bytes. */
const mail = (...parts: (string | Buffer)[]) => Buffer.concat(parts.map((part) => (typeof part === 'string' ? ascii(part) : part)));

describe('text in a character set the mail does not name', () => {
  it('leaves UTF-8 and ASCII mail as it came, byte for byte', async () => {
    const utf8 = Buffer.from('From: Zoë <zoe@example.com>\r\nSubject: Grüße\r\n\r\nHallo, schöne Grüße\r\n', 'utf8');
    expect(await labelUndeclaredCharsets(utf8)).toBe(utf8);
  });

  it('leaves mail whose every part names its set as it came', async () => {
    const declared = mail('From: a@example.com\nSubject: =?ISO-8859-1?Q?Probl=E8me?=\nContent-Type: text/plain; charset=ISO-8859-1\nContent-Transfer-Encoding: 8bit\n\n', iconv.encode('Problème réglé', 'latin1'), '\n');
    const parsed = await parseEmail(declared);
    expect(parsed.newText).toBe('Problème réglé');
    expect(Buffer.compare(await labelUndeclaredCharsets(declared), declared)).toBe(0);
  });

  it('reads a raw header in the set the body declares, even a name too short to tell by itself', async () => {
    const raw = mail('From: ', iconv.encode('张伟', 'gbk'), ' <zhang@example.cn>\nSubject: ', iconv.encode('退款', 'gbk'), '\nContent-Type: text/plain; charset=gb2312\nContent-Transfer-Encoding: 8bit\n\n', iconv.encode('请退款', 'gb2312'), '\n');
    const parsed = await parseEmail(raw);
    expect(parsed.from).toEqual({ address: 'zhang@example.cn', name: '张伟' });
    expect(parsed.subject).toBe('退款');
    expect(parsed.newText).toBe('请退款');
  });

  it('detects the set of an undeclared body from its bytes (Shift_JIS)', async () => {
    const raw = mail('From: yamada@example.jp\nSubject: order\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n', iconv.encode('先週注文した商品がまだ届いておりません。', 'shift_jis').toString('base64'), '\n');
    expect((await parseEmail(raw)).newText).toBe('先週注文した商品がまだ届いておりません。');
  });

  it('takes the set an HTML body names in its meta tag', async () => {
    const html = Buffer.concat([ascii('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"></head><body><p>'), iconv.encode('Заказ не пришёл', 'windows-1251'), ascii('</p></body></html>')]);
    const raw = mail('From: ivan@example.ru\nSubject: order\nContent-Type: text/html\nContent-Transfer-Encoding: 8bit\n\n', html, '\n');
    expect((await parseEmail(raw)).newText).toBe('Заказ не пришёл');
  });

  it('names an attachment in GBK from its own bytes', async () => {
    const raw = mail(
      'From: chen@example.cn\nSubject: invoice\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain; charset=us-ascii\n\nattached\n--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename="',
      iconv.encode('二〇二六年十一月的发票.pdf', 'gbk'),
      '"\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--b--\n',
    );
    expect((await parseEmail(raw)).attachments.map((file) => file.fileName)).toEqual(['二〇二六年十一月的发票.pdf']);
  });
});
