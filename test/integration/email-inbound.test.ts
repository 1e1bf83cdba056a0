// Mail into tickets on both engines: the fixtures, threading by token and references (never into someone else's
// ticket), closed threads continued in linked tickets, auto-replies, bounces, loops, duplicates, attachments.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { replyAddress } from '../../src/channels/email/threading-keys.js';
import type { ChannelRow } from '../../src/db/schema.js';
import { LocalDiskAttachmentStorage } from '../../src/modules/attachments/local-disk-storage.js';
import { insertChannel } from '../../src/modules/channels/channel.repo.js';
import { channelAdapter } from '../../src/channels/registry.js';
import { deliveryHandler } from '../../src/modules/inbound/handlers.js';
import type { DeliveryOutcome } from '../../src/modules/inbound/apply-inbound-events.js';
import { createLogger } from '../../src/lib/logger.js';
import { replyToTicket } from '../../src/modules/messages/reply-to-ticket.js';
import { closeTicket } from '../../src/modules/tickets/ticket-actions.js';
import { fixtureMail, rawMail } from '../support/email.js';
import { countRows, messageRow, messagesOf, ticketRow } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { useWorld } from '../support/world.js';

const SUPPORT = 'support@support.example.org';
const logger = createLogger('silent');
const JANE = 'Jane Customer <jane.customer@example.com>';

