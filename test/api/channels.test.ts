// Channels and their templates over real HTTP on both engines: admins connect and configure, secrets
// never come back out, and every agent can read.
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids.js';
import { useApi } from '../support/api.js';
import { buildWorld, newAddress } from '../support/factories.js';
import { countRows } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';

const ACCESS_TOKEN = 'EAAG-secret-access-token-0123456789';
const APP_SECRET = 'app-secret-0123456789abcdef';

let phoneNumber = 100_000_000_000;
const livePhone = () => ({ phoneNumberId: String(phoneNumber++), businessAccountId: '200000000000001' });

describe.each(ENGINES)('the channels API (%s)', (engine) => {
  const api = useApi(engine);

  async function session(role: 'admin' | 'agent' = 'admin', world = api.world) {
    return api.signIn((await api.addUser(role, world)).email);
  }

  async function storedSecrets(channelId: string) {
    const row = await api.db.store.db.selectFrom('channels').select('secrets').where('id', '=', channelId).executeTakeFirstOrThrow();
    return JSON.parse(row.secrets);
  }

  it('an admin connects a live WhatsApp number: the secrets are stored but only named in answers, with the webhook to paste into Meta', async () => {
    const cookie = await session();
    const settings = livePhone();
    const created = await api.call('POST', '/api/channels', {
      cookie,
      body: { kind: 'whatsapp', name: 'Support line', settings, secrets: { accessToken: ACCESS_TOKEN, appSecret: APP_SECRET } },
    });
    expect(created.status).toBe(201);
    expect(created.body.channel).toMatchObject({
      kind: 'whatsapp',
      name: 'Support line',
      sandbox: false,
      enabled: true,
      accountId: settings.phoneNumberId,
      settings,
      secretsSet: ['accessToken', 'appSecret'],
      webhook: { url: 'http://127.0.0.1/webhooks/whatsapp', verifyToken: expect.stringMatching(/^tbv_.{20,}/) },
    });
    const id = created.body.channel.id;
    expect(await storedSecrets(id)).toEqual({ accessToken: ACCESS_TOKEN, appSecret: APP_SECRET });
    for (const response of [created, await api.call('GET', `/api/channels/${id}`, { cookie }), await api.call('GET', '/api/channels', { cookie })]) {
      expect(JSON.stringify(response.body)).not.toContain(ACCESS_TOKEN);
      expect(JSON.stringify(response.body)).not.toContain(APP_SECRET);
    }
  });

  it('a live channel without its secrets is refused with 400 naming the missing one, and nothing is created', async () => {
    const cookie = await session();
    const before = await countRows(api.db.store, 'channels');
    const response = await api.call('POST', '/api/channels', { cookie, body: { kind: 'instagram', name: 'IG', settings: { instagramAccountId: '17841400000000001' }, secrets: { appSecret: APP_SECRET } } });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'secrets.accessToken' } });
    const noAccount = await api.call('POST', '/api/channels', { cookie, body: { kind: 'whatsapp', name: 'WA', secrets: { accessToken: ACCESS_TOKEN, appSecret: APP_SECRET } } });
    expect(noAccount.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'settings.phoneNumberId' } });
    expect(await countRows(api.db.store, 'channels')).toBe(before);
  });

  it('refuses malformed settings, unknown fields and unknown kinds with 400', async () => {
    const cookie = await session();
    const before = await countRows(api.db.store, 'channels');
    const bodies = [
      { kind: 'whatsapp', name: 'WA', settings: { phoneNumberId: 'not-a-number' }, sandbox: true },
      { kind: 'whatsapp', name: 'WA', settings: { phoneNumberId: '1234567', colour: 'green' }, sandbox: true },
      { kind: 'telegram', name: 'TG', sandbox: true },
      { kind: 'email', name: 'Mail', settings: { address: 'not an address' } },
      { kind: 'email', name: '', settings: { address: 'help@brand.test' } },
      { kind: 'email', name: 'Mail', settings: { address: 'help@brand.test' }, password: 'x' },
    ];
    for (const body of bodies) {
      const response = await api.call('POST', '/api/channels', { cookie, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect(await countRows(api.db.store, 'channels')).toBe(before);
  });

  it('a sandbox channel needs only a name (a Meta one gets an app secret of its own); an email channel routes on its address in canonical form', async () => {
    const cookie = await session();
    const sandbox = await api.call('POST', '/api/channels', { cookie, body: { kind: 'instagram', name: 'Try Instagram', sandbox: true } });
    expect(sandbox.status).toBe(201);
    expect(sandbox.body.channel).toMatchObject({ sandbox: true, accountId: `sandbox-${sandbox.body.channel.id}`, secretsSet: ['appSecret'], webhook: { url: 'http://127.0.0.1/webhooks/instagram' } });
    const email = await api.call('POST', '/api/channels', {
      cookie,
      body: { kind: 'email', name: 'Help desk', settings: { address: ' Help@Brand.TEST ', smtp: { host: 'smtp.brand.test', port: 587, username: 'help' } }, secrets: { smtpPassword: 'mail-password' } },
    });
    expect(email.status).toBe(201);
    expect(email.body.channel).toMatchObject({ accountId: 'help@brand.test', webhook: null, secretsSet: ['smtpPassword'], settings: { smtp: { host: 'smtp.brand.test', port: 587, secure: false } } });
    expect(JSON.stringify(email.body)).not.toContain('mail-password');
  });

  it('one provider account connects to one channel in the whole installation (409 CHANNEL_ACCOUNT_TAKEN)', async () => {
    const settings = livePhone();
    const body = { kind: 'whatsapp', name: 'Line', settings, secrets: { accessToken: ACCESS_TOKEN, appSecret: APP_SECRET } };
    expect((await api.call('POST', '/api/channels', { cookie: await session(), body })).status).toBe(201);
    const elsewhere = await buildWorld(api.db.store);
    const response = await api.call('POST', '/api/channels', { cookie: await session('admin', elsewhere), body });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('CHANNEL_ACCOUNT_TAKEN');
  });

  it('an admin renames, reconfigures, replaces a secret and switches a channel off and on; a switched-off channel cannot start tickets', async () => {
    const cookie = await session();
    const created = await api.call('POST', '/api/channels', { cookie, body: { kind: 'whatsapp', name: 'Line', settings: livePhone(), secrets: { accessToken: ACCESS_TOKEN, appSecret: APP_SECRET } } });
    const id = created.body.channel.id;
    const renamed = await api.call('PATCH', `/api/channels/${id}`, { cookie, body: { name: 'Sales line', settings: { displayPhoneNumber: '+1 555 0100' }, secrets: { accessToken: 'EAAG-rotated-access-token-999999' } } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.channel).toMatchObject({ name: 'Sales line', settings: { displayPhoneNumber: '+1 555 0100', businessAccountId: '200000000000001' }, secretsSet: ['accessToken', 'appSecret'] });
    expect(renamed.body.channel.webhook.verifyToken).toBe(created.body.channel.webhook.verifyToken);
    expect(await storedSecrets(id)).toEqual({ accessToken: 'EAAG-rotated-access-token-999999', appSecret: APP_SECRET });

    const off = await api.call('PATCH', `/api/channels/${id}`, { cookie, body: { enabled: false } });
    expect(off.body.channel.enabled).toBe(false);
    const start = { channelId: id, contact: { address: newAddress('whatsapp') }, message: { kind: 'template', template: { name: 'follow_up', language: 'en_US', parameters: {} } } };
    const refused = await api.call('POST', '/api/tickets', { cookie, body: start });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('CHANNEL_DISABLED');
    await api.call('PATCH', `/api/channels/${id}`, { cookie, body: { enabled: true } });
    expect((await api.call('POST', '/api/tickets', { cookie, body: start })).status).toBe(201);
  });

  it('refuses changes that would break a channel: another account, a removed required secret, settings of another kind', async () => {
    const cookie = await session();
    const created = await api.call('POST', '/api/channels', { cookie, body: { kind: 'whatsapp', name: 'Line', settings: livePhone(), secrets: { accessToken: ACCESS_TOKEN, appSecret: APP_SECRET } } });
    const id = created.body.channel.id;
    const changes = [
      { settings: { phoneNumberId: '999999999999' } },
      { secrets: { appSecret: null } },
      { secrets: { smtpPassword: 'x' } },
      { secrets: { accessToken: 'short' } },
      { settings: { address: 'help@brand.test' } },
      { verifyToken: 'short' },
    ];
    for (const body of changes) {
      const response = await api.call('PATCH', `/api/channels/${id}`, { cookie, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect(await storedSecrets(id)).toEqual({ accessToken: ACCESS_TOKEN, appSecret: APP_SECRET });
    const unchanged = await api.call('GET', `/api/channels/${id}`, { cookie });
    expect(unchanged.body.channel).toEqual(created.body.channel);
  });

  it('agents read channels but cannot connect or change them (403); another workspace\'s channel answers 404', async () => {
    const agent = await session('agent');
    const listed = await api.call('GET', '/api/channels', { cookie: agent });
    expect(listed.body.channels.map((c: { id: string }) => c.id).sort()).toEqual(Object.values(api.world.channels).map((c) => c.id).sort());
    expect((await api.call('POST', '/api/channels', { cookie: agent, body: { kind: 'email', name: 'Mine', sandbox: true } })).status).toBe(403);
    expect((await api.call('PATCH', `/api/channels/${api.world.channels.email.id}`, { cookie: agent, body: { enabled: false } })).status).toBe(403);

    const other = await buildWorld(api.db.store);
    const outsider = await session('admin', other);
    expect((await api.call('GET', `/api/channels/${api.world.channels.email.id}`, { cookie: outsider })).status).toBe(404);
    expect((await api.call('PATCH', `/api/channels/${api.world.channels.email.id}`, { cookie: outsider, body: { name: 'Taken over' } })).status).toBe(404);
    expect((await api.call('GET', `/api/channels/${api.world.channels.whatsapp.id}/templates`, { cookie: outsider })).status).toBe(404);
    expect((await api.call('GET', '/api/channels', { cookie: outsider })).body.channels.map((c: { id: string }) => c.id)).not.toContain(api.world.channels.email.id);
    expect((await api.call('GET', '/api/channels')).status).toBe(401);
  });

  it('lists a WhatsApp channel\'s templates with their parameters; only approved ones are usable', async () => {
    const channel = api.world.channels.whatsapp;
    const template = (name: string, status: string, components: unknown[]) => ({
      id: newId(), workspace_id: api.world.workspaceId, channel_id: channel.id, name, language: 'en_US', category: 'UTILITY', status, components: JSON.stringify(components), updated_at: api.world.clock.now(),
    });
    await api.db.store.db
      .insertInto('templates')
      .values([
        template('ticket_followup_v1', 'APPROVED', [
          { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['A-1001'] } },
          { type: 'BODY', text: 'Hi {{1}}, we have an update on ticket {{2}}.', example: { body_text: [['Jane', 'T-123']] } },
          { type: 'FOOTER', text: 'Example Support' },
          { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Reopen' }, { type: 'URL', text: 'Track', url: 'https://track.example.org/{{1}}' }] },
        ]),
        template('spring_sale', 'PENDING', [{ type: 'BODY', text: 'Spring sale!' }]),
      ])
      .execute();
    const cookie = await session('agent');
    const all = await api.call('GET', `/api/channels/${channel.id}/templates`, { cookie });
    expect(all.status).toBe(200);
    expect(all.body.templates.map((t: { name: string; usable: boolean }) => [t.name, t.usable])).toEqual([['spring_sale', false], ['ticket_followup_v1', true]]);
    expect(all.body.templates[1]).toMatchObject({
      headerText: 'Order {{1}}',
      bodyText: 'Hi {{1}}, we have an update on ticket {{2}}.',
      footerText: 'Example Support',
      parameters: [
        { component: 'header', name: '1', type: 'text', example: 'A-1001' },
        { component: 'body', name: '1', type: 'text', example: 'Jane' },
        { component: 'body', name: '2', type: 'text', example: 'T-123' },
        { component: 'button', index: 0, name: 'payload', type: 'payload', optional: true },
        { component: 'button', index: 1, name: 'url_suffix', type: 'text' },
      ],
    });
    const usable = await api.call('GET', `/api/channels/${channel.id}/templates?usable=true`, { cookie });
    expect(usable.body.templates.map((t: { name: string }) => t.name)).toEqual(['ticket_followup_v1']);
  });

  it('asking for templates of an Instagram or email channel is refused with the channel\'s own code', async () => {
    const cookie = await session('agent');
    const instagram = await api.call('GET', `/api/channels/${api.world.channels.instagram.id}/templates`, { cookie });
    expect(instagram.status).toBe(422);
    expect(instagram.body.error.code).toBe('INSTAGRAM_TEMPLATES_UNSUPPORTED');
    const email = await api.call('GET', `/api/channels/${api.world.channels.email.id}/templates`, { cookie });
    expect(email.body.error.code).toBe('EMAIL_TEMPLATES_UNSUPPORTED');
  });
});
