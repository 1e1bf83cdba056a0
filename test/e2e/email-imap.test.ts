// Reading a support mailbox from a real IMAP server (Dovecot): new mail is stored once, a restart in the middle
// of a read neither loses nor re-imports mail, and a mailbox recreated under a new UIDVALIDITY is read again
// without duplicating what is already in the inbox.
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MailboxReader } from '../../src/channels/adapter.js';
import { channelAdapter } from '../../src/channels/registry.js';
import type { ChannelRow } from '../../src/db/schema.js';
import { createLogger } from '../../src/lib/logger.js';
import { LocalDiskAttachmentStorage } from '../../src/modules/attachments/local-disk-storage.js';
import { insertChannel } from '../../src/modules/channels/channel.repo.js';
import { pollMailboxes } from '../../src/modules/inbound/poll-mailboxes.js';
import { inboundHandlers } from '../../src/modules/inbound/handlers.js';
import { InboundProcessor } from '../../src/modules/inbound/process-inbound.js';
import { startDovecot, type Dovecot } from '../support/dovecot.js';
import { rawMail } from '../support/email.js';
import { countRows } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { useWorld } from '../support/world.js';

const logger = createLogger('silent');
let mailboxSequence = 0;

describe.each(ENGINES)('reading a mailbox over IMAP (%s)', (engine) => {
  const ctx = useWorld(engine);
  let dovecot: Dovecot;
  let mailbox = '';
  let channel: ChannelRow;

  beforeAll(async () => {
    dovecot = await startDovecot();
  });
  afterAll(async () => {
    await dovecot?.dispose();
  });

  const imap = async <T>(work: (client: ImapFlow) => Promise<T>): Promise<T> => {
    const client = new ImapFlow({ host: '127.0.0.1', port: dovecot.port, secure: false, auth: { user: dovecot.user, pass: dovecot.password }, logger: false });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.logout();
    }
  };
  const deliverToMailbox = (...mails: Buffer[]) => imap(async (client) => { for (const mail of mails) await client.append(mailbox, mail); });
  const mail = (n: number) => rawMail({ from: `Customer ${n} <customer${n}@example.com>`, to: dovecot.user, subject: `Question ${n}`, messageId: `<imap-${mailbox}-${n}@example.com>`, body: `Question number ${n}` });
  const payloadCount = () => countRows(ctx.db.store, 'inbound_payloads');
  const processInbound = () => new InboundProcessor(ctx.world.deps, inboundHandlers(logger, new LocalDiskAttachmentStorage(`${process.env.TMPDIR ?? '/tmp'}/threadbox-imap-attachments`)), logger).run();

  beforeEach(async () => {
    mailbox = `Support${process.pid}x${mailboxSequence++}`;
    await imap((client) => client.mailboxCreate(mailbox));
    channel = await insertChannel(
      ctx.db.store.db,
      {
        workspaceId: ctx.world.workspaceId,
        kind: 'email',
        name: 'Support',
        externalId: dovecot.user,
        config: { address: dovecot.user, imap: { host: '127.0.0.1', port: dovecot.port, secure: false, username: dovecot.user, mailbox } },
        secrets: { imapPassword: dovecot.password },
      },
      ctx.world.clock.now(),
    );
  });

  it('stores each new message once and turns it into a ticket', async () => {
    await deliverToMailbox(mail(1), mail(2));
    expect(await pollMailboxes(ctx.world.deps)).toBe(2);
    expect(await pollMailboxes(ctx.world.deps)).toBe(0);
    await deliverToMailbox(mail(3));
    expect(await pollMailboxes(ctx.world.deps)).toBe(1);
    const payloads = await ctx.db.store.db.selectFrom('inbound_payloads').select(['source', 'channel_id']).execute();
    expect(payloads).toEqual(Array.from({ length: 3 }, () => ({ source: 'email-imap', channel_id: channel.id })));
    expect(await processInbound()).toBe(3);
    // A batch is processed concurrently, so ticket numbers need not follow the mailbox order.
    const subjects = await ctx.db.store.db.selectFrom('tickets').select('subject').execute();
    expect(subjects.map((t) => t.subject).sort()).toEqual(['Question 1', 'Question 2', 'Question 3']);
  });

  it('a restart in the middle of a read, and of the IMAP server, neither loses nor re-imports mail', async () => {
    await deliverToMailbox(mail(1), mail(2), mail(3));
    // The process dies while storing the second message: the first is stored and the cursor is past it only.
    let taken = 0;
    const crashing: MailboxReader['read'] = (account, cursor, take) =>
      channelAdapter('email').mailbox!.read(account, cursor, async (raw, after) => {
        if (++taken === 2) throw new Error('process killed');
        await take(raw, after);
      });
    const errors: unknown[] = [];
    expect(await pollMailboxes(ctx.world.deps, (_id, error) => errors.push(error), crashing)).toBe(0);
    expect(errors).toHaveLength(1);
    expect(await payloadCount()).toBe(1);
    const cursor = await ctx.db.store.db.selectFrom('email_mailbox_cursors').selectAll().where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
    expect(cursor).toMatchObject({ last_uid: 1, locked_until: null, last_error: 'process killed' });

    await dovecot.stop();
    await dovecot.start();
    expect(await pollMailboxes(ctx.world.deps)).toBe(2);
    expect(await pollMailboxes(ctx.world.deps)).toBe(0);
    expect(await payloadCount()).toBe(3);
    expect(await processInbound()).toBe(3);
    const bodies = await ctx.db.store.db.selectFrom('messages').select('body').orderBy('created_at').orderBy('id').execute();
    expect(bodies.map((m) => m.body).sort()).toEqual(['Question number 1', 'Question number 2', 'Question number 3']);
  });

  it('a mailbox recreated under a new UIDVALIDITY is read again from the start, and the inbox keeps one copy of each mail', async () => {
    await deliverToMailbox(mail(1));
    expect(await pollMailboxes(ctx.world.deps)).toBe(1);
    const before = await ctx.db.store.db.selectFrom('email_mailbox_cursors').select('uid_validity').executeTakeFirstOrThrow();
    await imap(async (client) => {
      await client.mailboxDelete(mailbox);
      await client.mailboxCreate(mailbox);
    });
    await deliverToMailbox(mail(1), mail(2));
    expect(await pollMailboxes(ctx.world.deps)).toBe(2);
    const after = await ctx.db.store.db.selectFrom('email_mailbox_cursors').select('uid_validity').executeTakeFirstOrThrow();
    expect(after.uid_validity).not.toBe(before.uid_validity);
    await processInbound();
    expect(await countRows(ctx.db.store, 'messages')).toBe(2);
  });

  it('a mailbox another process is reading is left alone', async () => {
    await deliverToMailbox(mail(1));
    const now = ctx.world.clock.now();
    await ctx.db.store.db.insertInto('email_mailbox_cursors').values({ channel_id: channel.id, mailbox, uid_validity: '', last_uid: 0, locked_until: now + 60_000, last_error: null, updated_at: now }).execute();
    expect(await pollMailboxes(ctx.world.deps)).toBe(0);
    ctx.world.clock.advance(6 * 60_000);
    expect(await pollMailboxes(ctx.world.deps)).toBe(1);
  });

  it('a wrong password is reported for the channel and retried next run, with nothing stored', async () => {
    await ctx.db.store.db.updateTable('channels').set({ secrets: JSON.stringify({ imapPassword: 'wrong' }) }).where('id', '=', channel.id).execute();
    await deliverToMailbox(mail(1));
    const errors: string[] = [];
    expect(await pollMailboxes(ctx.world.deps, (id) => errors.push(id))).toBe(0);
    expect(errors).toEqual([channel.id]);
    expect(await payloadCount()).toBe(0);
    const cursor = await ctx.db.store.db.selectFrom('email_mailbox_cursors').selectAll().executeTakeFirstOrThrow();
    expect(cursor.locked_until).toBeNull();
    expect(cursor.last_error).not.toBeNull();
  });
});
