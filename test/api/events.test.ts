// The realtime stream over real HTTP on both engines: live events, resume by Last-Event-ID, another server.
import { describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/lib/logger.js';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { useApi } from '../support/api.js';
import { inbound } from '../support/factories.js';
import { ENGINES } from '../support/stores.js';

const SOON = { timeout: 10_000, interval: 20 };

interface Received {
  id: number;
  event: string;
  data: any;
}

/** An open stream collecting what arrives: `connected` settles once the server has subscribed it. */
async function openStream(url: string, cookie: string) {
  const controller = new AbortController();
  const response = await fetch(`${url}/api/events`, { headers: { cookie }, signal: controller.signal });
  const events: Received[] = [];
  let onConnected!: () => void;
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body!) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const lines = buffer.slice(0, end).split('\n');
          buffer = buffer.slice(end + 2);
          if (lines.includes(': connected')) onConnected();
          const fields = Object.fromEntries(lines.filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
          if (fields.event) events.push({ id: Number(fields.id), event: fields.event, data: JSON.parse(fields.data ?? 'null') });
        }
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    }
  })();
  return {
    connected,
    events,
    async close() {
      controller.abort();
      await reading;
    },
  };
}

/** Reads server-sent events until `count` arrived (or fails after a timeout). */
async function readEvents(url: string, cookie: string, count: number, lastEventId?: number): Promise<Received[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10_000);
  const headers: Record<string, string> = { cookie };
  if (lastEventId !== undefined) headers['last-event-id'] = String(lastEventId);
  const response = await fetch(`${url}/api/events`, { headers, signal: controller.signal });
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  const events: Received[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of response.body!) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
        if (fields.event) events.push({ id: Number(fields.id), event: fields.event, data: JSON.parse(fields.data ?? 'null') });
      }
      if (events.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}

describe.each(ENGINES)('the realtime stream (%s)', (engine) => {
  const api = useApi(engine);

  it('an open stream receives a new ticket and its message as they happen', async () => {
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const received = readEvents(api.url, cookie, 2);
    await new Promise((r) => setTimeout(r, 300));
    const result = await ingestInbound(api.world.deps, inbound(api.world.channels.whatsapp, api.world.clock));
    if (result.outcome !== 'stored') throw new Error('expected stored');
    const events = await received;
    expect(events.map((e) => e.event)).toEqual(['ticket.created', 'message.created']);
    expect(events[1]!.data).toEqual({ ticketId: result.ticketId, messageId: result.messageId });
    expect(events[1]!.id).toBeGreaterThan(events[0]!.id);
  });

  it('a client resuming with Last-Event-ID gets exactly the events it missed', async () => {
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const first = readEvents(api.url, cookie, 2);
    await new Promise((r) => setTimeout(r, 300));
    await ingestInbound(api.world.deps, inbound(api.world.channels.email, api.world.clock));
    const seen = await first;
    await ingestInbound(api.world.deps, inbound(api.world.channels.email, api.world.clock));
    await new Promise((r) => setTimeout(r, 600));
    const missed = await readEvents(api.url, cookie, 2, seen[1]!.id);
    expect(missed.map((e) => e.event)).toEqual(['ticket.created', 'message.created']);
    expect(missed[0]!.id).toBeGreaterThan(seen[1]!.id);
  });

  it('an event written through one server reaches a client connected to another server on the same store', async () => {
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const other = await buildApp({ deps: api.world.deps, logger: createLogger('silent'), publicUrl: 'http://127.0.0.1' });
    const otherUrl = await other.listen({ port: 0, host: '127.0.0.1' });
    try {
      const received = readEvents(otherUrl, cookie, 1);
      await new Promise((r) => setTimeout(r, 300));
      const created = await api.call('POST', '/api/tickets', { cookie, body: { channelId: api.world.channels.email.id, contact: { address: 'new.customer@example.test' }, message: { kind: 'text', body: 'Hello!' } } });
      expect(created.status).toBe(201);
      const [event] = await received;
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
      db.insertInto('realtime_events').values({ seq, workspace_id: api.world.workspaceId, type: 'ticket.created', payload: JSON.stringify({ ticketId: `t${seq}` }), created_at: Date.now() }).execute();
    const stream = await openStream(api.url, cookie);
    try {
      await stream.connected;
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
