// Mail that used to vanish, on both engines: a noreply@ order is a person's mail; automated mail with no
// ticket to join is held for an admin and, released, opens a ticket; a mail without a usable From takes its
// sender from Reply-To, Sender or Return-Path, or is held as naming no sender; two different mails sharing
// one Message-ID are both kept, while the same mail arriving twice (by another way in) is kept once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { channelAdapter } from '../../src/channels/registry.js';
import type { ChannelRow } from '../../src/db/schema.js';
import { createLogger } from '../../src/lib/logger.js';
import { LocalDiskAttachmentStorage } from '../../src/modules/attachments/local-disk-storage.js';
import { insertChannel } from '../../src/modules/channels/channel.repo.js';
import type { DeliveryOutcome } from '../../src/modules/inbound/apply-inbound-events.js';
import { decideHeldMessage } from '../../src/modules/inbound/decide-held.js';
import { deliveryHandler } from '../../src/modules/inbound/handlers.js';
import { listHeld } from '../../src/modules/inbound/held-inbound.repo.js';
import { insertInboundPayload } from '../../src/modules/inbound/inbound-payload.repo.js';
import { fixtureMail, rawMail } from '../support/email.js';
import { dnsZone } from '../support/mail-authentication.js';
import { countRows, messageRow, messagesOf, ticketRow } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { useWorld } from '../support/world.js';

const SUPPORT = 'support@support.example.org';
const logger = createLogger('silent');
// No DNS answers: every sender is "unknown", which is trusted (this file is not about sender checks).
const noDns = dnsZone({});

/** A mail as rawMail writes it, without its From line. */
const withoutFrom = (raw: Buffer) => Buffer.from(raw.toString('utf8').replace(/^From: [^\r]*\r\n/, ''));

/** A mail with a PDF attached. */
function mailWithPdf(headers: string[], pdf: string): Buffer {
  return Buffer.from(
    [
      ...headers, `To: ${SUPPORT}`, 'Date: Wed, 25 Nov 2026 10:00:00 +0000', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '',
      '--b', 'Content-Type: text/plain; charset=utf-8', '', 'Thank you for your order. Your invoice is attached.', '--b',
      'Content-Type: application/pdf; name="invoice.pdf"', 'Content-Disposition: attachment; filename="invoice.pdf"', 'Content-Transfer-Encoding: base64', '',
      Buffer.from(pdf).toString('base64'), '--b--', '',
    ].join('\r\n'),
  );
}

