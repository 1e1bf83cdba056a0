// The tickets API over real HTTP on both engines: "+ New", replies, notes, actions, lists and workspace scoping.
import { describe, expect, it } from 'vitest';
import { HOUR } from '../../src/domain/clock.js';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { useApi } from '../support/api.js';
import { buildWorld, inbound, newAddress } from '../support/factories.js';
import { ENGINES } from '../support/stores.js';

describe.each(ENGINES)('the tickets API (%s)', (engine) => {
  const api = useApi(engine);

  async function agentSession() {
    const agent = await api.addUser('agent');
    return { ...agent, cookie: await api.signIn(agent.email) };
  }

  async function customerWrote(hoursAgo = 1, address = newAddress('whatsapp')) {
    const result = await ingestInbound(api.world.deps, inbound(api.world.channels.whatsapp, api.world.clock, { address, sentAt: api.world.clock.hoursAgo(hoursAgo) }));
    if (result.outcome !== 'stored') throw new Error('expected the message to be stored');
    return { ...result, address };
  }

  it('"+ New" answers 201 with a new agent ticket, then 200 with created: false and the same ticket', async () => {
    const { cookie, userId } = await agentSession();
    const { address } = await customerWrote(30);
    const template = { kind: 'template', template: { name: 'follow_up', language: 'en_US', parameters: { body: ['Ana'] } } };
    const first = await api.call('POST', '/api/tickets', { cookie, body: { channelId: api.world.channels.whatsapp.id, contact: { address }, message: template } });
    expect(first.status).toBe(200);
    expect(first.body.created).toBe(false);
    const fresh = newAddress('whatsapp');
    const created = await api.call('POST', '/api/tickets', { cookie, body: { channelId: api.world.channels.whatsapp.id, contact: { address: fresh, name: 'Ana' }, message: template } });
    expect(created.status).toBe(201);
    expect(created.body.ticket).toMatchObject({ createdBy: 'agent', assigneeUserId: userId, creatorUserId: userId, status: 'open', contact: { name: 'Ana' } });
    expect(created.body.message).toMatchObject({ status: 'queued', kind: 'template' });
    const again = await api.call('POST', '/api/tickets', { cookie, body: { channelId: api.world.channels.whatsapp.id, contact: { address: fresh }, message: template } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, ticket: { id: created.body.ticket.id } });
  });

  it('"+ New" with free text outside the WhatsApp window is refused with 422 WHATSAPP_TEMPLATE_REQUIRED and stores nothing', async () => {
    const { cookie } = await agentSession();
    const { ticketId, address } = await customerWrote(25);
    await api.call('POST', `/api/tickets/${ticketId}/close`, { cookie });
    const refused = await api.call('POST', '/api/tickets', { cookie, body: { channelId: api.world.channels.whatsapp.id, contact: { address }, message: { kind: 'text', body: 'Hello again' } } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('WHATSAPP_TEMPLATE_REQUIRED');
    expect(refused.body.error.message).toMatch(/25 h ago/);
    const list = await api.call('GET', '/api/tickets', { cookie });
    expect(list.body.tickets).toHaveLength(1);
  });

  it('a reply with "set pending", a note, assignment, priority and tags all show on the ticket and its timeline', async () => {
    const { cookie, userId } = await agentSession();
    const { ticketId } = await customerWrote(1);
    const reply = await api.call('POST', `/api/tickets/${ticketId}/replies`, { cookie, body: { message: { kind: 'text', body: 'On it!' }, setStatus: 'pending' } });
    expect(reply.status).toBe(201);
    expect(reply.body.ticket.status).toBe('pending');
    expect((await api.call('POST', `/api/tickets/${ticketId}/notes`, { cookie, body: { body: 'VIP customer' } })).status).toBe(201);
    expect((await api.call('POST', `/api/tickets/${ticketId}/assignee`, { cookie, body: { userId } })).body.ticket.assigneeUserId).toBe(userId);
    expect((await api.call('POST', `/api/tickets/${ticketId}/priority`, { cookie, body: { priority: 'high' } })).body.ticket.priority).toBe('high');
    expect((await api.call('POST', `/api/tickets/${ticketId}/tags`, { cookie, body: { tags: ['Refund', 'refund', 'vip'] } })).body.ticket.tags).toEqual(['refund', 'vip']);
    const detail = await api.call('GET', `/api/tickets/${ticketId}`, { cookie });
    expect(detail.body.messages.map((m: { kind: string; direction: string }) => [m.kind, m.direction])).toEqual([['text', 'inbound'], ['text', 'outbound'], ['note', 'internal']]);
    expect(detail.body.events.map((e: { type: string }) => e.type)).toEqual(['ticket.created', 'status.changed', 'assigned', 'priority.changed', 'tags.changed']);
  });

  it('close, then reopen is refused with 409 naming the active ticket once the customer wrote again', async () => {
    const { cookie } = await agentSession();
    const { ticketId, address } = await customerWrote(1);
    expect((await api.call('POST', `/api/tickets/${ticketId}/close`, { cookie, body: { reason: 'solved' } })).body.ticket).toMatchObject({ status: 'closed', closeReason: 'solved' });
    const next = await customerWrote(0, address);
    expect(next.ticketNumber).toBe(2);
    const reopen = await api.call('POST', `/api/tickets/${ticketId}/reopen`, { cookie });
    expect(reopen.status).toBe(409);
    expect(reopen.body.error).toMatchObject({ code: 'ACTIVE_TICKET_EXISTS', details: { activeTicketNumber: 2 } });
  });

  it('lists filter by status, assignee and tag, and pages with a stable cursor', async () => {
    const { cookie, userId } = await agentSession();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await customerWrote(1)).ticketId);
      api.world.clock.advance(1000);
    }
    await api.call('POST', `/api/tickets/${ids[0]}/assignee`, { cookie, body: { userId } });
    await api.call('POST', `/api/tickets/${ids[1]}/status`, { cookie, body: { status: 'pending' } });
    await api.call('POST', `/api/tickets/${ids[2]}/tags`, { cookie, body: { tags: ['billing'] } });
    const mine = await api.call('GET', '/api/tickets?assignee=me', { cookie });
    expect(mine.body.tickets.map((t: { id: string }) => t.id)).toEqual([ids[0]]);
    expect((await api.call('GET', '/api/tickets?status=pending', { cookie })).body.tickets.map((t: { id: string }) => t.id)).toEqual([ids[1]]);
    expect((await api.call('GET', '/api/tickets?tag=billing', { cookie })).body.tickets.map((t: { id: string }) => t.id)).toEqual([ids[2]]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { tickets: { id: string }[]; nextCursor: string | null } } = await api.call('GET', `/api/tickets?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { cookie });
      seen.push(...page.body.tickets.map((t) => t.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  it('a bad cursor or an unknown status answers 400 with a code', async () => {
    const { cookie } = await agentSession();
    const badCursor = await api.call('GET', '/api/tickets?cursor=not-a-cursor', { cookie });
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error.code).toBe('INVALID_CURSOR');
    const badStatus = await api.call('GET', '/api/tickets?status=lost', { cookie });
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('tickets of another workspace answer 404 and stay untouched, and never appear in lists', async () => {
    const { ticketId } = await customerWrote(1);
    const otherWorld = await buildWorld(api.db.store);
    const stranger = await api.addUser('admin', otherWorld);
    const cookie = await api.signIn(stranger.email);
    expect((await api.call('GET', `/api/tickets/${ticketId}`, { cookie })).status).toBe(404);
    for (const [path, body] of [['close', {}], ['notes', { body: 'x' }], ['replies', { message: { kind: 'text', body: 'x' } }], ['priority', { priority: 'low' }]] as const) {
      const response = await api.call('POST', `/api/tickets/${ticketId}/${path}`, { cookie, body });
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('NOT_FOUND');
    }
    expect((await api.call('GET', '/api/tickets', { cookie })).body.tickets).toEqual([]);
    const own = await api.db.store.db.selectFrom('tickets').selectAll().where('id', '=', ticketId).executeTakeFirstOrThrow();
    expect(own).toMatchObject({ status: 'open', priority: 'normal' });
    expect(await api.db.store.db.selectFrom('messages').selectAll().where('ticket_id', '=', ticketId).execute()).toHaveLength(1);
  });

  it('snoozing through the API needs a future wake time', async () => {
    const { cookie } = await agentSession();
    const { ticketId } = await customerWrote(1);
    const missing = await api.call('POST', `/api/tickets/${ticketId}/status`, { cookie, body: { status: 'snoozed' } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('SNOOZE_UNTIL_REQUIRED');
    const ok = await api.call('POST', `/api/tickets/${ticketId}/status`, { cookie, body: { status: 'snoozed', snoozeUntil: api.world.clock.now() + HOUR } });
    expect(ok.body.ticket).toMatchObject({ status: 'snoozed', snoozedUntil: api.world.clock.now() + HOUR });
  });
});
