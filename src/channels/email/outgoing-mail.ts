// Sending a reply by SMTP with nodemailer: threading headers chained to the conversation, a reply address
// carrying the ticket token, a VERP envelope sender for bounces, and Auto-Submitted on anything a machine wrote
// so other systems never answer it (RFC 3834). SMTP answers decide retrying: 4xx later, 5xx never.
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type { SendResult } from '../types.js';

export interface OutgoingEmail {
  from: { address: string; name: string | null };
  to: string;
  /** Where the customer's reply goes: the support address with the ticket token. */
  replyTo: string;
  /** The SMTP envelope sender; bounces come back to it. */
  envelopeFrom: string;
  subject: string;
  messageId: string;
  inReplyTo: string | null;
  references: readonly string[];
  text: string;
  /** Written by an automation rather than a person: marked so auto-responders stay quiet. */
  automated: boolean;
  attachments: { fileName: string; contentType: string; content: Buffer }[];
}

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  username?: string | null;
  password?: string | null;
}

/** The message as nodemailer takes it. */
export function mailOptionsOf(mail: OutgoingEmail): Mail.Options {
  return {
    from: { address: mail.from.address, name: mail.from.name ?? '' },
    to: mail.to,
    replyTo: mail.replyTo,
    subject: mail.subject,
    messageId: mail.messageId,
    inReplyTo: mail.inReplyTo ?? undefined,
    references: mail.references.length ? [...mail.references] : undefined,
    envelope: { from: mail.envelopeFrom, to: [mail.to] },
    // Our own marker: a mail that comes back carrying it is one of ours and is dropped, never answered.
    headers: { 'X-Loop': mail.from.address, ...(mail.automated ? { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' } : {}) },
    text: mail.text,
    html: htmlOf(mail.text),
    attachments: mail.attachments.map((a) => ({ filename: a.fileName, contentType: a.contentType, content: a.content })),
  };
}

/** Sends one mail; the outcome says whether trying again later can help. */
export async function sendOverSmtp(settings: SmtpSettings, mail: OutgoingEmail): Promise<SendResult> {
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    auth: settings.username ? { user: settings.username, pass: settings.password ?? '' } : undefined,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  });
  try {
    const info = await transport.sendMail(mailOptionsOf(mail));
    if (info.rejected.length > 0) return { ok: false, retryable: false, code: 'EMAIL_REJECTED', message: `The mail server refused the recipient ${mail.to}: ${info.response}` };
    return { ok: true, providerMessageId: mail.messageId };
  } catch (error) {
    return failureOf(error);
  } finally {
    transport.close();
  }
}

/** An SMTP failure as a send result: 5xx is permanent, 4xx and network trouble are worth another try. */
export function failureOf(error: unknown): Extract<SendResult, { ok: false }> {
  const { responseCode, response, message, code } = error as { responseCode?: number; response?: string; message?: string; code?: string };
  const text = (response ?? message ?? String(error)).slice(0, 500);
  if (typeof responseCode === 'number' && responseCode >= 500) return { ok: false, retryable: false, code: `SMTP_${responseCode}`, message: `The mail server refused the mail: ${text}` };
  if (typeof responseCode === 'number' && responseCode >= 400) return { ok: false, retryable: true, code: `SMTP_${responseCode}`, message: `The mail server asked us to try later: ${text}` };
  return { ok: false, retryable: true, code: code ? `SMTP_${code}` : 'SMTP_ERROR', message: `The mail server could not be reached: ${text}` };
}

function htmlOf(text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const paragraphs = escaped.split(/\n{2,}/).map((p) => `<p>${p.replace(/\n/g, '<br>')}</p>`);
  return `<!doctype html><html><body>${paragraphs.join('')}</body></html>`;
}