describe.each(ENGINES)('mail that is never lost (%s)', (engine) => {
  const ctx = useWorld(engine);
  let dir = '';
  let storage: LocalDiskAttachmentStorage;
  let channel: ChannelRow;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadbox-kept-'));
    storage = new LocalDiskAttachmentStorage(dir);
    channel = await insertChannel(ctx.db.store.db, { workspaceId: ctx.world.workspaceId, kind: 'email', name: 'Support', externalId: SUPPORT, config: { address: SUPPORT } }, ctx.world.clock.now());
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Stores the mail as a way in does, and reads it as the inbound job does; what became of it. */
  async function receive(raw: Buffer, source = 'email-http'): Promise<DeliveryOutcome> {
    const id = await ctx.db.store.unit((trx) => insertInboundPayload(trx, { source, channelId: channel.id, raw }, ctx.world.clock.now()));
    return readAgain(id);
  }

  async function readAgain(id: string): Promise<DeliveryOutcome> {
    const row = await ctx.db.store.db.selectFrom('inbound_payloads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const read = deliveryHandler(channelAdapter('email'), { logger, attachments: storage, lookupsAsked: new Map(), resolveDns: noDns });
    const outcomes = await read(ctx.world.deps, row);
    expect(outcomes).toHaveLength(1);
    return outcomes[0]!;
  }

  function stored(outcome: DeliveryOutcome) {
    if (outcome.outcome !== 'stored') throw new Error(`expected the mail to be stored, got ${JSON.stringify(outcome)}`);
    return outcome;
  }

  const decide = (id: string, decision: 'released' | 'discarded') => decideHeldMessage(ctx.world.deps, { workspaceId: ctx.world.workspaceId, userId: ctx.world.agent.userId }, id, decision);
  const emailDataOf = async (messageId: string) => JSON.parse((await messageRow(ctx.db.store, messageId)).data!);

  it("an order with a PDF from a noreply@ address, with no automated signal, opens a ticket as a person's mail", async () => {
    const order = mailWithPdf(['From: Shop Orders <noreply@shop.example>', 'Subject: Your order 4471', 'Message-ID: <order-4471@shop.example>'], '%PDF-1.4 order 4471');
    const result = stored(await receive(order));
    expect(result.ticketCreated).toBe(true);
    expect(await messageRow(ctx.db.store, result.messageId)).toMatchObject({ automated: 0, body: 'Thank you for your order. Your invoice is attached.' });
    expect(await ctx.db.store.db.selectFrom('attachments').select('file_name').execute()).toEqual([{ file_name: 'invoice.pdf' }]);
  });

  it('an auto-reply from someone without an active ticket is held as automated, and released it opens a ticket', async () => {
    expect(await receive(fixtureMail('email-autoreply.eml'))).toEqual({ outcome: 'held', reason: 'automated' });
    expect(await countRows(ctx.db.store, 'tickets')).toBe(0);
    const [held] = await listHeld(ctx.db.store.db, ctx.world.workspaceId, { limit: 10 });
    expect(held).toMatchObject({ address: 'jane.customer@example.com', reason: 'automated', subject: 'Automatic reply: [#T-123] Order A-1001 not delivered', decision: null, providerMessageId: '<CAFAKE-ooo-0004@mail.example.com>' });
    expect(held!.verdict.summary).toMatch(/^Written by a machine/);
    // Read again (a retry, a redelivery): still held, recorded once.
    expect(await readAgain(held!.payloadId)).toEqual({ outcome: 'held', reason: 'automated' });
    expect(await listHeld(ctx.db.store.db, ctx.world.workspaceId, { limit: 10 })).toHaveLength(1);

    await decide(held!.id, 'released');
    const result = stored(await readAgain(held!.payloadId));
    expect(result.ticketCreated).toBe(true);
    expect(await messageRow(ctx.db.store, result.messageId)).toMatchObject({ automated: 0 });
    expect((await emailDataOf(result.messageId)).releasedFromHold).toBe('automated');
    expect(await ticketRow(ctx.db.store, result.ticketId)).toMatchObject({ status: 'open', created_by: 'customer' });
  });

  it('list mail from a no-reply address is held as automated; a newsletter a person can be answered at opens a ticket', async () => {
    const blast = rawMail({ from: 'Shop News <no-reply@shop.example>', to: SUPPORT, subject: 'Black Friday deals', headers: { 'List-Unsubscribe': '<https://shop.example/u>', Precedence: 'bulk' } });
    expect(await receive(blast)).toEqual({ outcome: 'held', reason: 'automated' });
    const letter = rawMail({ from: 'Anna Schmidt <anna@annas-letters.example>', to: SUPPORT, subject: 'My November letter', headers: { 'List-Unsubscribe': '<https://letters.example/u>', 'List-Id': '<annas-letters.example>' } });
    expect(stored(await receive(letter)).ticketCreated).toBe(true);
  });

  it('a mail without a From takes its sender from Reply-To, and says so', async () => {
    const raw = withoutFrom(rawMail({ from: 'unused@example.com', to: SUPPORT, subject: 'No from', headers: { 'Reply-To': 'Rita Reply <rita@customer.example>', Sender: 'relay@lists.example' } }));
    const result = stored(await receive(raw));
    expect(result.ticketCreated).toBe(true);
    const contact = await ctx.db.store.db.selectFrom('contact_identities').select('address').where('channel_id', '=', channel.id).execute();
    expect(contact).toEqual([{ address: 'rita@customer.example' }]);
    expect((await emailDataOf(result.messageId)).email).toMatchObject({ from: null, senderHeader: 'reply-to' });
  });

  it('an unparsable From falls back to Sender, then to the Return-Path', async () => {
    const viaSender = rawMail({ from: 'Jane Customer (no address here)', to: SUPPORT, subject: 'Unparsable', headers: { Sender: 'Jane <jane@customer.example>' } });
    const bySender = stored(await receive(viaSender));
    expect((await emailDataOf(bySender.messageId)).email.senderHeader).toBe('sender');
    const viaReturnPath = Buffer.concat([Buffer.from('Return-Path: <tom@customer.example>\r\n'), withoutFrom(rawMail({ from: 'x', to: SUPPORT, subject: 'Only an envelope' }))]);
    const byReturnPath = stored(await receive(viaReturnPath));
    expect((await emailDataOf(byReturnPath.messageId)).email.senderHeader).toBe('return-path');
    expect(byReturnPath.ticketId).not.toBe(bySender.ticketId);
  });

  it('a mail naming no usable sender is held as no_sender; it can be discarded, never released', async () => {
    const raw = Buffer.concat([Buffer.from('Return-Path: <>\r\n'), withoutFrom(rawMail({ from: 'x', to: SUPPORT, subject: 'Who sent this?', headers: { 'Reply-To': 'not an address' } }))]);
    expect(await receive(raw)).toEqual({ outcome: 'held', reason: 'no_sender' });
    const [held] = await listHeld(ctx.db.store.db, ctx.world.workspaceId, { limit: 10 });
    expect(held).toMatchObject({ address: '', reason: 'no_sender', subject: 'Who sent this?', decision: null });
    await expect(decide(held!.id, 'released')).rejects.toMatchObject({ code: 'HELD_WITHOUT_SENDER' });
    expect(await decide(held!.id, 'discarded')).toMatchObject({ decision: 'discarded' });
    expect(await countRows(ctx.db.store, 'messages')).toBe(0);
  });

  it('two different mails with one Message-ID are both kept; the first keeps the id, the second notes it shares it', async () => {
    const first = stored(await receive(rawMail({ from: 'alerts@ticketing.example', to: SUPPORT, subject: 'Incident INC-1 opened', messageId: '<notify@ticketing.example>', body: 'Incident INC-1: the API is down.' })));
    const second = stored(await receive(rawMail({ from: 'alerts@ticketing.example', to: SUPPORT, subject: 'Incident INC-2 opened', messageId: '<notify@ticketing.example>', body: 'Incident INC-2: logins fail.' })));
    expect(second.messageId).not.toBe(first.messageId);
    const messages = await messagesOf(ctx.db.store, first.ticketId);
    expect(messages.map((m) => m.body)).toEqual(['Incident INC-1: the API is down.', 'Incident INC-2: logins fail.']);
    expect((await messageRow(ctx.db.store, first.messageId)).provider_message_id).toBe('<notify@ticketing.example>');
    expect((await messageRow(ctx.db.store, second.messageId)).provider_message_id).toMatch(/^<notify@ticketing\.example>#[0-9a-f]{12}$/);
    expect((await emailDataOf(second.messageId)).sameProviderIdAs).toEqual({ messageId: first.messageId, providerMessageId: '<notify@ticketing.example>' });
    // The second arriving again is a duplicate of itself.
    expect(await receive(rawMail({ from: 'alerts@ticketing.example', to: SUPPORT, subject: 'Incident INC-2 opened', messageId: '<notify@ticketing.example>', body: 'Incident INC-2: logins fail.' }))).toMatchObject({ outcome: 'duplicate', messageId: second.messageId });
  });

  it('the same mail arriving twice, the second time by IMAP with other transport headers, is stored once', async () => {
    const mail = mailWithPdf(['From: Jane <jane@customer.example>', 'Subject: Invoice question', 'Message-ID: <same@customer.example>'], '%PDF-1.4 same');
    const first = stored(await receive(mail));
    const relayed = Buffer.concat([Buffer.from(`Return-Path: <jane@customer.example>\r\nDelivered-To: ${SUPPORT}\r\nReceived: from mx.customer.example by imap.support.example.org; Wed, 25 Nov 2026 10:00:05 +0000\r\n`), mail]);
    expect(await receive(relayed, 'email-imap')).toEqual({ outcome: 'duplicate', ticketId: first.ticketId, messageId: first.messageId });
    expect(await countRows(ctx.db.store, 'messages')).toBe(1);
  });
});
