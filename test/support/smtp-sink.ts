// A local SMTP server standing in for the remote mail server our outbox sends through: it records every mail
// it accepts, and can be told to answer the next ones with an error.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface SinkMail {
  mailFrom: string | null;
  recipients: string[];
  raw: string;
}

export interface SmtpSink {
  port: number;
  received: SinkMail[];
  /** Answers the next `count` mails with this SMTP code and text instead of accepting them. */
  failNext(code: number, text: string, count?: number): void;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const received: SinkMail[] = [];
  const failures: { code: number; text: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const failure = failures.shift();
        if (failure) return callback(Object.assign(new Error(failure.text), { responseCode: failure.code }));
        received.push({ mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null, recipients: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback(null, 'Accepted');
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    failNext(code, text, count = 1) {
      for (let i = 0; i < count; i++) failures.push({ code, text });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
