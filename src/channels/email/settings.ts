// An email channel's settings and secrets as its code reads them (declared in setup.ts).
import type { ChannelAccount } from '../types.js';

export interface EmailSettings {
  address: string;
  fromName?: string;
  smtp?: { host: string; port: number; secure: boolean; username?: string };
  imap?: { host: string; port: number; secure: boolean; username: string; mailbox: string; trustedAuthservIds?: string[] };
  senderVerification?: 'off' | 'mark' | 'quarantine';
  threading?: 'sender' | 'conversation';
}

export interface EmailSecrets {
  smtpPassword?: string;
  imapPassword?: string;
}

export function emailSettingsOf(account: ChannelAccount): EmailSettings {
  return { ...(account.settings as Partial<EmailSettings>), address: account.accountId };
}

export function emailSecretsOf(account: ChannelAccount): EmailSecrets {
  return account.secrets as EmailSecrets;
}
