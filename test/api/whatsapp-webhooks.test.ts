// WhatsApp webhooks over real HTTP on both engines: the handshake, signatures over the raw bytes,
// bad input refused with nothing stored, messages of every kind threaded into tickets, receipts that
// only move forward, reactions, duplicates, and batches.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inboundMessage, inboundText, newWamid, statusUpdate } from '../../src/channels/whatsapp/fake-graph/index.js';
import { HOUR } from '../../src/domain/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { deliverDueMessages } from '../../src/modules/outbox/deliver-messages.js';
import { sandboxSender } from '../../src/channels/sandbox-sender.js';
import { startTicket } from '../../src/modules/messages/start-ticket.js';
import { useApi } from '../support/api.js';
import { countRows, messagesOf, ticketsOfContact } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { APP_SECRET, BUSINESS_NUMBER, connectWhatsapp, PHONE_NUMBER_ID, postWhatsapp, processInbound, VERIFY_TOKEN } from '../support/whatsapp.js';

const fixture = (name: string) => fs.readFileSync(path.resolve(import.meta.dirname, '../fixtures/channels', name));
const FIXTURE_SIGNATURE = 'sha256=a1f33f0afe352f6ebb4ff67c910f6372dcd22ee0f9f4767a8dc0d721b4129b0a';

let waSequence = 0;
const newWaId = () => `1555${String(7_000_000 + waSequence++).padStart(7, '0')}`;

