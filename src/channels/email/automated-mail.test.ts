import { describe, expect, it } from 'vitest';
import { isAutomatedMail } from './automated-mail.js';

const headersOf = (fields: Record<string, string>) => {
  const byName = new Map(Object.entries(fields).map(([name, value]) => [name.toLowerCase(), value]));
  return (name: string) => byName.get(name.toLowerCase()) ?? null;
};
const automated = (fields: Record<string, string>, replyAddress: string | null = 'ana@example.com', returnPathIsNull = false) => isAutomatedMail(headersOf(fields), replyAddress, returnPathIsNull);

describe('telling machine-written mail from a person\'s', () => {
  it.each([
    ['Auto-Submitted', 'auto-replied'],
    ['Auto-Submitted', 'auto-generated'],
    ['Auto-Submitted', 'auto-notified; owner-email="x@example.com"'],
    ['X-Autoreply', 'yes'],
    ['X-Autorespond', 'yes'],
    ['X-Auto-Reply-From', 'ana@example.com'],
    ['Precedence', 'auto_reply'],
    ['Content-Type', 'multipart/report; report-type=delivery-status; boundary="b"'],
    ['Content-Type', 'multipart/report; report-type=disposition-notification; boundary="b"'],
  ])('%s: %s is automated (RFC 3834 and delivery reports)', (name, value) => {
    expect(automated({ [name]: value })).toBe(true);
  });

  it('a null Return-Path (a bounce or a well-behaved auto-reply) is automated', () => {
    expect(automated({}, 'ana@example.com', true)).toBe(true);
  });

  it.each([
    ['Auto-Submitted', 'no'],
    ['X-Auto-Response-Suppress', 'All'],
    ['X-Auto-Response-Suppress', 'OOF'],
    ['X-Mailer', 'Thunderbird'],
  ])('%s: %s is a person\'s mail', (name, value) => {
    expect(automated({ [name]: value })).toBe(false);
  });

  it('an order with its invoice from a noreply@ address and no signal is a person\'s mail: the local part alone says nothing', () => {
    expect(automated({ 'Content-Type': 'multipart/mixed; boundary="b"' }, 'noreply@shop.example')).toBe(false);
    expect(automated({}, 'mailer-daemon@mx.example')).toBe(false);
  });

  it.each([
    ['Precedence', 'bulk'],
    ['Precedence', 'list'],
    ['Precedence', 'junk'],
    ['List-Id', '<news.shop.example>'],
    ['List-Unsubscribe', '<https://shop.example/unsubscribe>'],
  ])('list or bulk mail (%s: %s) with a reply path someone reads is a person\'s mail; with only a no-reply one it is automated', (name, value) => {
    expect(automated({ [name]: value }, 'anna@annas-letters.example')).toBe(false);
    expect(automated({ [name]: value }, 'no-reply@shop.example')).toBe(true);
    expect(automated({ [name]: value }, 'do-not-reply+news@shop.example')).toBe(true);
    expect(automated({ [name]: value }, null)).toBe(true);
  });
});
