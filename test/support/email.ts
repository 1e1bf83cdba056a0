// Raw mail for email tests, and the fixtures as files.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface MailParts {
  from: string;
  to: string;
  cc?: string;
  subject?: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string;
  body?: string;
  headers?: Record<string, string>;
  date?: string;
}

let sequence = 0;

/** A plain-text mail as a sending server would deliver it. */
export function rawMail(parts: MailParts): Buffer {
  const lines = [
    `From: ${parts.from}`,
    `To: ${parts.to}`,
    ...(parts.cc ? [`Cc: ${parts.cc}`] : []),
    `Subject: ${parts.subject ?? 'Help with my order'}`,
    `Date: ${parts.date ?? 'Wed, 25 Nov 2026 11:00:00 +0000'}`,
    `Message-ID: ${parts.messageId ?? `<mail-${randomBytes(6).toString('hex')}-${sequence++}@customer.example>`}`,
    ...(parts.inReplyTo ? [`In-Reply-To: ${parts.inReplyTo}`] : []),
    ...(parts.references ? [`References: ${parts.references}`] : []),
    ...Object.entries(parts.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    parts.body ?? 'My order has not arrived.',
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

/** A fixture mail from test/fixtures/channels. */
export function fixtureMail(name: string): Buffer {
  return fs.readFileSync(path.resolve(import.meta.dirname, '../fixtures/channels', name));
}
