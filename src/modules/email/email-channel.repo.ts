// Email channels as the mail paths find them: by the address mail was sent to, and their settings.
import type { Kysely } from 'kysely';
import { baseAddress } from '../../channels/email/threading-keys.js';
import type { ChannelRow, Database } from '../../db/schema.js';
import { fromJson } from '../../lib/json.js';

/** The settings an email channel is configured with (see channels/email/setup.ts). */
export interface EmailSettings {
  address: string;
  fromName?: string;
  smtp?: { host: string; port: number; secure: boolean; username?: string };
  imap?: { host: string; port: number; secure: boolean; username: string; mailbox: string };
}

export interface EmailSecrets {
  smtpPassword?: string;
  imapPassword?: string;
}

export function emailSettingsOf(channel: ChannelRow): EmailSettings {
  return { ...fromJson<Partial<EmailSettings>>(channel.config), address: channel.external_id };
}

export function emailSecretsOf(channel: ChannelRow): EmailSecrets {
  return fromJson<EmailSecrets>(channel.secrets) ?? {};
}

/** The switched-on email channel a recipient address (sub-addresses included) belongs to. */
export async function findEmailChannelForRecipient(db: Kysely<Database>, recipient: string): Promise<ChannelRow | undefined> {
  const address = baseAddress(recipient);
  if (!address) return undefined;
  return db.selectFrom('channels').selectAll().where('kind', '=', 'email').where('external_id', '=', address).where('enabled', '=', 1).executeTakeFirst();
}

/** Switched-on, live email channels with a mailbox to read. */
export async function emailChannelsWithMailbox(db: Kysely<Database>): Promise<ChannelRow[]> {
  const rows = await db.selectFrom('channels').selectAll().where('kind', '=', 'email').where('enabled', '=', 1).where('sandbox', '=', 0).orderBy('id').execute();
  return rows.filter((row) => emailSettingsOf(row).imap !== undefined && emailSecretsOf(row).imapPassword);
}
