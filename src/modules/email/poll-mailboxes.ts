// Reading each email channel's IMAP mailbox: every new message is stored in the inbound queue in the same
// transaction that moves the channel's cursor past it, so a restart at any point neither loses nor re-imports
// mail. One process reads a mailbox at a time, under a lease.
import type { Kysely } from 'kysely';
import { readNewMail, type ImapSettings, type MailboxCursor } from '../../channels/email/imap-mailbox.js';
import type { ChannelRow, Database } from '../../db/schema.js';
import type { Deps } from '../deps.js';
import { emailChannelsWithMailbox, emailSecretsOf, emailSettingsOf } from './email-channel.repo.js';
import { storeChannelMail } from './receive-email.js';

const LEASE_MS = 5 * 60_000;

type Reader = typeof readNewMail;

/** Reads every configured mailbox once; returns how many messages were stored. A mailbox that fails is reported and retried next run. */
export async function pollMailboxes(deps: Pick<Deps, 'store' | 'clock'>, onError: (channelId: string, error: unknown) => void = () => undefined, read: Reader = readNewMail): Promise<number> {
  let stored = 0;
  for (const channel of await emailChannelsWithMailbox(deps.store.db)) {
    try {
      stored += await pollMailbox(deps, channel, read);
    } catch (error) {
      onError(channel.id, error);
      await deps.store.unit((trx) => releaseMailbox(trx, channel.id, deps.clock.now(), error instanceof Error ? error.message : String(error)));
    }
  }
  return stored;
}

/** Reads one channel's mailbox after its cursor; 0 when another process holds it. */
export async function pollMailbox(deps: Pick<Deps, 'store' | 'clock'>, channel: ChannelRow, read: Reader = readNewMail): Promise<number> {
  const settings = emailSettingsOf(channel);
  const password = emailSecretsOf(channel).imapPassword;
  if (!settings.imap || !password) return 0;
  const imap: ImapSettings = { ...settings.imap, password };
  const cursor = await deps.store.unit((trx) => leaseMailbox(trx, channel.id, imap.mailbox, deps.clock.now()));
  if (cursor === 'held') return 0;
  let stored = 0;
  const final = await read(imap, cursor, async (mail, after) => {
    await deps.store.unit(async (trx) => {
      await storeChannelMail(trx, 'email-imap', channel.id, mail.raw, deps.clock.now());
      await saveCursor(trx, channel.id, imap.mailbox, after, deps.clock.now(), true);
    });
    stored++;
  });
  await deps.store.unit((trx) => saveCursor(trx, channel.id, imap.mailbox, final, deps.clock.now(), false));
  return stored;
}

/** Takes the mailbox's lease and returns its cursor (null before the first read), or 'held' when another process has it. */
async function leaseMailbox(trx: Kysely<Database>, channelId: string, mailbox: string, now: number): Promise<MailboxCursor | null | 'held'> {
  await trx
    .insertInto('email_mailbox_cursors')
    .values({ channel_id: channelId, mailbox, uid_validity: '', last_uid: 0, locked_until: null, last_error: null, updated_at: now })
    .onConflict((oc) => oc.column('channel_id').doNothing())
    .execute();
  const row = await trx
    .updateTable('email_mailbox_cursors')
    .set({ locked_until: now + LEASE_MS })
    .where('channel_id', '=', channelId)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .returning(['mailbox', 'uid_validity', 'last_uid'])
    .executeTakeFirst();
  if (!row) return 'held';
  // A different mailbox, or none read yet: start from its first message.
  if (row.uid_validity === '' || row.mailbox !== mailbox) return null;
  return { uidValidity: row.uid_validity, lastUid: Number(row.last_uid) };
}

async function saveCursor(trx: Kysely<Database>, channelId: string, mailbox: string, cursor: MailboxCursor, now: number, keepLease: boolean): Promise<void> {
  await trx
    .updateTable('email_mailbox_cursors')
    .set({ mailbox, uid_validity: cursor.uidValidity, last_uid: cursor.lastUid, updated_at: now, last_error: null, ...(keepLease ? {} : { locked_until: null }) })
    .where('channel_id', '=', channelId)
    .execute();
}

async function releaseMailbox(trx: Kysely<Database>, channelId: string, now: number, error: string): Promise<void> {
  await trx.updateTable('email_mailbox_cursors').set({ locked_until: null, last_error: error.slice(0, 2000), updated_at: now }).where('channel_id', '=', channelId).execute();
}
