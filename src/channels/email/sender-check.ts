// Checking who really sent a mail, as the channel's settings ask: mail we received ourselves (our SMTP
// listener, an HTTP forward) is checked with SPF, DKIM and DMARC; mail fetched over IMAP carries the
// receiving server's Authentication-Results, which is read instead.
import type { ChannelAccount } from '../types.js';
import type { DnsResolver, SenderCheck, StoredDelivery } from '../adapter.js';
import { authenticateSender, verdictFromAuthenticationResults, type DnsResolver as MailauthResolver } from './sender-authentication.js';
import { fromFirstHeader } from './message-start.js';
import { emailSettingsOf } from './settings.js';
import { senderVerificationOf } from './setup.js';

const NO_ENVELOPE = { clientIp: null, helo: null, mailFrom: null };

export async function checkEmailSender(delivery: StoredDelivery, account: ChannelAccount, options: { resolveDns?: DnsResolver }): Promise<SenderCheck | null> {
  const mode = senderVerificationOf(account.settings);
  if (mode === 'off') return null;
  // An mbox "From " line or a stray line before the headers is no part of what the sender signed.
  const message = fromFirstHeader(delivery.raw);
  const verdict =
    delivery.source === 'email-imap'
      ? verdictFromAuthenticationResults(message, emailSettingsOf(account).imap?.trustedAuthservIds ?? [])
      : await authenticateSender(message, delivery.envelope ?? NO_ENVELOPE, options.resolveDns ? { resolver: options.resolveDns as MailauthResolver } : {});
  const { verdict: authenticity, summary, ...details } = verdict;
  return { authenticity, mode, summary, details };
}
