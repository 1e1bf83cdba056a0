// Sandbox email channels: the simulator mails them as a customer over SMTP, through this server's own
// listener (the way real mail arrives), and what they send is accepted without a mail server.
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { DomainError } from '../../domain/errors.js';
import type { SandboxContext, SandboxProvider } from '../adapter.js';
import { sandboxSender } from '../sandbox-sender.js';
import { normalizeEmailAddress } from './address.js';

export async function startEmailSandbox(context: SandboxContext): Promise<SandboxProvider> {
  const mail = nodemailer.createTransport({ host: context.smtp.host, port: context.smtp.port, secure: false, ignoreTLS: true });
  return {
    sender: sandboxSender,
    async actAsCustomer(account, message) {
      const from = normalizeEmailAddress(message.from);
      if (!from) throw new DomainError({ code: 'VALIDATION_FAILED', message: `"${message.from}" is not a email address.`, details: { field: 'from' } });
      await mail.sendMail({
        from: message.name ? { name: message.name, address: from } : from,
        to: account.accountId,
        subject: message.subject?.trim() || 'A question',
        text: message.text,
        messageId: `<${randomUUID()}@sandbox.threadbox.test>`,
      });
    },
    async close() {
      mail.close();
    },
  };
}
