import { describe, expect, it } from 'vitest';
import { failureOf, mailOptionsOf, type OutgoingEmail } from './outgoing-mail.js';

const mail: OutgoingEmail = {
  from: { address: 'help@brand.example', name: 'Brand Help' },
  to: 'jane@customer.example',
  replyTo: 'help+t-7.0123abcd@brand.example',
  envelopeFrom: 'help+b-m1@brand.example',
  subject: 'Re: [#7] Order late',
  messageId: '<t-7.m-m1@brand.example>',
  inReplyTo: '<jane-2@customer.example>',
  references: ['<jane-1@customer.example>', '<jane-2@customer.example>'],
  text: 'Hello <Jane>,\n\nIt ships today.',
  automated: false,
  attachments: [],
};

describe('outgoing mail', () => {
  it('carries our Message-ID, the thread, the reply address, the VERP sender and our loop marker', () => {
    expect(mailOptionsOf(mail)).toMatchObject({
      messageId: '<t-7.m-m1@brand.example>',
      inReplyTo: '<jane-2@customer.example>',
      references: ['<jane-1@customer.example>', '<jane-2@customer.example>'],
      replyTo: 'help+t-7.0123abcd@brand.example',
      envelope: { from: 'help+b-m1@brand.example', to: ['jane@customer.example'] },
      headers: { 'X-Loop': 'help@brand.example' },
    });
    expect(mailOptionsOf(mail).headers).not.toHaveProperty('Auto-Submitted');
  });

  it('marks what an automation wrote with Auto-Submitted, so no auto-responder answers it', () => {
    expect(mailOptionsOf({ ...mail, automated: true }).headers).toMatchObject({ 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' });
  });

  it('has an HTML part with the text escaped', () => {
    expect(mailOptionsOf(mail).html).toBe('<!doctype html><html><body><p>Hello &lt;Jane&gt;,</p><p>It ships today.</p></body></html>');
  });

  it.each([
    [{ responseCode: 421, response: '421 busy' }, true, 'SMTP_421'],
    [{ responseCode: 452, response: '452 mailbox full' }, true, 'SMTP_452'],
    [{ responseCode: 550, response: '550 no such user' }, false, 'SMTP_550'],
    [{ responseCode: 554, response: '554 rejected as spam' }, false, 'SMTP_554'],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, true, 'SMTP_ECONNREFUSED'],
  ])('an SMTP failure %j is retryable: %s', (error, retryable, code) => {
    expect(failureOf(Object.assign(new Error('x'), error))).toMatchObject({ ok: false, retryable, code });
  });
});
