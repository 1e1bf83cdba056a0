// The assign picker's list over real HTTP on both engines: any signed-in user of the workspace sees its
// active people by name, and nobody of another workspace.
import { describe, expect, it } from 'vitest';
import { useApi } from '../support/api.js';
import { buildWorld } from '../support/factories.js';
import { ENGINES } from '../support/stores.js';

describe.each(ENGINES)('the teammates API (%s)', (engine) => {
  const api = useApi(engine);

  it("lets an agent list the workspace's active users by id and name only, and no other workspace's", async () => {
    const agent = await api.addUser('agent');
    const admin = await api.addUser('admin');
    const leaver = await api.addUser('agent');
    const adminCookie = await api.signIn(admin.email);
    expect((await api.call('PATCH', `/api/users/${leaver.userId}`, { cookie: adminCookie, body: { active: false } })).status).toBe(200);
    const otherWorld = await buildWorld(api.db.store);
    const stranger = await api.addUser('agent', otherWorld);

    const cookie = await api.signIn(agent.email);
    const response = await api.call('GET', '/api/teammates', { cookie });
    expect(response.status).toBe(200);
    const ids = response.body.teammates.map((t: { id: string }) => t.id);
    // The world's own two agents, the signed-in agent and the admin; never the deactivated one or a stranger.
    expect(ids).toEqual(expect.arrayContaining([agent.userId, admin.userId, api.world.agent.userId, api.world.otherAgent.userId]));
    expect(ids).toHaveLength(4);
    expect(ids).not.toContain(leaver.userId);
    expect(ids).not.toContain(stranger.userId);
    for (const teammate of response.body.teammates) expect(Object.keys(teammate).sort()).toEqual(['id', 'name']);

    expect((await api.call('GET', '/api/users', { cookie })).status).toBe(403);
    expect((await api.call('GET', '/api/teammates')).status).toBe(401);
  });
});
