// The realtime stream over real HTTP on both engines: live events, resume by Last-Event-ID, another server.
import { describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/lib/logger.js';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { useApi } from '../support/api.js';
import { inbound } from '../support/factories.js';
import { openEventStream, type ServerSentEvent } from '../support/sse.js';
import { ENGINES } from '../support/stores.js';

const SOON = { timeout: 10_000, interval: 20 };

/** Reads the stream until `count` events arrived, then closes it. */
async function readEvents(url: string, cookie: string, count: number, lastEventId?: number): Promise<ServerSentEvent[]> {
  const stream = await openEventStream(url, { cookie, ...(lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) }) });
  try {
    return await stream.next(count);
  } finally {
    await stream.close();
  }
}

/** A stream the server has subscribed: nothing published from here on is missed. */
async function subscribed(url: string, cookie: string) {
  const stream = await openEventStream(url, { cookie });
  await stream.connected;
  return stream;
}

describe.each(ENGINES)('the realtime stream (%s)', (engine) => {
  const api = useApi(engine);

  it('an open stream receives a new ticket and its message as they happen', async () => {
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const stream = await subscribed(api.url, cookie);
    const result = await ingestInbound(api.world.deps, inbound(api.world.channels.whatsapp, api.world.clock));
    if (result.outcome !== 'stored') throw new Error('expected stored');
    const events = await stream.next(2);
    await stream.close();
    expect(events.map((e) => e.event)).toEqual(['ticket.created', 'message.created']);
    expect(events[1]!.data).toEqual({ ticketId: result.ticketId, messageId: result.messageId });
    expect(events[1]!.id).toBeGreaterThan(events[0]!.id);
  });

  it('a client resuming with Last-Event-ID gets exactly the events it missed', async () => {
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const first = await subscribed(api.url, cookie);
    await ingestInbound(api.world.deps, inbound(api.world.channels.email, api.world.clock));
    const seen = await first.next(2);
    await first.close();
    // A second stream proves the second message's events are published before the first resumes.
    const witness = await subscribed(api.url, cookie);
    await ingestInbound(api.world.deps, inbound(api.world.channels.email, api.world.clock));
    await witness.next(2);
    await witness.close();
    const missed = await readEvents(api.url, cookie, 2, seen[1]!.id);
    expect(missed.map((e) => e.event)).toEqual(['ticket.created', 'message.created']);
    expect(missed[0]!.id).toBeGreaterThan(seen[1]!.id);
  });

  it('an event written through one server reaches a client connected to another server on the same store', async () => {
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const other = await buildApp({ deps: api.world.deps, logger: createLogger('silent'), publicUrl: 'http://127.0.0.1' });
    const otherUrl = await other.listen({ port: 0, host: '127.0.0.1' });
    try {
      const stream = await subscribed(otherUrl, cookie);
      const created = await api.call('POST', '/api/tickets', { cookie, body: { channelId: api.world.channels.email.id, contact: { address: 'new.customer@example.test' }, message: { kind: 'text', body: 'Hello!' } } });
      expect(created.status).toBe(201);
      const [event] = await stream.next(1);
      await stream.close();
      expect(event).toMatchObject({ event: 'ticket.created', data: { ticketId: created.body.ticket.id } });
    } finally {
      await other.close();
    }
  });

  it('an event whose transaction commits after a later one still reaches an open stream, and a client resuming after the later one', async () => {
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const db = api.db.store.db;
    // Written at chosen seqs, in the order two overlapping transactions may commit them.
    const newest = await db.selectFrom('realtime_events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
    const lower = Number(newest?.seq ?? 0) + 100;
    const commit = (seq: number) =>
      db.insertInto('realtime_events').values({ seq, workspace_id: api.world.workspaceId, type: 'ticket.created', payload: JSON.stringify({ ticketId: `t${seq}` }), created_at: api.world.clock.now() }).execute();
    const stream = await subscribed(api.url, cookie);
    try {
      await commit(lower + 1);
      await vi.waitFor(() => expect(stream.events.map((e) => e.id)).toEqual([lower + 1]), SOON);
      await commit(lower);
      await vi.waitFor(() => expect(stream.events.map((e) => e.id)).toEqual([lower + 1, lower]), SOON);
    } finally {
      await stream.close();
    }
    const resumed = await readEvents(api.url, cookie, 1, lower + 1);
    expect(resumed).toEqual([{ id: lower, event: 'ticket.created', data: { ticketId: `t${lower}` } }]);
  });

  it('the stream needs a signed-in caller', async () => {
    const anonymous = await fetch(`${api.url}/api/events`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as any).error.code).toBe('UNAUTHENTICATED');
  });
});
