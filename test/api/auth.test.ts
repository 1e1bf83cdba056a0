// Signing in, sessions, API tokens, cross-site protection and the error shape, over real HTTP on both engines.
import { describe, expect, it } from 'vitest';
import { PASSWORD, useApi } from '../support/api.js';
import { buildWorld } from '../support/factories.js';
import { ENGINES } from '../support/stores.js';

describe.each(ENGINES)('signing in and API tokens (%s)', (engine) => {
  const api = useApi(engine);

  it('signing in sets an httpOnly, SameSite=Lax session cookie that identifies the user', async () => {
    const { email, userId } = await api.addUser('agent');
    const response = await api.call('POST', '/api/auth/login', { body: { email: email.toUpperCase(), password: PASSWORD } });
    expect(response.status).toBe(200);
    expect(response.body.user).toMatchObject({ userId, email, role: 'agent', workspaceId: api.world.workspaceId });
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^threadbox_session=tbs_/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const me = await api.call('GET', '/api/auth/me', { cookie: cookie.split(';')[0] });
    expect(me.body.user.userId).toBe(userId);
  });

  it('a wrong password and an unknown email get the same 401 and no cookie', async () => {
    const { email } = await api.addUser('agent');
    for (const body of [{ email, password: 'wrong' }, { email: 'nobody@brand.test', password: PASSWORD }]) {
      const response = await api.call('POST', '/api/auth/login', { body });
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ error: { code: 'INVALID_CREDENTIALS', message: 'The email or password is wrong.', requestId: response.headers.get('x-request-id') } });
      expect(response.headers.get('set-cookie')).toBeNull();
    }
  });

  it('signing out ends the session', async () => {
    const { email } = await api.addUser('agent');
    const cookie = await api.signIn(email);
    expect((await api.call('POST', '/api/auth/logout', { cookie })).status).toBe(204);
    const me = await api.call('GET', '/api/auth/me', { cookie });
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('a deactivated user\'s session stops working', async () => {
    const { email, userId } = await api.addUser('agent');
    const cookie = await api.signIn(email);
    await api.db.store.db.updateTable('users').set({ active: 0 }).where('id', '=', userId).execute();
    expect((await api.call('GET', '/api/auth/me', { cookie })).status).toBe(401);
  });

  it('a cookie-authenticated change from another site, or with no origin, is refused with 403', async () => {
    const { email } = await api.addUser('agent');
    const cookie = await api.signIn(email);
    for (const origin of ['https://evil.example', '']) {
      const response = await api.call('POST', '/api/tokens', { cookie, body: { name: 'x' }, headers: origin ? { origin } : { origin: 'null' } });
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('FORBIDDEN');
    }
    expect((await api.call('GET', '/api/tokens', { cookie })).body.apiTokens).toEqual([]);
  });

  it('an API token is shown once, works as a bearer token, is listed without its secret and stops working when revoked', async () => {
    const { email, userId } = await api.addUser('admin');
    const cookie = await api.signIn(email);
    const created = await api.call('POST', '/api/tokens', { cookie, body: { name: 'CRM sync' } });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^tbt_/);
    const me = await api.call('GET', '/api/auth/me', { token: created.body.token });
    expect(me.body.user.userId).toBe(userId);
    const listed = await api.call('GET', '/api/tokens', { token: created.body.token });
    expect(listed.body.apiTokens).toEqual([{ id: created.body.apiToken.id, name: 'CRM sync', createdAt: expect.any(Number), lastUsedAt: api.world.clock.now(), revokedAt: null }]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);
    const stored = await api.db.store.db.selectFrom('api_tokens').select('token_hash').executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(created.body.token);
    expect((await api.call('DELETE', `/api/tokens/${created.body.apiToken.id}`, { cookie })).status).toBe(204);
    expect((await api.call('GET', '/api/auth/me', { token: created.body.token })).status).toBe(401);
  });

  it('a token records when it was last used, to the minute', async () => {
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const created = await api.call('POST', '/api/tokens', { cookie, body: { name: 'Reports' } });
    const lastUsed = async () => (await api.call('GET', '/api/tokens', { cookie })).body.apiTokens[0].lastUsedAt;
    expect(await lastUsed()).toBeNull();
    const firstUse = api.world.clock.now();
    await api.call('GET', '/api/auth/me', { token: created.body.token });
    expect(await lastUsed()).toBe(firstUse);
    api.world.clock.advance(30_000);
    await api.call('GET', '/api/auth/me', { token: created.body.token });
    expect(await lastUsed()).toBe(firstUse);
    api.world.clock.advance(60_000);
    await api.call('GET', '/api/auth/me', { token: created.body.token });
    expect(await lastUsed()).toBe(api.world.clock.now());
  });

  it('a token of another user or workspace cannot be revoked: 404, and it keeps working', async () => {
    const owner = await api.addUser('agent');
    const ownerCookie = await api.signIn(owner.email);
    const created = await api.call('POST', '/api/tokens', { cookie: ownerCookie, body: { name: 'mine' } });
    const otherWorld = await buildWorld(api.db.store);
    const stranger = await api.addUser('admin', otherWorld);
    const strangerCookie = await api.signIn(stranger.email);
    const attempt = await api.call('DELETE', `/api/tokens/${created.body.apiToken.id}`, { cookie: strangerCookie });
    expect(attempt.status).toBe(404);
    expect((await api.call('GET', '/api/auth/me', { token: created.body.token })).status).toBe(200);
  });

  it('anonymous calls get 401 with the error shape', async () => {
    const response = await api.call('GET', '/api/tokens');
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String), requestId: response.headers.get('x-request-id') } });
    expect((await api.call('GET', '/api/auth/me', { token: 'tbt_not-a-token' })).status).toBe(401);
  });

  it('bad input answers 400 with a code and changes nothing', async () => {
    const { email } = await api.addUser('agent');
    const cookie = await api.signIn(email);
    const malformed = await api.call('POST', '/api/tokens', { cookie, body: '{"name": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('INVALID_JSON');
    const unknownField = await api.call('POST', '/api/tokens', { cookie, body: { name: 'ok', admin: true } });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.code).toBe('VALIDATION_FAILED');
    const wrongType = await api.call('POST', '/api/tokens', { cookie, body: { name: 42 } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.code).toBe('VALIDATION_FAILED');
    const oversized = await api.call('POST', '/api/tokens', { cookie, body: { name: 'x'.repeat(2 * 1024 * 1024) } });
    expect(oversized.status).toBe(400);
    expect(oversized.body.error.code).toBe('BODY_TOO_LARGE');
    expect((await api.call('GET', '/api/tokens', { cookie })).body.apiTokens).toEqual([]);
  });

  it('an anonymous call is refused with 401 before its body is even read', async () => {
    const response = await api.call('POST', '/api/tickets', { body: '{"not json' });
    expect(response.status).toBe(401);
    const admin = await api.call('POST', '/api/users', { body: { email: 'x' } });
    expect(admin.status).toBe(401);
  });

  it('an unknown route answers 404 with the error shape', async () => {
    const response = await api.call('GET', '/api/nothing-here');
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('NOT_FOUND');
  });

  it('serves an OpenAPI 3 document generated from the route schemas, and a page to read it', async () => {
    const document = await api.call('GET', '/api/openapi.json');
    expect(document.body.openapi).toMatch(/^3\./);
    expect(Object.keys(document.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/auth/login',
        '/api/tokens',
        '/api/tokens/{id}',
        '/api/tickets',
        '/api/tickets/{id}/replies',
        '/api/contacts/{id}/merge',
        '/api/reply-window',
        '/api/channels/{id}',
        '/api/channels/{id}/templates',
        '/api/users/{id}',
        '/api/auto-close-rules/{id}',
        '/api/webhooks/{id}/rotate-secret',
        '/api/events',
      ]),
    );
    expect(document.body.paths['/api/auth/login'].post.requestBody.content['application/json'].schema.required).toEqual(['email', 'password']);
    const page = await fetch(`${api.url}/api/docs`);
    expect(page.status).toBe(200);
  });
});
