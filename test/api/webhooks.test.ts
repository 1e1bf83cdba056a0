// The webhooks admin API over real HTTP on both engines: secrets shown once, changes, and every refusal.
import { describe, expect, it } from 'vitest';
import { useApi } from '../support/api.js';
import { buildWorld } from '../support/factories.js';
import { countRows } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';

const ALL_TYPES = ['ticket.created', 'ticket.updated', 'message.created', 'message.status'];

describe.each(ENGINES)('the webhooks API (%s)', (engine) => {
  const api = useApi(engine);

  async function adminCookie(world = api.world): Promise<string> {
    return api.signIn((await api.addUser('admin', world)).email);
  }

  async function create(cookie: string, body: Record<string, unknown> = {}) {
    const response = await api.call('POST', '/api/webhooks', { cookie, body: { url: 'https://hooks.example.test/threadbox', eventTypes: ['message.created'], ...body } });
    expect(response.status).toBe(201);
    return response.body as { webhook: { id: string } & Record<string, unknown>; secret?: string };
  }

  it('an admin creates a webhook and sees its generated secret once; the list and the webhook never show it', async () => {
    const cookie = await adminCookie();
    const created = await create(cookie, { eventTypes: ['message.status', 'ticket.created', 'ticket.created'], description: '  CRM sync  ' });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created.webhook).toEqual({
      id: expect.any(String),
      url: 'https://hooks.example.test/threadbox',
      eventTypes: ['ticket.created', 'message.status'],
      enabled: true,
      description: 'CRM sync',
      createdAt: api.world.clock.now(),
      updatedAt: api.world.clock.now(),
      lastDeliveryAt: null,
      lastFailureAt: null,
      lastFailureReason: null,
    });

    const list = await api.call('GET', '/api/webhooks', { cookie });
    expect(list.status).toBe(200);
    expect(list.body.webhooks).toEqual([created.webhook]);
    const one = await api.call('GET', `/api/webhooks/${created.webhook.id}`, { cookie });
    expect(one.body).toEqual({ webhook: created.webhook });
    for (const response of [list, one]) expect(JSON.stringify(response.body)).not.toContain(created.secret);
  });

  it('an admin may bring their own secret, which is never echoed back', async () => {
    const cookie = await adminCookie();
    const secret = 'my-own-shared-secret-0123456789';
    const created = await create(cookie, { secret });
    expect(created.secret).toBeUndefined();
    expect(JSON.stringify(created)).not.toContain(secret);
    expect(JSON.stringify((await api.call('GET', '/api/webhooks', { cookie })).body)).not.toContain(secret);
  });

  it('an API token of an admin manages webhooks too', async () => {
    const cookie = await adminCookie();
    const token = (await api.call('POST', '/api/tokens', { cookie, body: { name: 'ci' } })).body.token;
    const created = await api.call('POST', '/api/webhooks', { token, body: { url: 'http://10.0.0.5:8080/in', eventTypes: ALL_TYPES } });
    expect(created.status).toBe(201);
    expect(created.body.webhook.eventTypes).toEqual(ALL_TYPES);
  });

  it('PATCH changes the URL, types, description and enabled flag, and an empty change is refused', async () => {
    const cookie = await adminCookie();
    const { webhook } = await create(cookie, { description: 'old' });
    api.world.clock.advance(1_000);
    const changed = await api.call('PATCH', `/api/webhooks/${webhook.id}`, {
      cookie,
      body: { url: 'http://hooks.example.test/v2', eventTypes: ['ticket.updated'], enabled: false, description: null },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.webhook).toMatchObject({ url: 'http://hooks.example.test/v2', eventTypes: ['ticket.updated'], enabled: false, description: null, updatedAt: api.world.clock.now() });
    expect(JSON.stringify(changed.body)).not.toMatch(/whsec_/);

    const empty = await api.call('PATCH', `/api/webhooks/${webhook.id}`, { cookie, body: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('VALIDATION_FAILED');
    expect((await api.call('GET', `/api/webhooks/${webhook.id}`, { cookie })).body.webhook).toEqual(changed.body.webhook);
  });

  it('rotating the secret returns a new one, once', async () => {
    const cookie = await adminCookie();
    const created = await create(cookie);
    const rotated = await api.call('POST', `/api/webhooks/${created.webhook.id}/rotate-secret`, { cookie });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.secret);
    expect(rotated.body.webhook.id).toBe(created.webhook.id);
    const read = await api.call('GET', `/api/webhooks/${created.webhook.id}`, { cookie });
    expect(JSON.stringify(read.body)).not.toContain(rotated.body.secret);
  });

  it('DELETE answers 204, after which the webhook is gone', async () => {
    const cookie = await adminCookie();
    const { webhook } = await create(cookie);
    const deleted = await api.call('DELETE', `/api/webhooks/${webhook.id}`, { cookie });
    expect(deleted.status).toBe(204);
    expect((await api.call('GET', `/api/webhooks/${webhook.id}`, { cookie })).status).toBe(404);
    expect((await api.call('DELETE', `/api/webhooks/${webhook.id}`, { cookie })).status).toBe(404);
    expect((await api.call('GET', '/api/webhooks', { cookie })).body.webhooks).toEqual([]);
  });

  it('a URL that is not http or https is refused with 400 and nothing is created', async () => {
    const cookie = await adminCookie();
    for (const url of ['ftp://files.example.test/in', 'javascript:alert(1)', 'file:///etc/passwd', 'hooks.example.test/in', '']) {
      const response = await api.call('POST', '/api/webhooks', { cookie, body: { url, eventTypes: ['message.created'] } });
      expect(response.status, url).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
    }
    const { webhook } = await create(cookie);
    const patched = await api.call('PATCH', `/api/webhooks/${webhook.id}`, { cookie, body: { url: 'ws://hooks.example.test/in' } });
    expect(patched.status).toBe(400);
    expect(await countRows(api.db.store, 'webhooks')).toBe(1);
    expect((await api.call('GET', `/api/webhooks/${webhook.id}`, { cookie })).body.webhook.url).toBe('https://hooks.example.test/threadbox');
  });

  it('empty or unknown event types, a short secret and unknown fields are refused with 400 and nothing is created', async () => {
    const cookie = await adminCookie();
    const bodies = [
      { url: 'https://hooks.example.test/in', eventTypes: [] },
      { url: 'https://hooks.example.test/in', eventTypes: ['contact.merged'] },
      { url: 'https://hooks.example.test/in' },
      { url: 'https://hooks.example.test/in', eventTypes: ['message.created'], secret: 'short' },
      { url: 'https://hooks.example.test/in', eventTypes: ['message.created'], enabled: false },
    ];
    for (const body of bodies) {
      const response = await api.call('POST', '/api/webhooks', { cookie, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect(await countRows(api.db.store, 'webhooks')).toBe(0);
    const { webhook } = await create(cookie);
    const patched = await api.call('PATCH', `/api/webhooks/${webhook.id}`, { cookie, body: { eventTypes: [] } });
    expect(patched.status).toBe(400);
    expect((await api.call('GET', `/api/webhooks/${webhook.id}`, { cookie })).body.webhook.eventTypes).toEqual(['message.created']);
  });

  it('agents are refused with 403 on every webhook route, and anonymous callers with 401', async () => {
    const { webhook } = await create(await adminCookie());
    const agent = await api.signIn((await api.addUser('agent')).email);
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/webhooks'],
      ['POST', '/api/webhooks', { url: 'https://hooks.example.test/in', eventTypes: ['message.created'] }],
      ['GET', `/api/webhooks/${webhook.id}`],
      ['PATCH', `/api/webhooks/${webhook.id}`, { enabled: false }],
      ['POST', `/api/webhooks/${webhook.id}/rotate-secret`],
      ['DELETE', `/api/webhooks/${webhook.id}`],
    ];
    for (const [method, path, body] of routes) {
      const asAgent = await api.call(method, path, { cookie: agent, body });
      expect(asAgent.status, `${method} ${path}`).toBe(403);
      expect(asAgent.body.error.code).toBe('FORBIDDEN');
      expect((await api.call(method, path, { body })).status, `${method} ${path}`).toBe(401);
    }
    expect(await countRows(api.db.store, 'webhooks')).toBe(1);
  });

  it("another workspace's webhook answers 404 everywhere, never appears in a list and stays unchanged", async () => {
    const cookie = await adminCookie();
    const { webhook, secret } = await create(cookie);
    const other = await buildWorld(api.db.store);
    const outsider = await adminCookie(other);

    expect((await api.call('GET', '/api/webhooks', { cookie: outsider })).body.webhooks).toEqual([]);
    for (const [method, path, body] of [
      ['GET', `/api/webhooks/${webhook.id}`],
      ['PATCH', `/api/webhooks/${webhook.id}`, { enabled: false, url: 'https://attacker.example.test/' }],
      ['POST', `/api/webhooks/${webhook.id}/rotate-secret`],
      ['DELETE', `/api/webhooks/${webhook.id}`],
    ] as [string, string, unknown?][]) {
      const response = await api.call(method, path, { cookie: outsider, body });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body.error.code).toBe('NOT_FOUND');
    }
    const stored = await api.db.store.db.selectFrom('webhooks').selectAll().where('id', '=', webhook.id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ enabled: 1, url: 'https://hooks.example.test/threadbox', secret });
  });
});