describe.each(ENGINES)('WhatsApp webhooks (%s)', (engine) => {
  const api = useApi(engine);
  const seconds = () => Math.floor(api.world.clock.now() / 1000);
  const text = (waId: string, body: string, extra: { id?: string; timestampSec?: number; name?: string } = {}) =>
    inboundText({ ...BUSINESS_NUMBER, waId, name: extra.name ?? 'Ana', text: body, timestampSec: extra.timestampSec ?? seconds(), ...(extra.id ? { id: extra.id } : {}) });

  async function ticketsOf(waId: string) {
    const identity = await api.db.store.db.selectFrom('contact_identities').select('contact_id').where('address', '=', waId).executeTakeFirstOrThrow();
    return ticketsOfContact(api.db.store, identity.contact_id);
  }

  it('answers Meta\'s verification handshake only for a configured verify token', async () => {
    await connectWhatsapp(api);
    const handshake = (token: string, mode = 'subscribe') => fetch(`${api.url}/webhooks/whatsapp?hub.mode=${mode}&hub.challenge=1158201444&hub.verify_token=${token}`);
    const ok = await handshake(VERIFY_TOKEN);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    expect((await handshake('tbv_wrong')).status).toBe(403);
    expect((await handshake(VERIFY_TOKEN, 'unsubscribe')).status).toBe(403);
  });

  it('stores the fixture verified over its exact bytes and threads it into a new customer ticket', async () => {
    await connectWhatsapp(api);
    const response = await postWhatsapp(api, fixture('whatsapp-text.json'), { signature: FIXTURE_SIGNATURE });
    expect(response.status).toBe(200);
    expect(await countRows(api.db.store, 'inbound_payloads')).toBe(1);
    expect(await processInbound(api)).toBe(1);
    const [ticket] = await ticketsOf('15559990001');
    expect(ticket).toMatchObject({ created_by: 'customer', status: 'open', last_customer_sent_at: 1735689600_000 });
    const [message] = await messagesOf(api.db.store, ticket!.id);
    expect(message).toMatchObject({ body: 'Hi, my order #A-1001 has not arrived yet. Café olé 👋', provider_message_id: 'wamid.FAKE_INBOUND_TEXT_0001', direction: 'inbound' });
    const identity = await api.db.store.db.selectFrom('contact_identities').selectAll().where('address', '=', '15559990001').executeTakeFirstOrThrow();
    expect(identity.display_name).toBe('Test Customer');
  });

  it('a missing or wrong signature, or a body re-serialized from parsed JSON, answers 401 and stores nothing', async () => {
    await connectWhatsapp(api);
    const raw = fixture('whatsapp-text.json');
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8'))));
    for (const [body, signature] of [
      [raw, null],
      [raw, 'sha256=' + '0'.repeat(64)],
      [raw, 'sha1=abcdef'],
      [reserialized, FIXTURE_SIGNATURE],
    ] as const) {
      const response = await postWhatsapp(api, body, { signature });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('INVALID_SIGNATURE');
    }
    const otherSecret = await postWhatsapp(api, text(newWaId(), 'hi'), { secret: 'some other app secret' });
    expect(otherSecret.status).toBe(401);
    expect(await countRows(api.db.store, 'inbound_payloads')).toBe(0);
  });

  it('malformed JSON, another object, a wrong content type and an oversized body are refused with a code, storing nothing', async () => {
    await connectWhatsapp(api);
    const malformed = await postWhatsapp(api, '{"object": "whatsapp_business_account", ');
    expect(malformed).toMatchObject({ status: 400, body: { error: { code: 'INVALID_JSON' } } });
    const instagram = await postWhatsapp(api, { object: 'instagram', entry: [] } as never);
    expect(instagram).toMatchObject({ status: 400, body: { error: { code: 'UNSUPPORTED_OBJECT' } } });
    const form = await fetch(`${api.url}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(form.status).toBe(400);
    const huge = Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', padding: 'x'.repeat(5 * 1024 * 1024) }));
    const oversized = await postWhatsapp(api, huge);
    expect(oversized.status).toBe(400);
    expect(oversized.body.error.code).toBe('BODY_TOO_LARGE');
    expect(await countRows(api.db.store, 'inbound_payloads')).toBe(0);
  });

  it('an app secret an admin replaces applies to the very next webhook, and a number connected after a dropped body is found at once', async () => {
    const unknown = () => postWhatsapp(api, text(newWaId(), 'before the channel existed'));
    expect(await unknown()).toMatchObject({ status: 200, body: { received: false } });
    const channel = await connectWhatsapp(api);
    expect(await postWhatsapp(api, text(newWaId(), 'first'))).toMatchObject({ status: 200, body: { received: true } });

    const cookie = await api.signIn((await api.addUser('admin')).email);
    const replaced = await api.call('PATCH', `/api/channels/${channel.id}`, { cookie, body: { secrets: { appSecret: 'a_freshly_rotated_app_secret' } } });
    expect(replaced.status).toBe(200);
    expect(await postWhatsapp(api, text(newWaId(), 'old secret'))).toMatchObject({ status: 401, body: { error: { code: 'INVALID_SIGNATURE' } } });
    expect(await postWhatsapp(api, text(newWaId(), 'new secret'), { secret: 'a_freshly_rotated_app_secret' })).toMatchObject({ status: 200, body: { received: true } });
    expect(await countRows(api.db.store, 'inbound_payloads')).toBe(2);
  });

  it('a body for a number no channel connects is acknowledged and dropped', async () => {
    await connectWhatsapp(api);
    const response = await postWhatsapp(api, inboundText({ ...BUSINESS_NUMBER, phoneNumberId: '999999999999', waId: newWaId(), name: 'X', text: 'hi', timestampSec: seconds() }));
    expect(response).toMatchObject({ status: 200, body: { received: false } });
    expect(await countRows(api.db.store, 'inbound_payloads')).toBe(0);
  });

  it('a first message creates a customer ticket, a second threads into it, and after close a third starts a new ticket', async () => {
    await connectWhatsapp(api);
    const waId = newWaId();
    await postWhatsapp(api, text(waId, 'first'));
    await postWhatsapp(api, text(waId, 'second'));
    await processInbound(api);
    const [ticket] = await ticketsOf(waId);
    expect((await messagesOf(api.db.store, ticket!.id)).map((m) => m.body)).toEqual(['first', 'second']);
    const cookie = await api.signIn((await api.addUser('agent')).email);
    expect((await api.call('POST', `/api/tickets/${ticket!.id}/close`, { cookie, body: {} })).status).toBe(200);
    await postWhatsapp(api, text(waId, 'third'));
    await processInbound(api);
    const tickets = await ticketsOf(waId);
    expect(tickets.map((t) => t.status)).toEqual(['closed', 'open']);
    expect((await messagesOf(api.db.store, tickets[1]!.id)).map((m) => m.body)).toEqual(['third']);
  });

  it('200 deliveries posted concurrently for 20 new contacts, each delivered twice, give 20 tickets and 200 messages', async () => {
    await connectWhatsapp(api);
    const contacts = Array.from({ length: 20 }, newWaId);
    const payloads = contacts.flatMap((waId) => Array.from({ length: 10 }, (_, i) => text(waId, `message ${i}`, { id: newWamid(waId) })));
    const responses = await Promise.all([...payloads, ...payloads].map((payload) => postWhatsapp(api, payload)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    await processInbound(api);
    expect(await countRows(api.db.store, 'tickets')).toBe(20);
    expect(await countRows(api.db.store, 'messages')).toBe(200);
    const pending = await api.db.store.db.selectFrom('inbound_payloads').select('id').where('processed_at', 'is', null).execute();
    expect(pending).toEqual([]);
  });

  it('an image without a media id in a batch is kept as unreadable, an unknown type as unsupported; the rest of the batch is stored', async () => {
    await connectWhatsapp(api);
    const waId = newWaId();
    const batch = inboundMessage({ ...BUSINESS_NUMBER, waId, name: 'Ana', timestampSec: seconds(), message: { type: 'image', image: {} } });
    const value = batch.entry[0]!.changes[0]!.value as { messages: unknown[] };
    value.messages.push({ from: waId, id: newWamid(), timestamp: String(seconds()), type: 'text', text: { body: 'and a text' } });
    value.messages.push({ from: waId, id: newWamid(), timestamp: String(seconds()), type: 'poll_creation', poll_creation: {} });
    await postWhatsapp(api, batch);
    await processInbound(api);
    const [ticket] = await ticketsOf(waId);
    expect((await messagesOf(api.db.store, ticket!.id)).map((m) => [m.kind, m.body])).toEqual([
      ['text', 'and a text'],
      ['unsupported', null],
    ]);
    expect(await countRows(api.db.store, 'inbound_unreadable')).toBe(1);
  });

  describe('receipts and reactions on our messages', () => {
    async function sentMessage(waId: string) {
      await postWhatsapp(api, text(waId, 'hello', { timestampSec: seconds() - 3600 }));
      await processInbound(api);
      const [ticket] = await ticketsOf(waId);
      const reply = await api.call('POST', `/api/tickets/${ticket!.id}/replies`, { cookie: await api.signIn((await api.addUser('agent')).email), body: { message: { kind: 'text', body: 'On its way!' } } });
      expect(reply.status).toBe(201);
      // The channel row has no live sender in this test; it is delivered by the sandbox one.
      await api.db.store.db.updateTable('channels').set({ sandbox: 1 }).where('external_id', '=', PHONE_NUMBER_ID).execute();
      await deliverDueMessages(api.world.deps, { byKind: {}, sandbox: sandboxSender });
      return api.db.store.db.selectFrom('messages').selectAll().where('id', '=', reply.body.message.id).executeTakeFirstOrThrow();
    }

    const receipt = (wamid: string, status: string, waId: string, extra: Record<string, unknown> = {}) =>
      statusUpdate({ phoneNumberId: PHONE_NUMBER_ID, wamid, status, recipientId: waId, timestampSec: seconds(), ...extra });

    it('statuses only move forward: a late delivered never overwrites read', async () => {
      await connectWhatsapp(api);
      const waId = newWaId();
      const message = await sentMessage(waId);
      for (const status of ['read', 'delivered', 'sent']) await postWhatsapp(api, receipt(message.provider_message_id!, status, waId));
      await processInbound(api);
      expect((await api.db.store.db.selectFrom('messages').select('status').where('id', '=', message.id).executeTakeFirstOrThrow()).status).toBe('read');
    });

    it('failed records the provider code and reason and shows in the ticket timeline', async () => {
      await connectWhatsapp(api);
      const waId = newWaId();
      const message = await sentMessage(waId);
      const failure = JSON.parse(fixture('whatsapp-status-failed-131047.json').toString('utf8'));
      failure.entry[0].changes[0].value.statuses[0].id = message.provider_message_id;
      await postWhatsapp(api, failure);
      await processInbound(api);
      const stored = await api.db.store.db.selectFrom('messages').selectAll().where('id', '=', message.id).executeTakeFirstOrThrow();
      expect(stored).toMatchObject({ status: 'failed', error_code: '131047', error_message: expect.stringContaining('24 hours') });
      const events = await api.db.store.db.selectFrom('ticket_events').select(['type', 'data']).where('ticket_id', '=', message.ticket_id).execute();
      expect(events.map((e) => e.type)).toContain('message.failed');
    });

    it('a receipt for a message not recorded yet waits, and is applied once the message appears', async () => {
      await connectWhatsapp(api);
      const waId = newWaId();
      const message = await sentMessage(waId);
      const early = newWamid();
      await postWhatsapp(api, receipt(early, 'delivered', waId));
      await processInbound(api);
      const waiting = await api.db.store.db.selectFrom('inbound_payloads').select(['processed_at', 'last_error']).where('processed_at', 'is', null).execute();
      expect(waiting).toHaveLength(1);
      await api.db.store.db.updateTable('messages').set({ provider_message_id: early }).where('id', '=', message.id).execute();
      api.world.clock.advance(2 * 60_000);
      await processInbound(api);
      expect((await api.db.store.db.selectFrom('messages').select('status').where('id', '=', message.id).executeTakeFirstOrThrow()).status).toBe('delivered');
      expect(await api.db.store.db.selectFrom('inbound_payloads').select('id').where('processed_at', 'is', null).execute()).toEqual([]);
    });

    it('a reaction is attached to the message it reacts to, not stored as a new message, and can be removed', async () => {
      await connectWhatsapp(api);
      const waId = newWaId();
      const message = await sentMessage(waId);
      const react = (emoji?: string) =>
        inboundMessage({ ...BUSINESS_NUMBER, waId, name: 'Ana', timestampSec: seconds(), message: { type: 'reaction', reaction: { message_id: message.provider_message_id!, ...(emoji ? { emoji } : {}) } } });
      const before = await countRows(api.db.store, 'messages');
      await postWhatsapp(api, react('❤️'));
      await processInbound(api);
      expect(await countRows(api.db.store, 'messages')).toBe(before);
      const reacted = await api.db.store.db.selectFrom('messages').select('data').where('id', '=', message.id).executeTakeFirstOrThrow();
      expect(JSON.parse(reacted.data!).reactions).toEqual({ [waId]: { emoji: '❤️', at: expect.any(Number) } });
      api.world.clock.advance(1000);
      await postWhatsapp(api, react());
      await processInbound(api);
      const removed = await api.db.store.db.selectFrom('messages').select('data').where('id', '=', message.id).executeTakeFirstOrThrow();
      expect(JSON.parse(removed.data!).reactions).toEqual({});
    });
  });

  it('the reply window follows the provider timestamp of the customer\'s message, not its arrival', async () => {
    await connectWhatsapp(api);
    const waId = newWaId();
    await postWhatsapp(api, text(waId, 'old news', { timestampSec: Math.floor((api.world.clock.now() - 25 * HOUR) / 1000) }));
    await processInbound(api);
    const channel = await api.db.store.db.selectFrom('channels').select('id').where('external_id', '=', PHONE_NUMBER_ID).executeTakeFirstOrThrow();
    const refused = startTicket(api.world.deps, api.world.agent, { channelId: channel.id, contact: { address: waId }, message: { kind: 'text', body: 'Hi!' } });
    await expect(refused).rejects.toMatchObject({ code: 'WHATSAPP_TEMPLATE_REQUIRED' });
  });

  it('the app secret never appears in the logs of a processed delivery', async () => {
    await connectWhatsapp(api);
    const lines: string[] = [];
    const logger = createLogger('debug', { write: (line: string) => void lines.push(line) } as never);
    const { InboundProcessor } = await import('../../src/modules/inbound/process-inbound.js');
    const { inboundHandlers } = await import('../../src/modules/inbound/handlers.js');
    await postWhatsapp(api, text(newWaId(), 'secret stuff'), { secret: APP_SECRET });
    await new InboundProcessor(api.world.deps, inboundHandlers(logger), logger).run();
    expect(lines.join('\n')).not.toContain(APP_SECRET);
  });
});
