// WhatsApp customers who adopted a username (channels.md §A.2.1): they may write with a business-scoped
// user id (BSUID) and no phone number. On both engines, over real HTTP, against the fake Graph API: such
// a message opens a ticket, answers go to the BSUID until the phone is known and to the phone after, the
// phone and the BSUID join one identity, a BSUID never joins contacts across channels, and receipts that
// name only the BSUID still apply.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sandboxSender } from '../../src/channels/sandbox-sender.js';
import { inboundText, startFakeGraph, statusUpdate, type FakeGraph } from '../../src/channels/whatsapp/fake-graph/index.js';
import { whatsappSender } from '../../src/channels/whatsapp/sender.js';
import { deliverDueMessages } from '../../src/modules/outbox/deliver-messages.js';
import { useApi } from '../support/api.js';
import { messagesOf, ticketsOfContact } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { processInbound } from '../support/whatsapp.js';

const TOKEN = 'EAAG-fake-graph-access-token-0013';
const APP_SECRET = 'app-secret-username-customers-0013';
const WABA = '300000000000013';
let phoneNumbers = 200_000_013_000;
let sequence = 0;
const newBsuid = () => `US.1349120865530274${String(1000 + sequence++).padStart(4, '0')}`;
const newPhone = () => `1555${String(8_100_000 + sequence++).padStart(7, '0')}`;

