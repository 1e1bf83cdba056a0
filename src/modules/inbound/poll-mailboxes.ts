// Reading each channel's mailbox (mail's IMAP): every new message is stored in the inbound queue in the same
// transaction that moves the channel's cursor past it, so a restart at any point neither loses nor re-imports
// mail. One process reads a mailbox at a time, under a lease.
import type { Kysely } from 'kysely';
import type { ChannelAdapter, MailboxCursor, MailboxReader } from '../../channels/adapter.js';
import { channelAdapters } from '../../channels/registry.js';
import type { ChannelRow, Database } from '../../db/schema.js';
import { channelAccount } from '../channels/channel.repo.js';
import type { Deps } from '../deps.js';
import { storeChannelDelivery } from './receive-mail.js';

const LEASE_MS = 5 * 60_000;

/**
 * Reads every configured mailbox once; returns how many messages were stored. A mailbox that fails is
 * reported and retried next run. `read` replaces the adapters' own readers (tests crash it mid-read).
 */
export async function pollMailboxes(deps: Pick<Deps, 'store' | 'clock'>, onError: (channelId: string, error: unknown) => void = () => undefined, read?: MailboxReader['read']): Promise<number> {
  let stored = 0;
  for (const adapter of channelAdapters) {
    const { mailbox } = adapter;
    if (!mailbox) continue;
    for (const channel of await channelsWithMailbox(deps.store.db, adapter, mailbox)) {
      try {
        stored += await pollMailbox(deps, mailbox, channel, read ?? mailbox.read);
      } catch (error) {
        onError(channel.id, error);
        await deps.store.unit((trx) => releaseMailbox(trx, channel.id, deps.clock.now(), error instanceof Error ? error.message : String(error)));
      }
    }
  }
  return stored;
}

/** Switched-on, live channels of the adapter's kind with a mailbox to read. */
async function channelsWithMailbox(db: Kysely<Database>, adapter: ChannelAdapter, mailbox: MailboxReader): Promise<ChannelRow[]> {
  const rows = await db.selectFrom('channels').selectAll().where('kind', '=', adapter.kind).where('enabled', '=', 1).where('sandbox', '=', 0).orderBy('id').execute();
  return rows.filter((row) => mailbox.mailboxOf(channelAccount(row)) !== null);
}

/** Reads one channel's mailbox after its cursor; 0 when another process holds it. */
async function pollMailbox(deps: Pick<Deps, 'store' | 'clock'>, mailbox: MailboxReader, channel: ChannelRow, read: MailboxReader['read']): Promise<number> {
  const account = channelAccount(channel);
  const name = mailbox.mailboxOf(account);
  if (name === null) return 0;
  const cursor = await deps.store.unit((trx) => leaseMailbox(trx, channel.id, name, deps.clock.now()));
  if (cursor === 'held') return 0;
  let stored = 0;
  const final = await read(account, cursor, async (raw, after) => {
    await deps.store.unit(async (trx) => {
      await storeChannelDelivery(trx, mailbox.source, channel.id, raw, deps.clock.now());
      await saveCursor(trx, channel.id, name, after, deps.clock.now(), true);
    });
    stored++;
  });
  await deps.store.unit((trx) => saveCursor(trx, channel.id, name, final, deps.clock.now(), false));
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
