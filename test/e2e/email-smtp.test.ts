// A real SMTP exchange both ways on 127.0.0.1: a customer's mail sent with nodemailer into our listener becomes a
// ticket; the agent's reply leaves through the outbox to a local SMTP server with threading headers; the
// customer's answer to it threads back into the same ticket. Temporary refusals are retried, permanent ones fail.
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sandboxSender } from '../../src/channels/sandbox-sender.js';
import type { SmtpListener } from '../../src/channels/email/smtp-listener.js';
import { MINUTE } from '../../src/domain/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { LocalDiskAttachmentStorage } from '../../src/modules/attachments/local-disk-storage.js';
import { emailSender } from '../../src/channels/email/sender.js';
import { channelAdapter } from '../../src/channels/registry.js';
import { startListenerIntake } from '../../src/modules/inbound/listener-intake.js';
import { senderPorts } from '../../src/modules/outbox/sender-ports.js';
import { inboundHandlers } from '../../src/modules/inbound/handlers.js';
import { InboundProcessor } from '../../src/modules/inbound/process-inbound.js';
import { deliverDueMessages } from '../../src/modules/outbox/deliver-messages.js';
import { useApi } from '../support/api.js';
import { countRows, messageRow, messagesOf } from '../support/rows.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { ENGINES } from '../support/stores.js';

const SUPPORT = 'help@brand.example';
const logger = createLogger('silent');

