// WhatsApp templates and outbound over real HTTP on both engines, against the local fake Graph API: admins
// sync templates (paged), agents may only queue approved templates with the right values, the sent
// template is exactly Meta's documented request, and a refused token holds the channel until an admin
// replaces it.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sandboxSender } from '../../src/channels/sandbox-sender.js';
import { startFakeGraph, type FakeGraph, type FakeTemplate } from '../../src/channels/whatsapp/fake-graph/index.js';
import { whatsappSender } from '../../src/channels/whatsapp/sender.js';
import type { Database } from '../../src/db/schema.js';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { deliverDueMessages } from '../../src/modules/outbox/deliver-messages.js';
import { useApi } from '../support/api.js';
import { buildWorld, inbound, newAddress } from '../support/factories.js';
import { countRows, messageRow } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';

const TOKEN = 'EAAG-fake-graph-access-token-0002';
const APP_SECRET = 'app-secret-0123456789abcdef';
const WABA = '300000000000002';
let phoneNumbers = 200_000_000_500;

const fixture = (name: string) => JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../fixtures/channels', name), 'utf8'));

const followUp: FakeTemplate = {
  name: 'ticket_followup_v1',
  language: 'en_US',
  status: 'APPROVED',
  category: 'UTILITY',
  parameter_format: 'POSITIONAL',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['A-1001'] } },
    { type: 'BODY', text: 'Hi {{1}}, we have an update on ticket {{2}}.', example: { body_text: [['Jane', 'T-123']] } },
    { type: 'FOOTER', text: 'Example Support' },
    { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Reopen' }] },
  ],
};
const paused: FakeTemplate = { name: 'spring_sale', language: 'en_US', status: 'PAUSED', category: 'MARKETING', components: [{ type: 'BODY', text: 'Spring sale, {{1}}!' }] };
const filler = (i: number): FakeTemplate => ({ name: `notice_${String(i).padStart(3, '0')}`, language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'BODY', text: `Notice ${i} for {{1}}.` }] });
const followUpValues = { header: ['A-1001'], body: ['Test Customer', 'T-123'], buttons: [{ index: 0, value: 'REOPEN_T-123' }] };

const TABLES: (keyof Database)[] = ['tickets', 'messages', 'outbox', 'contacts', 'contact_identities', 'ticket_events'];