describe.each(ENGINES)('email into tickets (%s)', (engine) => {
  const ctx = useWorld(engine);
  let dir = '';
  let storage: LocalDiskAttachmentStorage;
  let channel: ChannelRow;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadbox-email-'));
    storage = new LocalDiskAttachmentStorage(dir);
    channel = await insertChannel(ctx.db.store.db, { workspaceId: ctx.world.workspaceId, kind: 'email', name: 'Support', externalId: SUPPORT, config: { address: SUPPORT } }, ctx.world.clock.now());
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** What became of one mail delivered over HTTP to the channel. */
  const receive = async (raw: Buffer) => {
    const read = deliveryHandler(channelAdapter('email'), { logger, attachments: storage, lookupsAsked: new Map() });
    const outcomes = await read(ctx.world.deps, { id: 'delivery', source: 'email-http', channel_id: channel.id, raw, signature: null, received_at: ctx.world.clock.now(), attempts: 0, locked_until: null });
    expect(outcomes).toHaveLength(1);
    return outcomes[0]!;
  };
  const storedIn = (outcome: DeliveryOutcome) => {
    if (outcome.outcome !== 'stored') throw new Error(`expected the mail to be stored, got ${JSON.stringify(outcome)}`);
    return outcome;
  };

  /** Jane writes in, and an agent answers with a mail whose Message-ID is `ourMessageId`. */
  async function conversation(ourMessageId: string, from = JANE) {
    const first = storedIn(await receive(rawMail({ from, to: SUPPORT, subject: 'Order A-1001 not delivered', messageId: '<CAFAKE-original-0001@mail.example.com>' })));
    ctx.world.clock.advance(60_000);
    const reply = await replyToTicket(ctx.world.deps, ctx.world.agent, first.ticketId, { message: { kind: 'text', body: 'Your parcel left our warehouse today.' } });
    await ctx.db.store.db.updateTable('messages').set({ status: 'sent', provider_message_id: ourMessageId }).where('id', '=', reply.message.id).execute();
    ctx.world.clock.advance(60_000);
    return { ticketId: first.ticketId, replyId: reply.message.id };
  }

  it("a new customer's mail opens a ticket with its subject, the new text apart from the quote, and safe HTML", async () => {
    const result = storedIn(await receive(fixtureMail('email-reply.eml')));
    expect(result.ticketCreated).toBe(true);
    const ticket = await ticketRow(ctx.db.store, result.ticketId);
    expect(ticket).toMatchObject({ subject: 'Re: [#T-123] Order A-1001 not delivered', created_by: 'customer', status: 'open' });
    const message = await messageRow(ctx.db.store, result.messageId);
    expect(message.body).toBe('Thanks, the tracking link works now. One more question: can I change the delivery address to Café Street 5?\n\nJane');
    expect(message.html).not.toMatch(/<script|\ssrc="https/);
    expect(message.provider_message_id).toBe('<CAFAKE-reply-0003@mail.example.com>');
    const data = JSON.parse(message.data!);
    expect(data.email.quotedText).toContain('> Your parcel left our warehouse today.');
    expect(data.email.references).toEqual(['<CAFAKE-original-0001@mail.example.com>', '<t-123.m-456.1735810000@support.example.org>']);
  });

  it("an HTML-only reply becomes a message whose body holds the customer's new words, not the quote", async () => {
    const result = storedIn(await receive(fixtureMail('email-html-only-reply.eml')));
    const message = await messageRow(ctx.db.store, result.messageId);
    expect(message.body).toBe('The parcel still has not arrived. Could you send it to Café Street 5 instead?\nThe tracking page [https://track.example.net/A-1001] shows no update since Monday.\n\nJane');
    expect(message.body).not.toContain('Your parcel left our warehouse today.');
    expect(message.html).toContain('Café Street 5');
    expect(JSON.parse(message.data!).email.quotedText).toContain('> Your parcel left our warehouse today.');
  });

  it('a forwarded mail is kept as <subject>.eml, unnamed images by their type, and extra HTML parts as files', async () => {
    const forwarded = storedIn(await receive(fixtureMail('email-forwarded-message.eml')));
    const apple = storedIn(await receive(fixtureMail('email-apple-mail-html-parts.eml')));
    const namesOf = async (messageId: string) =>
      (await ctx.db.store.db.selectFrom('attachments').select('file_name').where('message_id', '=', messageId).orderBy('file_name').execute()).map((r) => r.file_name);
    expect(await namesOf(forwarded.messageId)).toEqual(['Invoice 12 2026 overdue.eml', 'forwarded-message.eml', 'image-1.jpeg', 'image-2.png']);
    expect(await namesOf(apple.messageId)).toEqual(['box.pdf', 'label.pdf', 'part-2.html', 'part-3.html']);
    expect((await messageRow(ctx.db.store, apple.messageId)).html).not.toContain('And the label:');
  });

  it('email-reply.eml threads into the ticket holding the message it answers', async () => {
    const { ticketId } = await conversation('<t-123.m-456.1735810000@support.example.org>');
    const result = storedIn(await receive(fixtureMail('email-reply.eml')));
    expect(result).toMatchObject({ ticketId, ticketCreated: false });
    expect((await ticketRow(ctx.db.store, ticketId)).status).toBe('open');
  });

  it('an Outlook-style reply without our token, from a colleague the customer copied, threads by References into the customer\'s ticket', async () => {
    const first = storedIn(await receive(rawMail({ from: JANE, to: SUPPORT, cc: 'Tom <tom@example.com>', subject: 'Order A-1001', messageId: '<jane-1@example.com>' })));
    ctx.world.clock.advance(60_000);
    const outlook = rawMail({ from: 'Tom <tom@example.com>', to: SUPPORT, subject: 'RE: Order A-1001', messageId: '<tom-1@example.com>', references: '<jane-1@example.com>', headers: { 'Thread-Index': 'AQHZ' } });
    const result = storedIn(await receive(outlook));
    expect(result).toMatchObject({ ticketId: first.ticketId, ticketCreated: false });
    expect(JSON.parse((await messageRow(ctx.db.store, result.messageId)).data!).email.from.address).toBe('tom@example.com');
  });

  it("a different sender quoting the same Message-ID never lands in another customer's ticket", async () => {
    const { ticketId } = await conversation('<t-1.m-1@support.example.org>');
    const stranger = rawMail({ from: 'Mallory <mallory@evil.example>', to: SUPPORT, subject: 'Re: [#1] Order A-1001 not delivered', inReplyTo: '<t-1.m-1@support.example.org>', references: '<CAFAKE-original-0001@mail.example.com> <t-1.m-1@support.example.org>' });
    const result = storedIn(await receive(stranger));
    expect(result.ticketId).not.toBe(ticketId);
    expect(result.ticketCreated).toBe(true);
    expect(await messagesOf(ctx.db.store, ticketId)).toHaveLength(2);
  });

  it("a stranger writing to another ticket's reply address is not let in, even with the right token", async () => {
    const { ticketId } = await conversation('<t-1.m-1@support.example.org>');
    const ticket = await ticketRow(ctx.db.store, ticketId);
    const result = storedIn(await receive(rawMail({ from: 'mallory@evil.example', to: replyAddress(SUPPORT, ticket), subject: 'Hello' })));
    expect(result.ticketId).not.toBe(ticketId);
  });

  it('a reply to a closed ticket, by reply address, opens a new ticket linked to the closed one', async () => {
    const { ticketId } = await conversation('<t-1.m-1@support.example.org>');
    await closeTicket(ctx.world.deps, ctx.world.agent, ticketId);
    const ticket = await ticketRow(ctx.db.store, ticketId);
    const result = storedIn(await receive(rawMail({ from: JANE, to: `Support <${replyAddress(SUPPORT, ticket)}>`, subject: 'Re: [#1] Order A-1001 not delivered', body: 'It arrived broken.' })));
    expect(result.ticketCreated).toBe(true);
    const next = await ticketRow(ctx.db.store, result.ticketId);
    expect(next).toMatchObject({ previous_ticket_id: ticketId, status: 'open' });
    const created = await ctx.db.store.db.selectFrom('ticket_events').select('data').where('ticket_id', '=', result.ticketId).where('type', '=', 'ticket.created').executeTakeFirstOrThrow();
    expect(JSON.parse(created.data!)).toEqual({ createdBy: 'customer', previousTicketId: ticketId });
  });

  it('a mail with no thread signal from a customer with an active ticket joins that ticket', async () => {
    const { ticketId } = await conversation('<t-1.m-1@support.example.org>');
    const result = storedIn(await receive(rawMail({ from: 'jane.customer@example.com', to: SUPPORT, subject: 'Another thing' })));
    expect(result).toMatchObject({ ticketId, ticketCreated: false });
  });

  it('an out-of-office reply is recorded in its ticket but is not customer activity, and never opens a ticket by itself', async () => {
    // With no ticket to join it is held for an admin (email-nothing-lost.test.ts), not lost.
    expect(await receive(fixtureMail('email-autoreply.eml'))).toEqual({ outcome: 'held', reason: 'automated' });
    expect(await countRows(ctx.db.store, 'tickets')).toBe(0);

    const { ticketId } = await conversation('<t-123.m-457.1735815000@support.example.org>');
    const before = await ticketRow(ctx.db.store, ticketId);
    const result = storedIn(await receive(fixtureMail('email-autoreply.eml')));
    expect(result).toMatchObject({ ticketId, ticketCreated: false });
    expect(await messageRow(ctx.db.store, result.messageId)).toMatchObject({ automated: 1 });
    const after = await ticketRow(ctx.db.store, ticketId);
    expect(after).toMatchObject({ last_message_direction: 'outbound', last_inbound_at: before.last_inbound_at, last_activity_at: before.last_activity_at, status: before.status });
  });

  it('a bounce marks the outbound message it returns as failed, with the reason', async () => {
    const { ticketId, replyId } = await conversation('<t-123.m-458.1735819198@support.example.org>');
    expect(await receive(fixtureMail('email-bounce.eml'))).toEqual({ outcome: 'bounce_recorded' });
    expect(await messageRow(ctx.db.store, replyId)).toMatchObject({ status: 'failed', error_code: 'EMAIL_BOUNCED_5.1.1', error_message: 'The mail could not be delivered to nobody@example.net: 550 5.1.1 User unknown.' });
    expect(await messagesOf(ctx.db.store, ticketId)).toHaveLength(2);
    const failed = await ctx.db.store.db.selectFrom('ticket_events').select('type').where('ticket_id', '=', ticketId).where('type', '=', 'message.failed').execute();
    expect(failed).toHaveLength(1);
  });

  it('a bounce to our VERP address marks the message it names as failed', async () => {
    const { replyId } = await conversation('<t-1.m-1@support.example.org>');
    const bounce = fixtureMail('email-bounce.eml').toString('utf8').replace('To: bounces+t-123.m-458@support.example.org', `To: support+b-${replyId}@support.example.org`).replace(/Message-ID: <t-123\.m-458[^>]*>/, 'Message-ID: <unknown@elsewhere.example>');
    expect(await receive(Buffer.from(bounce))).toEqual({ outcome: 'bounce_recorded' });
    expect((await messageRow(ctx.db.store, replyId)).status).toBe('failed');
  });

  it('our own mail coming back (our X-Loop marker, or from the support address) is dropped', async () => {
    expect(await receive(rawMail({ from: 'jane@example.com', to: SUPPORT, headers: { 'X-Loop': SUPPORT } }))).toEqual({ outcome: 'ignored', reason: 'own_mail' });
    expect(await receive(rawMail({ from: `Support <${SUPPORT}>`, to: 'jane@example.com' }))).toEqual({ outcome: 'ignored', reason: 'own_mail' });
    expect(await countRows(ctx.db.store, 'messages')).toBe(0);
  });

  it('the same mail delivered twice is stored once, and its attachments once', async () => {
    const raw = Buffer.from(
      [
        'From: jane@example.com', `To: ${SUPPORT}`, 'Subject: Invoice', 'Message-ID: <twice@example.com>', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '',
        '--b', 'Content-Type: text/plain', '', 'See attached.', '--b', 'Content-Type: application/pdf; name="invoice.pdf"', 'Content-Disposition: attachment; filename="invoice.pdf"', 'Content-Transfer-Encoding: base64', '',
        Buffer.from('%PDF-1.4 invoice').toString('base64'), '--b--', '',
      ].join('\r\n'),
    );
    const first = storedIn(await receive(raw));
    expect(await receive(raw)).toEqual({ outcome: 'duplicate', ticketId: first.ticketId, messageId: first.messageId });
    const rows = await ctx.db.store.db.selectFrom('attachments').selectAll().execute();
    expect(rows).toMatchObject([{ file_name: 'invoice.pdf', content_type: 'application/pdf', size_bytes: 16, message_id: first.messageId, uploaded_by_user_id: null }]);
    expect(fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())).toHaveLength(1);
    const [attachment] = JSON.parse((await messageRow(ctx.db.store, first.messageId)).attachments!);
    expect(attachment).toMatchObject({ attachmentId: rows[0]!.id, fileName: 'invoice.pdf', inline: false });
  });
});