describe.each(ENGINES)('email over SMTP, both ways (%s)', (engine) => {
  const api = useApi(engine);
  let sink: SmtpSink;
  let listener: SmtpListener;
  let admin: string;
  let channelId: string;

  beforeEach(async () => {
    sink = await startSmtpSink();
    listener = await startListenerIntake(api.world.deps, channelAdapter('email'), { host: '127.0.0.1', port: 0, maxBytes: 64 * 1024 }, logger);
    admin = await api.signIn((await api.addUser('admin')).email);
    const created = await api.call('POST', '/api/channels', {
      cookie: admin,
      body: { kind: 'email', name: 'Brand help', settings: { address: SUPPORT, fromName: 'Brand Help', smtp: { host: '127.0.0.1', port: sink.port, secure: false } } },
    });
    expect(created.status).toBe(201);
    channelId = created.body.channel.id;
  });
  afterEach(async () => {
    await listener.close();
    await sink.close();
  });

  const customer = () => nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true });
  const processInbound = () => new InboundProcessor(api.world.deps, inboundHandlers(logger, new LocalDiskAttachmentStorage(api.attachmentsDir)), logger).run();
  const deliver = () => deliverDueMessages(api.world.deps, { byKind: { email: emailSender(senderPorts(api.world.deps, new LocalDiskAttachmentStorage(api.attachmentsDir))) }, sandbox: sandboxSender });

  it("a customer's mail becomes a ticket, the agent's reply reaches the mail server threaded, and the customer's answer threads back", async () => {
    const sent = await customer().sendMail({ from: 'Jane <jane@customer.example>', to: SUPPORT, subject: 'Order A-1001 not delivered', text: 'Where is my parcel?', messageId: '<jane-1@customer.example>' });
    expect(sent.accepted).toEqual([SUPPORT]);
    expect(await processInbound()).toBe(1);
    const list = await api.call('GET', '/api/tickets', { cookie: admin });
    expect(list.body.tickets).toHaveLength(1);
    const ticket = list.body.tickets[0];
    expect(ticket).toMatchObject({ subject: 'Order A-1001 not delivered', status: 'open' });

    const reply = await api.call('POST', `/api/tickets/${ticket.id}/replies`, { cookie: admin, body: { message: { kind: 'text', body: 'It left our warehouse today.' } } });
    expect(reply.status).toBe(201);
    expect(await deliver()).toBe(1);
    expect(sink.received).toHaveLength(1);
    const [out] = sink.received;
    expect(out!.recipients).toEqual(['jane@customer.example']);
    const ourMail = await simpleParser(out!.raw);
    const stored = await messageRow(api.db.store, reply.body.message.id);
    expect(stored).toMatchObject({ status: 'sent', provider_message_id: ourMail.messageId });
    expect(ourMail.messageId).toMatch(new RegExp(`^<t-${ticket.number}\\.m-${stored.id}@brand\\.example>$`));
    expect(ourMail.inReplyTo).toBe('<jane-1@customer.example>');
    expect(ourMail.references).toBe('<jane-1@customer.example>');
    expect(ourMail.subject).toBe(`Re: [#${ticket.number}] Order A-1001 not delivered`);
    expect(ourMail.from?.value).toEqual([{ address: SUPPORT, name: 'Brand Help' }]);
    expect(ourMail.replyTo?.value[0]?.address).toMatch(new RegExp(`^help\\+t-${ticket.number}\\.[0-9a-f]{8}@brand\\.example$`));
    expect(out!.mailFrom).toBe(`help+b-${stored.id}@brand.example`);
    expect(ourMail.headers.get('auto-submitted')).toBeUndefined();
    expect(ourMail.text?.trim()).toBe('It left our warehouse today.');
    expect(ourMail.html).toContain('<p>It left our warehouse today.</p>');

    // The customer answers our mail from another client, to the reply address, quoting our Message-ID.
    await customer().sendMail({
      from: 'jane@customer.example',
      to: ourMail.replyTo!.value[0]!.address,
      subject: `Re: ${ourMail.subject}`,
      inReplyTo: ourMail.messageId,
      references: [ourMail.messageId!],
      text: `Thanks!\n\nOn Wed, Brand Help wrote:\n> It left our warehouse today.`,
    });
    expect(await processInbound()).toBe(1);
    const messages = await messagesOf(api.db.store, ticket.id);
    expect(messages.map((m) => [m.direction, m.body])).toEqual([
      ['inbound', 'Where is my parcel?'],
      ['outbound', 'It left our warehouse today.'],
      ['inbound', 'Thanks!'],
    ]);
    expect(await countRows(api.db.store, 'tickets')).toBe(1);

    // Our second reply chains the whole thread.
    await api.call('POST', `/api/tickets/${ticket.id}/replies`, { cookie: admin, body: { message: { kind: 'text', body: 'Glad to help.' } } });
    await deliver();
    const second = await simpleParser(sink.received[1]!.raw);
    expect(second.inReplyTo).toBe(messages[2]!.provider_message_id);
    expect(second.references).toEqual(['<jane-1@customer.example>', ourMail.messageId, messages[2]!.provider_message_id]);
    expect(second.subject).toBe(`Re: [#${ticket.number}] Order A-1001 not delivered`);
  });

  it('the first mail of an agent-created ticket carries the subject the agent chose, and no Re:', async () => {
    const started = await api.call('POST', '/api/tickets', { cookie: admin, body: { channelId, contact: { address: 'bo@customer.example' }, message: { kind: 'text', body: 'Your refund is on its way.', subject: 'Your refund' } } });
    expect(started.status).toBe(201);
    await deliver();
    const mail = await simpleParser(sink.received[0]!.raw);
    expect(mail.subject).toBe(`[#${started.body.ticket.number}] Your refund`);
    expect(mail.inReplyTo).toBeUndefined();
    expect(mail.references).toBeUndefined();
  });

  it('mail for an address that is not ours is refused during the SMTP exchange, and nothing is stored', async () => {
    await expect(customer().sendMail({ from: 'jane@customer.example', to: 'someone@else.example', subject: 'Hi', text: 'Hello' })).rejects.toMatchObject({ responseCode: 550 });
    expect(await countRows(api.db.store, 'inbound_payloads')).toBe(0);
  });

  it('plus-addressed mail for our address is accepted', async () => {
    const sent = await customer().sendMail({ from: 'jane@customer.example', to: 'help+anything@brand.example', subject: 'Hi', text: 'Hello' });
    expect(sent.accepted).toEqual(['help+anything@brand.example']);
    expect(await countRows(api.db.store, 'inbound_payloads')).toBe(1);
  });

  it('mail over the size limit is refused with 552, and nothing is stored', async () => {
    await expect(customer().sendMail({ from: 'jane@customer.example', to: SUPPORT, subject: 'Big', text: 'x'.repeat(100 * 1024) })).rejects.toMatchObject({ responseCode: 552 });
    expect(await countRows(api.db.store, 'inbound_payloads')).toBe(0);
  });

  it('a temporary refusal (4xx) is retried later; a permanent one (5xx) fails the message with the reason', async () => {
    const started = await api.call('POST', '/api/tickets', { cookie: admin, body: { channelId, contact: { address: 'bo@customer.example' }, message: { kind: 'text', body: 'Hello Bo', subject: 'Hello' } } });
    const messageId = started.body.message.id;
    sink.failNext(451, 'Greylisted, try again later');
    await deliver();
    expect(await messageRow(api.db.store, messageId)).toMatchObject({ status: 'queued' });
    const outbox = await api.db.store.db.selectFrom('outbox').selectAll().where('message_id', '=', messageId).executeTakeFirstOrThrow();
    expect(outbox.last_error).toMatch(/^SMTP_451: /);
    expect(outbox.done_at).toBeNull();
    api.world.clock.advance(10 * MINUTE);
    sink.failNext(550, 'Mailbox unavailable');
    await deliver();
    expect(await messageRow(api.db.store, messageId)).toMatchObject({ status: 'failed', error_code: 'SMTP_550' });
    expect((await messageRow(api.db.store, messageId)).error_message).toContain('Mailbox unavailable');
    expect(sink.received).toHaveLength(0);
  });
});
