// Integration tokens over real HTTP on both engines (issue 13: automations are not humans): admins create,
// list and revoke the workspace's tokens for bots and integrations; a caller using one is an integration,
// whose messages are an automation's under the reply policy (never Instagram's HUMAN_AGENT tag, only a
// template outside WhatsApp's 24 hours) and show in the thread under the integration's name.
import { describe, expect, it } from 'vitest';
import { instagramDm } from '../../src/channels/instagram/fake-graph/index.js';
import { inboundText } from '../../src/channels/whatsapp/fake-graph/index.js';
import { DAY, HOUR } from '../../src/domain/clock.js';
import { useApi } from '../support/api.js';
import { newAddress } from '../support/factories.js';
import { IG_ACCOUNT_ID, IG_APP_SECRET, connectInstagram, newIgsid, useFakeInstagramGraph } from '../support/instagram.js';
import { countRows, messageRow } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { BUSINESS_NUMBER, connectWhatsapp, postWhatsapp, processInbound } from '../support/whatsapp.js';

describe.each(ENGINES)('integration tokens (%s)', (engine) => {
  const api = useApi(engine);
  const instagram = useFakeInstagramGraph(api);
  const { relay } = instagram;

  async function signedInAdmin() {
    const admin = await api.addUser('admin');
    return { ...admin, cookie: await api.signIn(admin.email) };
  }

  async function integrationToken(cookie: string, name = 'Order bot'): Promise<string> {
    const created = await api.call('POST', '/api/integration-tokens', { cookie, body: { name } });
    expect(created.status).toBe(201);
    return created.body.token;
  }

  /** An Instagram customer who wrote `ago` ms ago (through the fake, so both sides know); returns their ticket. */
  async function instagramCustomerWrote(ago: number) {
    instagram.fake.reset();
    await connectInstagram(api, instagram.fake.url);
    const igsid = newIgsid();
    const payload = instagramDm({ accountId: IG_ACCOUNT_ID, igsid, at: api.world.clock.now() - ago, text: 'Where is my order?' });
    expect((await instagram.fake.deliverWebhook(`${api.url}/webhooks/instagram`, payload, IG_APP_SECRET)).status).toBe(200);
    await processInbound(api);
    const identity = await api.db.store.db.selectFrom('contact_identities').selectAll().where('address', '=', igsid).executeTakeFirstOrThrow();
    const ticket = await api.db.store.db.selectFrom('tickets').selectAll().where('contact_id', '=', identity.contact_id).executeTakeFirstOrThrow();
    return { igsid, ticketId: ticket.id };
  }

  const replyText = (ticketId: string, body: string, auth: { cookie?: string; token?: string }) =>
    api.call('POST', `/api/tickets/${ticketId}/replies`, { ...auth, body: { message: { kind: 'text', body } } });

  it('an admin creates an integration token shown once and stored hashed; it is listed apart from personal tokens, works, and once revoked is refused with 401', async () => {
    const admin = await signedInAdmin();
    const created = await api.call('POST', '/api/integration-tokens', { cookie: admin.cookie, body: { name: 'Order bot' } });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^tbi_/);
    expect(created.body.apiToken).toMatchObject({ name: 'Order bot', lastUsedAt: null, revokedAt: null });
    const stored = await api.db.store.db.selectFrom('api_tokens').select(['kind', 'token_hash']).where('id', '=', created.body.apiToken.id).executeTakeFirstOrThrow();
    expect(stored.kind).toBe('integration');
    expect(stored.token_hash).not.toContain(created.body.token);

    expect((await api.call('GET', '/api/integration-tokens', { cookie: admin.cookie })).body.apiTokens.map((t: { id: string }) => t.id)).toEqual([created.body.apiToken.id]);
    expect((await api.call('GET', '/api/tokens', { cookie: admin.cookie })).body.apiTokens).toEqual([]);

    expect((await api.call('GET', '/api/tickets', { token: created.body.token })).status).toBe(200);
    expect((await api.call('DELETE', `/api/integration-tokens/${created.body.apiToken.id}`, { cookie: admin.cookie })).status).toBe(204);
    const refused = await api.call('GET', '/api/tickets', { token: created.body.token });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('agents cannot create, list or revoke integration tokens (403), and an integration cannot manage tokens or act as a person (403)', async () => {
    const agent = await api.addUser('agent');
    const agentCookie = await api.signIn(agent.email);
    const refused = await api.call('POST', '/api/integration-tokens', { cookie: agentCookie, body: { name: 'Sneaky bot' } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    const personal = (await api.call('POST', '/api/tokens', { cookie: agentCookie, body: { name: 'Mine' } })).body.token;
    expect((await api.call('POST', '/api/integration-tokens', { token: personal, body: { name: 'Sneaky bot' } })).status).toBe(403);
    expect((await api.call('GET', '/api/integration-tokens', { cookie: agentCookie })).status).toBe(403);
    expect(await countRows(api.db.store, 'api_tokens')).toBe(1);

    const integration = await integrationToken((await signedInAdmin()).cookie);
    expect((await api.call('POST', '/api/integration-tokens', { token: integration, body: { name: 'Another' } })).status).toBe(403);
    expect((await api.call('POST', '/api/tokens', { token: integration, body: { name: 'Mine' } })).status).toBe(403);
    expect((await api.call('GET', '/api/auth/me', { token: integration })).status).toBe(403);
  });

  it("3 days after an Instagram customer wrote, an integration's reply is refused with INSTAGRAM_HUMAN_AGENT_ONLY while a person's reply at the same moment goes out with HUMAN_AGENT", async () => {
    const admin = await signedInAdmin();
    const token = await integrationToken(admin.cookie);
    const { igsid, ticketId } = await instagramCustomerWrote(3 * DAY);

    const byIntegration = await replyText(ticketId, 'Your order ships tomorrow.', { token });
    expect(byIntegration.status).toBe(422);
    expect(byIntegration.body.error.code).toBe('INSTAGRAM_HUMAN_AGENT_ONLY');

    const byPerson = await replyText(ticketId, 'Sorry for the wait - it ships tomorrow.', { cookie: admin.cookie });
    expect(byPerson.status).toBe(201);
    await relay();
    expect(instagram.fake.sent.map((s) => s.body)).toEqual([
      { recipient: { id: igsid }, message: { text: 'Sorry for the wait - it ships tomorrow.' }, messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' },
    ]);
    expect(await countRows(api.db.store, 'messages')).toBe(2);
  });

  it("the reply-window pre-flight answers an integration as the automation it is: 3 days after an Instagram customer wrote, free text is refused for it and allowed with HUMAN_AGENT for a person", async () => {
    const admin = await signedInAdmin();
    const token = await integrationToken(admin.cookie);
    const { ticketId } = await instagramCustomerWrote(3 * DAY);
    const ticket = await api.db.store.db.selectFrom('tickets').select(['channel_id', 'contact_id']).where('id', '=', ticketId).executeTakeFirstOrThrow();
    const preflight = (auth: { cookie?: string; token?: string }) => api.call('GET', `/api/reply-window?channelId=${ticket.channel_id}&contactId=${ticket.contact_id}`, auth);

    const forIntegration = await preflight({ token });
    expect(forIntegration.status).toBe(200);
    expect(forIntegration.body.window).toMatchObject({ canStart: false, freeForm: { allowed: false, refusal: { code: 'INSTAGRAM_HUMAN_AGENT_ONLY' } }, windowClosesAt: null });
    const forPerson = await preflight({ cookie: admin.cookie });
    expect(forPerson.body.window).toMatchObject({ canStart: true, freeForm: { allowed: true, tag: 'HUMAN_AGENT' } });
    expect(forPerson.body.window.windowClosesAt).toBeGreaterThan(api.world.clock.now());
  });

  it("an integration's Instagram reply queued inside 24 hours but sent after them is failed at send time, never tagged HUMAN_AGENT", async () => {
    const token = await integrationToken((await signedInAdmin()).cookie);
    const { ticketId } = await instagramCustomerWrote(24 * HOUR - 60_000);
    const queued = await replyText(ticketId, 'Your order ships tomorrow.', { token });
    expect(queued.status).toBe(201);
    api.world.clock.advance(2 * 60_000);
    await relay();
    expect(instagram.fake.sent).toEqual([]);
    expect(await messageRow(api.db.store, queued.body.message.id)).toMatchObject({ status: 'failed', error_code: 'INSTAGRAM_HUMAN_AGENT_ONLY' });
  });

  it("the thread shows an integration's message as sent by the integration, by name, and a person's by the person", async () => {
    const admin = await signedInAdmin();
    const token = await integrationToken(admin.cookie, 'Order bot');
    const { igsid, ticketId } = await instagramCustomerWrote(2 * HOUR);
    const byIntegration = await replyText(ticketId, 'Your order #1042 ships today.', { token });
    expect(byIntegration.status).toBe(201);
    const byPerson = await replyText(ticketId, 'Anything else I can do?', { cookie: admin.cookie });
    await relay();
    expect(instagram.fake.sent.map((s) => s.body)).toEqual([
      { recipient: { id: igsid }, message: { text: 'Your order #1042 ships today.' } },
      { recipient: { id: igsid }, message: { text: 'Anything else I can do?' } },
    ]);

    const detail = await api.call('GET', `/api/tickets/${ticketId}`, { cookie: admin.cookie });
    const integrationId = (await api.db.store.db.selectFrom('api_tokens').select('id').where('kind', '=', 'integration').executeTakeFirstOrThrow()).id;
    const byId = (id: string) => detail.body.messages.find((m: { id: string }) => m.id === id);
    expect(byId(byIntegration.body.message.id)).toMatchObject({ authorKind: 'integration', authorUserId: null, author: { kind: 'integration', id: integrationId, name: 'Order bot' }, status: 'sent' });
    expect(byId(byPerson.body.message.id)).toMatchObject({ authorKind: 'agent', authorUserId: admin.userId, author: { kind: 'agent', id: admin.userId, name: 'The admin' } });
  });

  it("2 days after a WhatsApp customer wrote, an integration's free text is refused with WHATSAPP_TEMPLATE_REQUIRED and nothing is queued", async () => {
    const token = await integrationToken((await signedInAdmin()).cookie);
    await connectWhatsapp(api);
    const waId = newAddress('whatsapp');
    const wroteAt = Math.floor((api.world.clock.now() - 2 * DAY) / 1000);
    expect((await postWhatsapp(api, inboundText({ ...BUSINESS_NUMBER, waId, name: 'Ana', text: 'Hello?', timestampSec: wroteAt }))).status).toBe(200);
    await processInbound(api);
    const ticket = await api.db.store.db.selectFrom('tickets').select('id').executeTakeFirstOrThrow();

    const refused = await replyText(ticket.id, 'Your order ships today.', { token });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('WHATSAPP_TEMPLATE_REQUIRED');
    expect(await countRows(api.db.store, 'outbox')).toBe(0);
    expect(await countRows(api.db.store, 'messages')).toBe(1);
  });

  it('an integration token keeps working after the admin who created it is deactivated, while that admin’s personal token stops', async () => {
    const creator = await signedInAdmin();
    const other = await signedInAdmin();
    const integration = await integrationToken(creator.cookie);
    const personal = (await api.call('POST', '/api/tokens', { cookie: creator.cookie, body: { name: 'Mine' } })).body.token;
    expect((await api.call('PATCH', `/api/users/${creator.userId}`, { cookie: other.cookie, body: { active: false } })).status).toBe(200);
    expect((await api.call('GET', '/api/tickets', { token: integration })).status).toBe(200);
    expect((await api.call('GET', '/api/tickets', { token: personal })).status).toBe(401);
  });
});