describe.each(ENGINES)('WhatsApp customers known by username and BSUID (%s)', (engine) => {
  const api = useApi(engine);
  let fake: FakeGraph;
  const seconds = () => Math.floor(api.world.clock.now() / 1000);

  beforeEach(async () => {
    fake = await startFakeGraph({ phoneNumbers: [], now: () => api.world.clock.now() });
  });

  afterEach(async () => {
    await fake.close();
  });

  const relay = () =>
    deliverDueMessages(api.world.deps, { byKind: { whatsapp: whatsappSender({ readAttachment: () => Promise.reject(new Error('no files here')), timeoutMs: 2_000 }) }, sandbox: sandboxSender });

  async function connect(cookie: string) {
    const phoneNumberId = String(phoneNumbers++);
    fake.addPhoneNumber({ phoneNumberId, accessToken: TOKEN, wabaId: WABA });
    const created = await api.call('POST', '/api/channels', {
      cookie,
      body: { kind: 'whatsapp', name: `Line ${phoneNumberId}`, settings: { phoneNumberId, businessAccountId: WABA, graphBaseUrl: fake.url, sendRatePerSecond: 1000 }, secrets: { accessToken: TOKEN, appSecret: APP_SECRET } },
    });
    expect(created.status).toBe(201);
    return { channelId: created.body.channel.id as string, phoneNumberId };
  }

  /** The customer writes through Meta's signed webhook; the fake notes the window for the keys it carries. */
  async function customerWrites(phoneNumberId: string, who: { waId?: string; userId?: string; username?: string; name: string }, body: string) {
    const payload = inboundText({ phoneNumberId, displayPhoneNumber: '15550001111', ...who, text: body, timestampSec: seconds() });
    const delivery = await fake.deliverWebhook(`${api.url}/webhooks/whatsapp`, payload, APP_SECRET);
    expect(delivery.status).toBe(200);
    await processInbound(api);
  }

  async function identitiesOn(channelId: string) {
    return api.db.store.db.selectFrom('contact_identities').selectAll().where('channel_id', '=', channelId).execute();
  }

  async function reply(cookie: string, ticketId: string, body: string) {
    const answer = await api.call('POST', `/api/tickets/${ticketId}/replies`, { cookie, body: { message: { kind: 'text', body } } });
    expect(answer.status).toBe(201);
    const before = fake.sent.length;
    // The outbox paces each number's sends on the fixed test clock; a minute apart they all go at once.
    api.world.clock.advance(60_000);
    await relay();
    const outbound = await api.db.store.db.selectFrom('messages').select(['status', 'error_code', 'error_message']).where('id', '=', answer.body.message.id).executeTakeFirst();
    expect({ sent: fake.sent.length - before, outbound }).toMatchObject({ sent: 1 });
    return fake.sent.at(-1)!;
  }

  it('a username-only customer opens a ticket and is answered at the BSUID; writing later with phone and BSUID keeps one contact and ticket, and answers go to the phone', async () => {
    const cookie = await api.signIn((await api.addUser('admin')).email);
    const { channelId, phoneNumberId } = await connect(cookie);
    const userId = newBsuid();
    const phone = newPhone();

    await customerWrites(phoneNumberId, { userId, username: 'ana.bakes', name: 'Ana' }, 'Hi, where is my cake?');
    const [identity] = await identitiesOn(channelId);
    expect(identity).toMatchObject({ address: userId, user_id: userId, wa_id: null, username: 'ana.bakes', display_name: 'Ana' });
    const contact = await api.db.store.db.selectFrom('contacts').selectAll().where('id', '=', identity!.contact_id).executeTakeFirstOrThrow();
    expect(contact.name).toBe('Ana');
    const [ticket] = await ticketsOfContact(api.db.store, identity!.contact_id);
    expect(ticket).toMatchObject({ channel_id: channelId, created_by: 'customer', status: 'open' });
    expect((await messagesOf(api.db.store, ticket!.id)).map((m) => m.body)).toEqual(['Hi, where is my cake?']);

    const toBsuid = await reply(cookie, ticket!.id, 'It leaves the bakery at noon.');
    expect(toBsuid.to).toBe(userId);
    expect(toBsuid.body).toMatchObject({ to: userId, text: { body: 'It leaves the bakery at noon.' } });

    await customerWrites(phoneNumberId, { waId: phone, userId, username: 'ana.bakes', name: 'Ana' }, 'Great, thanks! Call me if needed.');
    const identities = await identitiesOn(channelId);
    expect(identities).toHaveLength(1);
    expect(identities[0]).toMatchObject({ id: identity!.id, contact_id: identity!.contact_id, address: phone, wa_id: phone, user_id: userId, username: 'ana.bakes' });
    expect(await api.db.store.db.selectFrom('contacts').select('id').where('workspace_id', '=', api.world.workspaceId).where('name', '=', 'Ana').execute()).toHaveLength(1);
    const tickets = await ticketsOfContact(api.db.store, identity!.contact_id);
    expect(tickets.map((t) => t.id)).toEqual([ticket!.id]);
    expect((await messagesOf(api.db.store, ticket!.id)).filter((m) => m.direction === 'inbound').map((m) => m.body)).toEqual(['Hi, where is my cake?', 'Great, thanks! Call me if needed.']);

    const toPhone = await reply(cookie, ticket!.id, 'Will do.');
    expect(toPhone.to).toBe(`+${phone}`);
    expect(toPhone.waId).toBe(phone);

    // A later message with the BSUID alone still finds the one identity.
    await customerWrites(phoneNumberId, { userId, name: 'Ana' }, 'One more thing');
    expect(await identitiesOn(channelId)).toHaveLength(1);
    expect(await ticketsOfContact(api.db.store, identity!.contact_id)).toHaveLength(1);
  });

  it('a phone and a BSUID first seen as two customers on one channel become one contact when a message carries both', async () => {
    const cookie = await api.signIn((await api.addUser('admin')).email);
    const { channelId, phoneNumberId } = await connect(cookie);
    const userId = newBsuid();
    const phone = newPhone();
    await customerWrites(phoneNumberId, { waId: phone, name: 'Bo' }, 'by phone');
    const [byPhone] = await identitiesOn(channelId);
    const [phoneTicket] = await ticketsOfContact(api.db.store, byPhone!.contact_id);
    await api.call('POST', `/api/tickets/${phoneTicket!.id}/close`, { cookie, body: {} });
    await customerWrites(phoneNumberId, { userId, username: 'bo', name: 'Bo' }, 'by username');
    expect(await identitiesOn(channelId)).toHaveLength(2);

    await customerWrites(phoneNumberId, { waId: phone, userId, name: 'Bo' }, 'both');
    const identities = await identitiesOn(channelId);
    expect(identities).toHaveLength(1);
    expect(identities[0]).toMatchObject({ id: byPhone!.id, contact_id: byPhone!.contact_id, address: phone, wa_id: phone, user_id: userId, username: 'bo' });
    const tickets = await ticketsOfContact(api.db.store, byPhone!.contact_id);
    expect(tickets).toHaveLength(2);
    const active = tickets.find((t) => t.status !== 'closed')!;
    expect((await messagesOf(api.db.store, active.id)).map((m) => m.body)).toEqual(['by username', 'both']);
  });

  it('a BSUID seen on one channel does not join a contact on another WhatsApp channel', async () => {
    const cookie = await api.signIn((await api.addUser('admin')).email);
    const first = await connect(cookie);
    const second = await connect(cookie);
    const userId = newBsuid();
    const phone = newPhone();
    await customerWrites(first.phoneNumberId, { waId: phone, userId, name: 'Cy' }, 'on the first line');
    await customerWrites(second.phoneNumberId, { userId, name: 'Cy' }, 'on the second line');
    const [onFirst] = await identitiesOn(first.channelId);
    const [onSecond] = await identitiesOn(second.channelId);
    expect(onFirst).toMatchObject({ address: phone, user_id: userId });
    expect(onSecond).toMatchObject({ address: userId, user_id: userId, wa_id: null });
    expect(onSecond!.contact_id).not.toBe(onFirst!.contact_id);

    // Nor does the phone known on the first channel become the second channel's send address.
    const [ticket] = await ticketsOfContact(api.db.store, onSecond!.contact_id);
    const sent = await reply(cookie, ticket!.id, 'Hello on line two');
    expect(sent.to).toBe(userId);
    expect(sent.phoneNumberId).toBe(second.phoneNumberId);
  });

  it('a status callback naming only recipient_user_id updates the message', async () => {
    const cookie = await api.signIn((await api.addUser('admin')).email);
    const { channelId, phoneNumberId } = await connect(cookie);
    const userId = newBsuid();
    await customerWrites(phoneNumberId, { userId, name: 'Di' }, 'hello');
    const [identity] = await identitiesOn(channelId);
    const [ticket] = await ticketsOfContact(api.db.store, identity!.contact_id);
    const sent = await reply(cookie, ticket!.id, 'Hi Di');
    const status = statusUpdate({ phoneNumberId, wamid: sent.wamid, status: 'read', recipientUserId: userId, timestampSec: seconds() });
    expect(JSON.stringify(status)).not.toContain('recipient_id"');
    expect((await fake.deliverWebhook(`${api.url}/webhooks/whatsapp`, status, APP_SECRET)).status).toBe(200);
    await processInbound(api);
    const outbound = (await messagesOf(api.db.store, ticket!.id)).find((m) => m.provider_message_id === sent.wamid);
    expect(outbound?.status).toBe('read');
  });
});
