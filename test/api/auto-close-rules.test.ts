// Auto-close rules over real HTTP on both engines: the admin's list, add, change and delete, the bounds of
// a duration, workspace scoping, and a rule added here actually closing a quiet ticket.
import { describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/domain/clock.js';
import { runAutoClose } from '../../src/modules/auto-close/run-auto-close.js';
import { replyToTicket } from '../../src/modules/messages/reply-to-ticket.js';
import { useApi } from '../support/api.js';
import { buildWorld, customerWroteIn } from '../support/factories.js';
import { ticketRow } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';

describe.each(ENGINES)('the auto-close rules API (%s)', (engine) => {
  const api = useApi(engine);

  async function adminCookie() {
    return api.signIn((await api.addUser('admin')).email);
  }

  const ruleRows = () => api.db.store.db.selectFrom('auto_close_rules').selectAll().orderBy('kind').execute();
  const customerInactivity = (channelId: string, durationMinutes = 60) => ({ channelId, kind: 'customer_inactivity', durationMinutes, enabled: true });

  it('an admin adds, lists, changes and deletes a rule', async () => {
    const cookie = await adminCookie();
    const email = api.world.channels.email.id;
    const createdAt = api.world.clock.now();
    const created = await api.call('POST', '/api/auto-close-rules', { cookie, body: customerInactivity(email, 3 * 24 * 60) });
    expect(created.status).toBe(201);
    const rule = created.body.rule;
    expect(rule).toEqual({ id: expect.any(String), channelId: email, kind: 'customer_inactivity', durationMinutes: 4320, enabled: true, createdAt, updatedAt: createdAt });
    const other = await api.call('POST', '/api/auto-close-rules', { cookie, body: { channelId: api.world.channels.whatsapp.id, kind: 'agent_inactivity', durationMinutes: 1440, enabled: false } });
    expect(other.status).toBe(201);

    expect((await api.call('GET', '/api/auto-close-rules', { cookie })).body.rules.map((r: { id: string }) => r.id).sort()).toEqual([rule.id, other.body.rule.id].sort());
    expect((await api.call('GET', `/api/auto-close-rules?channelId=${email}`, { cookie })).body.rules).toEqual([rule]);

    api.world.clock.advance(MINUTE);
    const changed = await api.call('PATCH', `/api/auto-close-rules/${rule.id}`, { cookie, body: { durationMinutes: 120, enabled: false } });
    expect(changed.status).toBe(200);
    expect(changed.body.rule).toEqual({ ...rule, durationMinutes: 120, enabled: false, updatedAt: createdAt + MINUTE });
    const switchedOn = await api.call('PATCH', `/api/auto-close-rules/${rule.id}`, { cookie, body: { enabled: true } });
    expect(switchedOn.body.rule).toMatchObject({ durationMinutes: 120, enabled: true });

    expect((await api.call('DELETE', `/api/auto-close-rules/${rule.id}`, { cookie })).status).toBe(204);
    expect((await api.call('GET', `/api/auto-close-rules?channelId=${email}`, { cookie })).body.rules).toEqual([]);
    expect((await api.call('DELETE', `/api/auto-close-rules/${rule.id}`, { cookie })).status).toBe(404);
    expect((await api.call('PATCH', `/api/auto-close-rules/${rule.id}`, { cookie, body: { enabled: false } })).status).toBe(404);
  });

  it('a second rule of the same kind on a channel answers 409 AUTO_CLOSE_RULE_EXISTS and leaves the first as it was; the other kind is welcome', async () => {
    const cookie = await adminCookie();
    const email = api.world.channels.email.id;
    const first = (await api.call('POST', '/api/auto-close-rules', { cookie, body: customerInactivity(email, 60) })).body.rule;
    const again = await api.call('POST', '/api/auto-close-rules', { cookie, body: customerInactivity(email, 30) });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'AUTO_CLOSE_RULE_EXISTS', details: { ruleId: first.id } });
    expect(await ruleRows()).toEqual([expect.objectContaining({ id: first.id, duration_minutes: 60 })]);
    const otherKind = await api.call('POST', '/api/auto-close-rules', { cookie, body: { ...customerInactivity(email), kind: 'agent_inactivity' } });
    expect(otherKind.status).toBe(201);
  });

  it('two admins adding the same rule at once: one is added, the other request gets 409 AUTO_CLOSE_RULE_EXISTS', async () => {
    const cookie = await adminCookie();
    const body = customerInactivity(api.world.channels.instagram.id);
    const answers = await Promise.all([api.call('POST', '/api/auto-close-rules', { cookie, body }), api.call('POST', '/api/auto-close-rules', { cookie, body })]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(answers.find((a) => a.status === 409)!.body.error.code).toBe('AUTO_CLOSE_RULE_EXISTS');
    expect(await ruleRows()).toHaveLength(1);
  });

  it('durations outside 5 minutes to 90 days answer 400 with the domain sentence and change nothing; the bounds themselves are accepted', async () => {
    const cookie = await adminCookie();
    const email = api.world.channels.email.id;
    for (const durationMinutes of [4, 0, -60, 90 * 24 * 60 + 1, 10.5]) {
      const response = await api.call('POST', '/api/auto-close-rules', { cookie, body: customerInactivity(email, durationMinutes) });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('from 5 to 129600'), details: { field: 'durationMinutes' } });
    }
    expect(await ruleRows()).toEqual([]);
    const shortest = await api.call('POST', '/api/auto-close-rules', { cookie, body: customerInactivity(email, 5) });
    expect(shortest.status).toBe(201);
    const tooLong = await api.call('PATCH', `/api/auto-close-rules/${shortest.body.rule.id}`, { cookie, body: { durationMinutes: 90 * 24 * 60 + 1 } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'durationMinutes' } });
    expect((await ruleRows())[0]).toMatchObject({ duration_minutes: 5 });
    const longest = await api.call('PATCH', `/api/auto-close-rules/${shortest.body.rule.id}`, { cookie, body: { durationMinutes: 90 * 24 * 60 } });
    expect(longest.body.rule.durationMinutes).toBe(129600);
  });

  it('an unknown kind, unknown fields, missing fields, wrong types and an empty change answer 400 VALIDATION_FAILED', async () => {
    const cookie = await adminCookie();
    const email = api.world.channels.email.id;
    const rule = (await api.call('POST', '/api/auto-close-rules', { cookie, body: customerInactivity(email) })).body.rule;
    const bad = [
      api.call('POST', '/api/auto-close-rules', { cookie, body: { ...customerInactivity(email), kind: 'everything_inactivity' } }),
      api.call('POST', '/api/auto-close-rules', { cookie, body: { ...customerInactivity(email), kind: 'agent_inactivity', workspaceId: 'elsewhere' } }),
      api.call('POST', '/api/auto-close-rules', { cookie, body: { channelId: email, kind: 'agent_inactivity', durationMinutes: 60 } }),
      api.call('POST', '/api/auto-close-rules', { cookie, body: { ...customerInactivity(email), kind: 'agent_inactivity', durationMinutes: '60' } }),
      api.call('PATCH', `/api/auto-close-rules/${rule.id}`, { cookie, body: { kind: 'agent_inactivity' } }),
      api.call('PATCH', `/api/auto-close-rules/${rule.id}`, { cookie, body: {} }),
      api.call('GET', `/api/auto-close-rules?channel=${email}`, { cookie }),
    ];
    for (const response of await Promise.all(bad)) {
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect(await ruleRows()).toEqual([expect.objectContaining({ id: rule.id, kind: 'customer_inactivity', duration_minutes: 60, enabled: 1 })]);
  });

  it("another workspace's channels and rules answer 404 and are left alone", async () => {
    const cookie = await adminCookie();
    const other = await buildWorld(api.db.store);
    const theirCookie = await api.signIn((await api.addUser('admin', other)).email);
    const theirs = (await api.call('POST', '/api/auto-close-rules', { cookie: theirCookie, body: customerInactivity(other.channels.email.id) })).body.rule;

    const onTheirChannel = await api.call('POST', '/api/auto-close-rules', { cookie, body: customerInactivity(other.channels.email.id) });
    expect(onTheirChannel.status).toBe(404);
    expect(onTheirChannel.body.error.code).toBe('NOT_FOUND');
    expect((await api.call('GET', `/api/auto-close-rules?channelId=${other.channels.email.id}`, { cookie })).status).toBe(404);
    expect((await api.call('GET', '/api/auto-close-rules', { cookie })).body.rules).toEqual([]);
    expect((await api.call('PATCH', `/api/auto-close-rules/${theirs.id}`, { cookie, body: { enabled: false } })).status).toBe(404);
    expect((await api.call('DELETE', `/api/auto-close-rules/${theirs.id}`, { cookie })).status).toBe(404);
    expect(await ruleRows()).toEqual([expect.objectContaining({ id: theirs.id, workspace_id: other.workspaceId, enabled: 1 })]);
  });

  it('agents get 403 on every rules route and change nothing; anonymous callers get 401', async () => {
    const rule = (await api.call('POST', '/api/auto-close-rules', { cookie: await adminCookie(), body: customerInactivity(api.world.channels.email.id) })).body.rule;
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const attempts = [
      api.call('GET', '/api/auto-close-rules', { cookie }),
      api.call('POST', '/api/auto-close-rules', { cookie, body: customerInactivity(api.world.channels.whatsapp.id) }),
      api.call('PATCH', `/api/auto-close-rules/${rule.id}`, { cookie, body: { enabled: false } }),
      api.call('DELETE', `/api/auto-close-rules/${rule.id}`, { cookie }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('FORBIDDEN');
    }
    expect(await ruleRows()).toEqual([expect.objectContaining({ id: rule.id, enabled: 1 })]);
    expect((await api.call('GET', '/api/auto-close-rules')).status).toBe(401);
  });

  it('a rule added through the API closes a ticket the customer left unanswered, and stops once switched off', async () => {
    const cookie = await adminCookie();
    const channel = api.world.channels.email;
    const quiet = async () => {
      const { ticketId } = await customerWroteIn(api.world, channel);
      await replyToTicket(api.world.deps, api.world.agent, ticketId, { message: { kind: 'text', body: 'Does this solve it?' } });
      return { ticketId, spokeAt: api.world.clock.now() };
    };
    const rule = (await api.call('POST', '/api/auto-close-rules', { cookie, body: customerInactivity(channel.id, 60) })).body.rule;
    const first = await quiet();
    expect(await runAutoClose(api.world.deps, first.spokeAt + 60 * MINUTE)).toBe(1);
    expect(await ticketRow(api.db.store, first.ticketId)).toMatchObject({ status: 'closed', closed_by_rule_id: rule.id, close_reason: 'customer_inactivity' });

    await api.call('PATCH', `/api/auto-close-rules/${rule.id}`, { cookie, body: { enabled: false } });
    const second = await quiet();
    expect(await runAutoClose(api.world.deps, second.spokeAt + 120 * MINUTE)).toBe(0);
    expect((await ticketRow(api.db.store, second.ticketId)).status).toBe('open');
  });
});
