// Email as one channel adapter: mail arrives by our SMTP listener, a polled IMAP mailbox or an HTTP
// forward, and replies leave through the channel's SMTP server.
import type { ChannelAdapter } from '../adapter.js';
import { normalizeEmailAddress } from './address.js';
import { readNewMail } from './imap-mailbox.js';
import { headersStartAt } from './message-start.js';
import { readEmailDelivery } from './inbound.js';
import { checkEmailSender } from './sender-check.js';
import { emailPolicy, emailTemplatesUnsupported } from './policy.js';
import { startEmailSandbox } from './sandbox.js';
import { emailSender } from './sender.js';
import { emailSecretsOf, emailSettingsOf } from './settings.js';
import { emailSetup } from './setup.js';
import { startSmtpListener } from './smtp-listener.js';
import { baseAddress } from './threading-keys.js';

export const emailAdapter: ChannelAdapter = {
  kind: 'email',
  rules: { kind: 'email', replyPolicy: emailPolicy, normalizeAddress: normalizeEmailAddress, addressCarriesAcrossChannels: true, templates: { refusal: emailTemplatesUnsupported } },
  setup: emailSetup,
  sources: ['email-smtp', 'email-imap', 'email-http'],
  read: readEmailDelivery,
  checkSender: checkEmailSender,
  createSender: (ports) => emailSender(ports),
  sandbox: startEmailSandbox,
  mailbox: {
    source: 'email-imap',
    mailboxOf(account) {
      const { imap } = emailSettingsOf(account);
      return imap && emailSecretsOf(account).imapPassword ? imap.mailbox : null;
    },
    read(account, cursor, take) {
      const imap = emailSettingsOf(account).imap!;
      return readNewMail({ ...imap, password: emailSecretsOf(account).imapPassword! }, cursor, (mail, after) => take(mail.raw, after));
    },
  },
  accountOfRecipient: baseAddress,
  listener: { source: 'email-smtp', start: startSmtpListener },
  // Headers first (RFC 5322), after an mbox "From " line or a stray line a forwarder may put before them.
  forward: { source: 'email-http', looksValid: (raw) => headersStartAt(raw) !== null },
};
