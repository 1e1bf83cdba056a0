// Managing a workspace's users over real HTTP on both engines: adding people, roles, deactivation, and the
// rule that a workspace always keeps an active admin.
import { describe, expect, it } from 'vitest';
import { assignTicket } from '../../src/modules/tickets/ticket-actions.js';
import { changeUser } from '../../src/modules/users/user-admin.js';
import { PASSWORD, useApi } from '../support/api.js';
import { buildWorld, customerWroteIn } from '../support/factories.js';
import { ticketRow } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';

describe.each(ENGINES)('the users API (%s)', (engine) => {
  const api = useApi(engine);

  async function signedInAdmin() {
    const admin = await api.addUser('admin');
    return { ...admin, cookie: await api.signIn(admin.email) };
  }

  const userRow = (id: string) => api.db.store.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const usersNamed = (email: string) => api.db.store.db.selectFrom('users').select('id').where('email', '=', email).execute();
  const login = (email: string, password: string) => api.call('POST', '/api/auth/login', { body: { email, password } });

  it("lists the workspace's users with their role and activity, never a password hash", async () => {
    const admin = await signedInAdmin();
    const response = await api.call('GET', '/api/users', { cookie: admin.cookie });
    expect(response.status).toBe(200);
    expect(response.body.users.map((u: { id: string }) => u.id).sort()).toEqual([api.world.agent.userId, api.world.otherAgent.userId, admin.userId].sort());
    expect(response.body.users).toContainEqual({ id: admin.userId, email: admin.email, name: 'The admin', role: 'admin', active: true, createdAt: api.world.clock.now() });
    expect(JSON.stringify(response.body)).not.toMatch(/scrypt|password/i);
  });

  it('an admin adds an agent without a password, gets a one-time password once, and the agent signs in with it', async () => {
    const admin = await signedInAdmin();
    const created = await api.call('POST', '/api/users', { cookie: admin.cookie, body: { email: 'Lena@Brand.test', name: 'Lena', role: 'agent' } });
    expect(created.status).toBe(201);
    expect(created.body.user).toEqual({ id: expect.any(String), email: 'lena@brand.test', name: 'Lena', role: 'agent', active: true, createdAt: api.world.clock.now() });
    expect(created.body.temporaryPassword).toEqual(expect.any(String));
    expect(created.body.temporaryPassword.length).toBeGreaterThanOrEqual(20);
    expect((await userRow(created.body.user.id)).password_hash).not.toContain(created.body.temporaryPassword);
    const signedIn = await login('lena@brand.test', created.body.temporaryPassword);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user).toMatchObject({ userId: created.body.user.id, workspaceId: api.world.workspaceId, role: 'agent' });
    const listed = await api.call('GET', '/api/users', { cookie: admin.cookie });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.temporaryPassword);
  });

  it('an admin adds a user with a chosen password, which is not echoed back and works for signing in', async () => {
    const admin = await signedInAdmin();
    const created = await api.call('POST', '/api/users', { cookie: admin.cookie, body: { email: 'kai@brand.test', name: 'Kai', role: 'admin', password: 'ten chars!' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ user: expect.objectContaining({ email: 'kai@brand.test', role: 'admin' }) });
    expect((await login('kai@brand.test', 'ten chars!')).status).toBe(200);
  });

  it('a password shorter than 10 characters answers 400 and adds nobody', async () => {
    const admin = await signedInAdmin();
    const response = await api.call('POST', '/api/users', { cookie: admin.cookie, body: { email: 'weak@brand.test', name: 'Weak', role: 'agent', password: 'nine char' } });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('at least 10 characters'), details: { field: 'password' } });
    expect(await usersNamed('weak@brand.test')).toEqual([]);
  });

  it('an email already used, in this workspace or another and in any letter case, answers 409 EMAIL_TAKEN', async () => {
    const admin = await signedInAdmin();
    const elsewhere = await api.addUser('agent', await buildWorld(api.db.store));
    for (const email of [admin.email.toUpperCase(), elsewhere.email]) {
      const response = await api.call('POST', '/api/users', { cookie: admin.cookie, body: { email, name: 'Copy', role: 'agent' } });
      expect(response.status).toBe(409);
      expect(response.body.error.code).toBe('EMAIL_TAKEN');
    }
    expect(await usersNamed(elsewhere.email)).toHaveLength(1);
  });

  it('two admins adding the same email at once: one user is created, the other request gets 409 EMAIL_TAKEN', async () => {
    const admin = await signedInAdmin();
    const body = { email: 'twice@brand.test', name: 'Twice', role: 'agent' };
    const answers = await Promise.all([api.call('POST', '/api/users', { cookie: admin.cookie, body }), api.call('POST', '/api/users', { cookie: admin.cookie, body })]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(answers.find((a) => a.status === 409)!.body.error.code).toBe('EMAIL_TAKEN');
    expect(await usersNamed('twice@brand.test')).toHaveLength(1);
  });

  it('agents are refused with 403 on every users route and change nothing; anonymous callers get 401', async () => {
    const agent = await api.addUser('agent');
    const cookie = await api.signIn(agent.email);
    const attempts = [
      api.call('GET', '/api/users', { cookie }),
      api.call('POST', '/api/users', { cookie, body: { email: 'sneaky@brand.test', name: 'Sneaky', role: 'admin' } }),
      api.call('PATCH', `/api/users/${agent.userId}`, { cookie, body: { role: 'admin' } }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('FORBIDDEN');
    }
    expect((await userRow(agent.userId)).role).toBe('agent');
    expect(await usersNamed('sneaky@brand.test')).toEqual([]);
    expect((await api.call('GET', '/api/users')).status).toBe(401);
  });

  it("deactivating a user ends their sessions, revokes their API tokens and stops sign-in; their tickets stay assigned", async () => {
    const admin = await signedInAdmin();
    const agent = await api.addUser('agent');
    const agentCookie = await api.signIn(agent.email);
    const token = (await api.call('POST', '/api/tokens', { cookie: agentCookie, body: { name: 'CRM' } })).body.token;
    const { ticketId } = await customerWroteIn(api.world, api.world.channels.email);
    await assignTicket(api.world.deps, api.world.agent, ticketId, agent.userId);

    const response = await api.call('PATCH', `/api/users/${agent.userId}`, { cookie: admin.cookie, body: { active: false } });
    expect(response.status).toBe(200);
    expect(response.body.user).toMatchObject({ id: agent.userId, active: false, role: 'agent' });
    expect((await api.call('GET', '/api/auth/me', { cookie: agentCookie })).status).toBe(401);
    expect((await api.call('GET', '/api/auth/me', { token })).status).toBe(401);
    expect((await login(agent.email, PASSWORD)).status).toBe(401);
    expect(await api.db.store.db.selectFrom('sessions').select('id').where('user_id', '=', agent.userId).execute()).toEqual([]);
    expect(await api.db.store.db.selectFrom('api_tokens').select('revoked_at').where('user_id', '=', agent.userId).execute()).toEqual([{ revoked_at: api.world.clock.now() }]);
    expect((await ticketRow(api.db.store, ticketId)).assignee_user_id).toBe(agent.userId);

    const reactivated = await api.call('PATCH', `/api/users/${agent.userId}`, { cookie: admin.cookie, body: { active: true } });
    expect(reactivated.body.user.active).toBe(true);
    expect((await login(agent.email, PASSWORD)).status).toBe(200);
    expect((await api.call('GET', '/api/auth/me', { cookie: agentCookie })).status).toBe(401);
    expect((await api.call('GET', '/api/auth/me', { token })).status).toBe(401);
  });

  it('the last active admin cannot demote or deactivate themselves: 409 LAST_ADMIN and nothing changes', async () => {
    const admin = await signedInAdmin();
    // An inactive admin does not count: the workspace could not be administered through them.
    const dormant = await api.addUser('admin');
    await api.db.store.db.updateTable('users').set({ active: 0 }).where('id', '=', dormant.userId).execute();
    for (const body of [{ role: 'agent' }, { active: false }, { role: 'agent', active: false, name: 'Renamed' }]) {
      const response = await api.call('PATCH', `/api/users/${admin.userId}`, { cookie: admin.cookie, body });
      expect(response.status).toBe(409);
      expect(response.body.error).toMatchObject({ code: 'LAST_ADMIN', message: expect.stringContaining('only active admin') });
    }
    expect(await userRow(admin.userId)).toMatchObject({ role: 'admin', active: 1, name: 'The admin' });
    expect((await api.call('GET', '/api/users', { cookie: admin.cookie })).status).toBe(200);
  });

  it('with another active admin, an admin can step down to agent', async () => {
    const admin = await signedInAdmin();
    await api.addUser('admin');
    const response = await api.call('PATCH', `/api/users/${admin.userId}`, { cookie: admin.cookie, body: { role: 'agent' } });
    expect(response.status).toBe(200);
    expect(response.body.user.role).toBe('agent');
    expect((await api.call('GET', '/api/users', { cookie: admin.cookie })).status).toBe(403);
  });

  it('two admins demoting each other at once: one succeeds, the other is refused with LAST_ADMIN, and an admin remains', async () => {
    // Called below HTTP: over HTTP the later request may already be refused as coming from an agent.
    const first = await api.addUser('admin');
    const second = await api.addUser('admin');
    const callerFor = (userId: string) => ({ userId, workspaceId: api.world.workspaceId, role: 'admin' as const, email: '', name: '', via: 'session' as const });
    // Two pooled connections up front, so neither transaction waits for a connection to open.
    await Promise.all([0, 1].map(() => api.db.store.db.selectFrom('users').select('id').execute()));
    const outcomes = await Promise.allSettled([
      changeUser(api.world.deps, callerFor(first.userId), second.userId, { role: 'agent' }),
      changeUser(api.world.deps, callerFor(second.userId), first.userId, { role: 'agent' }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: { code: 'LAST_ADMIN' } });
    const admins = await api.db.store.db.selectFrom('users').select('id').where('workspace_id', '=', api.world.workspaceId).where('role', '=', 'admin').where('active', '=', 1).execute();
    expect(admins).toHaveLength(1);
  });

  it('a promotion takes effect at once: the new admin can use admin routes with the session they already had, and a rename shows', async () => {
    const admin = await signedInAdmin();
    const agent = await api.addUser('agent');
    const agentCookie = await api.signIn(agent.email);
    expect((await api.call('GET', '/api/users', { cookie: agentCookie })).status).toBe(403);
    const response = await api.call('PATCH', `/api/users/${agent.userId}`, { cookie: admin.cookie, body: { role: 'admin', name: 'Lead Agent' } });
    expect(response.body.user).toMatchObject({ role: 'admin', name: 'Lead Agent', active: true });
    expect((await api.call('GET', '/api/users', { cookie: agentCookie })).status).toBe(200);
    expect((await api.call('GET', '/api/auth/me', { cookie: agentCookie })).body.user).toMatchObject({ role: 'admin', name: 'Lead Agent' });
  });

  it("another workspace's user answers 404, is not listed and is left unchanged", async () => {
    const admin = await signedInAdmin();
    const stranger = await api.addUser('admin', await buildWorld(api.db.store));
    const strangerCookie = await api.signIn(stranger.email);
    const response = await api.call('PATCH', `/api/users/${stranger.userId}`, { cookie: admin.cookie, body: { active: false } });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('NOT_FOUND');
    expect((await api.call('PATCH', '/api/users/no-such-user', { cookie: admin.cookie, body: { active: false } })).status).toBe(404);
    const listed = await api.call('GET', '/api/users', { cookie: admin.cookie });
    expect(listed.body.users.map((u: { id: string }) => u.id)).not.toContain(stranger.userId);
    expect(await userRow(stranger.userId)).toMatchObject({ active: 1 });
    expect((await api.call('GET', '/api/auth/me', { cookie: strangerCookie })).status).toBe(200);
  });

  it('unknown fields, a bad email or role, and an empty change answer 400 VALIDATION_FAILED and change nothing', async () => {
    const admin = await signedInAdmin();
    const agent = await api.addUser('agent');
    const bad = [
      api.call('POST', '/api/users', { cookie: admin.cookie, body: { email: 'x@brand.test', name: 'X', role: 'agent', workspaceId: 'elsewhere' } }),
      api.call('POST', '/api/users', { cookie: admin.cookie, body: { email: 'not-an-email', name: 'X', role: 'agent' } }),
      api.call('POST', '/api/users', { cookie: admin.cookie, body: { email: 'x@brand.test', name: 'X', role: 'owner' } }),
      api.call('POST', '/api/users', { cookie: admin.cookie, body: { email: 'x@brand.test', name: ' ', role: 'agent' } }),
      api.call('PATCH', `/api/users/${agent.userId}`, { cookie: admin.cookie, body: { password: 'a new password' } }),
      api.call('PATCH', `/api/users/${agent.userId}`, { cookie: admin.cookie, body: { email: 'new@brand.test' } }),
      api.call('PATCH', `/api/users/${agent.userId}`, { cookie: admin.cookie, body: {} }),
    ];
    for (const response of await Promise.all(bad)) {
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect(await usersNamed('x@brand.test')).toEqual([]);
    expect(await userRow(agent.userId)).toMatchObject({ email: agent.email, role: 'agent', active: 1 });
  });
});