describe.each(ENGINES)('WhatsApp templates and sending over the API (%s)', (engine) => {
  const api = useApi(engine);
  let fake: FakeGraph;
  let phoneNumberId: string;

  beforeEach(async () => {
    phoneNumberId = String(phoneNumbers++);
    fake = await startFakeGraph({ phoneNumbers: [{ phoneNumberId, accessToken: TOKEN, wabaId: WABA }], now: () => api.world.clock.now() });
  });

  afterEach(async () => {
    await fake.close();
  });

  const senders = () => ({ byKind: { whatsapp: whatsappSender({ readAttachment: () => Promise.reject(new Error('no files in these tests')), timeoutMs: 2_000 }) }, sandbox: sandboxSender });
  const relay = () => deliverDueMessages(api.world.deps, senders());
  const counts = async () => Object.fromEntries(await Promise.all(TABLES.map(async (t) => [t, await countRows(api.db.store, t)])));

  async function session(role: 'admin' | 'agent', world = api.world) {
    return api.signIn((await api.addUser(role, world)).email);
  }

  async function connect(cookie: string, settings: Record<string, unknown> = {}, accessToken = TOKEN) {
    const created = await api.call('POST', '/api/channels', {
      cookie,
      body: { kind: 'whatsapp', name: 'Support line', settings: { phoneNumberId, businessAccountId: WABA, graphBaseUrl: fake.url, sendRatePerSecond: 1000, ...settings }, secrets: { accessToken, appSecret: APP_SECRET } },
    });
    expect(created.status).toBe(201);
    return created.body.channel.id as string;
  }

  async function sync(cookie: string, channelId: string) {
    return api.call('POST', `/api/channels/${channelId}/templates/sync`, { cookie });
  }

  async function customerWrote(channelId: string, address = newAddress('whatsapp')) {
    const channel = await api.db.store.db.selectFrom('channels').selectAll().where('id', '=', channelId).executeTakeFirstOrThrow();
    const sentAt = api.world.clock.hoursAgo(1);
    const result = await ingestInbound(api.world.deps, inbound(channel, api.world.clock, { address, sentAt }));
    if (result.outcome !== 'stored') throw new Error('expected the customer message to be stored');
    fake.customerWrote(phoneNumberId, address, sentAt);
    return { address, ticketId: result.ticketId };
  }

  it('an admin syncs templates over three pages; a later sync updates them and marks the ones gone as DELETED', async () => {
    const admin = await session('admin');
    const channelId = await connect(admin);
    fake.setTemplates(WABA, [followUp, paused, ...Array.from({ length: 248 }, (_, i) => filler(i))]);
    const first = await sync(admin, channelId);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ synced: 250, removed: 0, syncedAt: api.world.clock.now() });
    expect(first.body.templates).toHaveLength(250);
    const pages = fake.requests.filter((r) => r.endpoint === 'templates');
    expect(pages).toHaveLength(3);
    expect(pages[0]!.path).toBe(`/v23.0/${WABA}/message_templates`);
    expect(pages[0]!.query).toMatchObject({ limit: '100', fields: expect.stringContaining('components') });
    expect(pages[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(first.body.templates.find((t: { name: string }) => t.name === 'ticket_followup_v1')).toMatchObject({ status: 'APPROVED', usable: true, category: 'UTILITY', headerText: 'Order {{1}}' });
    expect(first.body.templates.find((t: { name: string }) => t.name === 'spring_sale')).toMatchObject({ status: 'PAUSED', usable: false });
    const channel = await api.call('GET', `/api/channels/${channelId}`, { cookie: admin });
    expect(channel.body.channel.templatesSyncedAt).toBe(api.world.clock.now());

    api.world.clock.advance(60_000);
    fake.setTemplates(WABA, [{ ...followUp, status: 'PAUSED' }, { ...paused, status: 'APPROVED' }, filler(0)]);
    const second = await sync(admin, channelId);
    expect(second.body).toMatchObject({ synced: 3, removed: 247 });
    const byName = new Map(second.body.templates.map((t: { name: string; status: string }) => [t.name, t.status]));
    expect(byName.get('ticket_followup_v1')).toBe('PAUSED');
    expect(byName.get('spring_sale')).toBe('APPROVED');
    expect(byName.get('notice_000')).toBe('APPROVED');
    expect(byName.get('notice_001')).toBe('DELETED');
    expect(await countRows(api.db.store, 'templates')).toBe(250);
    const usable = await api.call('GET', `/api/channels/${channelId}/templates?usable=true`, { cookie: admin });
    expect(usable.body.templates.map((t: { name: string }) => t.name)).toEqual(['notice_000', 'spring_sale']);
  });

  it('syncing is for admins of the workspace (401, 403, 404) and for channels that can list templates (422 with a code)', async () => {
    const admin = await session('admin');
    const channelId = await connect(admin);
    fake.setTemplates(WABA, [followUp]);
    expect((await api.call('POST', `/api/channels/${channelId}/templates/sync`)).status).toBe(401);
    const agent = await sync(await session('agent'), channelId);
    expect(agent.status).toBe(403);
    const outsider = await sync(await session('admin', await buildWorld(api.db.store)), channelId);
    expect(outsider.status).toBe(404);
    expect(outsider.body.error.code).toBe('NOT_FOUND');
    expect(await countRows(api.db.store, 'templates')).toBe(0);
    expect(fake.requests).toHaveLength(0);

    const instagram = await sync(admin, api.world.channels.instagram.id);
    expect(instagram.status).toBe(422);
    expect(instagram.body.error.code).toBe('INSTAGRAM_TEMPLATES_UNSUPPORTED');
    phoneNumberId = String(phoneNumbers++);
    const noAccount = await connect(admin, { businessAccountId: undefined });
    const unconfigured = await sync(admin, noAccount);
    expect(unconfigured.status).toBe(422);
    expect(unconfigured.body.error).toMatchObject({ code: 'TEMPLATE_SYNC_FAILED', details: { reason: 'not_configured' } });
    expect(unconfigured.body.error.message).toContain('settings.businessAccountId');
  });

  it('a sync refused for the token fails with TEMPLATE_SYNC_FAILED and flags the channel for its admin', async () => {
    const admin = await session('admin');
    const channelId = await connect(admin, {}, 'EAAG-expired-token-000000000');
    fake.setTemplates(WABA, [followUp]);
    const refused = await sync(admin, channelId);
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'TEMPLATE_SYNC_FAILED', details: { reason: 'credentials' } });
    const channel = await api.call('GET', `/api/channels/${channelId}`, { cookie: admin });
    expect(channel.body.channel.attention).toEqual({ reason: expect.stringMatching(/access token/), since: api.world.clock.now() });
    expect(channel.body.channel.templatesSyncedAt).toBeNull();
  });

  it('an approved template is queued with its rendered text, and Graph receives exactly the documented template request', async () => {
    const admin = await session('admin');
    const channelId = await connect(admin);
    fake.setTemplates(WABA, [followUp]);
    await sync(admin, channelId);
    const started = await api.call('POST', '/api/tickets', {
      cookie: await session('agent'),
      body: { channelId, contact: { address: '+1 555 999 0001', name: 'Test Customer' }, message: { kind: 'template', template: { name: 'ticket_followup_v1', language: 'en_US', parameters: followUpValues } } },
    });
    expect(started.status).toBe(201);
    const messageId = started.body.message.id;
    const queued = await messageRow(api.db.store, messageId);
    expect(queued.body).toBe('Order A-1001\n\nHi Test Customer, we have an update on ticket T-123.\n\nExample Support');
    expect(JSON.parse(queued.template ?? 'null')).toEqual({
      name: 'ticket_followup_v1',
      language: 'en_US',
      parameters: { header: ['A-1001'], body: ['Test Customer', 'T-123'], buttons: [{ index: 0, type: 'quick_reply', value: 'REOPEN_T-123' }] },
    });
    await relay();
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0]!.body).toEqual({ ...fixture('whatsapp-template-send-request.json'), biz_opaque_callback_data: messageId });
    expect(await messageRow(api.db.store, messageId)).toMatchObject({ status: 'sent', provider_message_id: fake.sent[0]!.wamid });
  });

  it('an unknown, unapproved or untranslated template is refused with 422 TEMPLATE_NOT_APPROVED and nothing is stored', async () => {
    const admin = await session('admin');
    const channelId = await connect(admin);
    fake.setTemplates(WABA, [followUp, paused]);
    await sync(admin, channelId);
    const agent = await session('agent');
    const customer = await customerWrote(channelId);
    const before = await counts();
    const attempts = [
      { template: { name: 'no_such_template', language: 'en_US', parameters: {} }, says: /no template "no_such_template"/ },
      { template: { name: 'spring_sale', language: 'en_US', parameters: { body: ['Jane'] } }, says: /paused.*only approved templates can be sent/ },
      { template: { name: 'ticket_followup_v1', language: 'de', parameters: followUpValues }, says: /no de version.*en_US/ },
    ];
    for (const { template, says } of attempts) {
      const started = await api.call('POST', '/api/tickets', { cookie: agent, body: { channelId, contact: { address: newAddress('whatsapp') }, message: { kind: 'template', template } } });
      expect(started.status, template.name).toBe(422);
      expect(started.body.error.code).toBe('TEMPLATE_NOT_APPROVED');
      expect(started.body.error.message).toMatch(says);
      const replied = await api.call('POST', `/api/tickets/${customer.ticketId}/replies`, { cookie: agent, body: { message: { kind: 'template', template } } });
      expect(replied.status).toBe(422);
      expect(replied.body.error.code).toBe('TEMPLATE_NOT_APPROVED');
    }
    expect(await counts()).toEqual(before);
  });

  it('wrong template values are refused with 400 TEMPLATE_PARAMETERS_INVALID naming each problem, and nothing is stored', async () => {
    const admin = await session('admin');
    const channelId = await connect(admin);
    fake.setTemplates(WABA, [followUp]);
    await sync(admin, channelId);
    const agent = await session('agent');
    const before = await counts();
    const send = (parameters: unknown) =>
      api.call('POST', '/api/tickets', { cookie: agent, body: { channelId, contact: { address: newAddress('whatsapp') }, message: { kind: 'template', template: { name: 'ticket_followup_v1', language: 'en_US', parameters } } } });
    const tooFew = await send({ header: ['A-1001'], body: ['Test Customer'] });
    expect(tooFew.status).toBe(400);
    expect(tooFew.body.error).toMatchObject({ code: 'TEMPLATE_PARAMETERS_INVALID', details: { name: 'ticket_followup_v1', problems: ['The body takes 2 values ({{1}}, {{2}}); 1 was given.'] } });
    const mistyped = await send({ header: [42], body: ['Test Customer', 'T-123'], buttons: [{ index: 0, type: 'url', value: 'x' }] });
    expect(mistyped.status).toBe(400);
    expect(mistyped.body.error.details.problems).toEqual(['{{1}} in the header needs a text value.', 'Button 0 is a quick_reply button, not url.']);
    expect(mistyped.body.error.message).toMatch(/^The template "ticket_followup_v1" cannot be sent with these values: /);
    expect(await counts()).toEqual(before);
    expect(fake.requests.filter((r) => r.endpoint === 'messages')).toHaveLength(0);
  });

  it('before a channel\'s first sync there is nothing to check against: templates go to WhatsApp as given', async () => {
    const admin = await session('admin');
    const channelId = await connect(admin);
    const started = await api.call('POST', '/api/tickets', {
      cookie: await session('agent'),
      body: { channelId, contact: { address: newAddress('whatsapp') }, message: { kind: 'template', template: { name: 'hello_world', language: 'en_US', parameters: {} } } },
    });
    expect(started.status).toBe(201);
    await relay();
    // WhatsApp itself refuses a template it does not have (132001): a visible failure with its code.
    expect(await messageRow(api.db.store, started.body.message.id)).toMatchObject({ status: 'failed', error_code: '132001' });
  });

  it('a refused token flags the channel in the API and holds the message; once an admin replaces the token the message goes out', async () => {
    const admin = await session('admin');
    const channelId = await connect(admin, {}, 'EAAG-expired-token-000000000');
    const { address } = await customerWrote(channelId);
    const agent = await session('agent');
    const started = await api.call('POST', '/api/tickets', { cookie: agent, body: { channelId, contact: { address }, message: { kind: 'text', body: 'Your refund is on its way.' } } });
    const messageId = started.body.message.id;
    await relay();
    const flagged = await api.call('GET', `/api/channels/${channelId}`, { cookie: agent });
    expect(flagged.body.channel.attention).toEqual({ reason: expect.stringMatching(/access token.*admin/), since: api.world.clock.now() });
    expect((await messageRow(api.db.store, messageId)).status).toBe('queued');

    expect((await api.call('PATCH', `/api/channels/${channelId}`, { cookie: agent, body: { secrets: { accessToken: TOKEN } } })).status).toBe(403);
    const renamed = await api.call('PATCH', `/api/channels/${channelId}`, { cookie: admin, body: { name: 'Still broken' } });
    expect(renamed.body.channel.attention).not.toBeNull();
    api.world.clock.advance(5 * 60_000);
    await relay();
    expect(fake.requests.filter((r) => r.endpoint === 'messages')).toHaveLength(1);

    const fixed = await api.call('PATCH', `/api/channels/${channelId}`, { cookie: admin, body: { secrets: { accessToken: TOKEN } } });
    expect(fixed.status).toBe(200);
    expect(fixed.body.channel.attention).toBeNull();
    // The waiting message is due at once, not at its next periodic check.
    await relay();
    expect(await messageRow(api.db.store, messageId)).toMatchObject({ status: 'sent', provider_message_id: fake.sent[0]!.wamid });
    expect(fake.sent[0]!.body).toMatchObject({ to: `+${address}`, text: { body: 'Your refund is on its way.' } });
  });
});
