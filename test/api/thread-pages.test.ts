// A long thread is read a page at a time: the ticket comes with its newest 100 messages and a cursor,
// and older pages follow it without gaps or repeats, timeline events included, on both engines.
import { describe, expect, it } from 'vitest';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { stored } from '../support/assertions.js';
import { useApi } from '../support/api.js';
import { buildWorld, inbound, newAddress } from '../support/factories.js';
import { ENGINES } from '../support/stores.js';

interface Page {
  messages: { id: string; body: string; createdAt: number }[];
  events: { id: string; type: string }[];
  olderCursor: string | null;
}

describe.each(ENGINES)('reading a long thread a page at a time (%s)', (engine) => {
  const api = useApi(engine);

  /** A ticket of `count` customer messages, five to a millisecond (so pages split inside one moment), with a status change in the middle. */
  async function longThread(count: number, cookie: string) {
    const { whatsapp } = api.world.channels;
    const address = newAddress('whatsapp');
    let ticketId = '';
    for (let i = 1; i <= count; i++) {
      if (i % 5 === 1) api.world.clock.advance(1000);
      ticketId = stored(await ingestInbound(api.world.deps, inbound(whatsapp, api.world.clock, { address, body: `message ${i}` }))).ticketId;
      if (i === Math.floor(count / 2)) expect((await api.call('POST', `/api/tickets/${ticketId}/status`, { cookie, body: { status: 'pending' } })).status).toBe(200);
    }
    return ticketId;
  }

  it('a ticket of 250 messages opens with its newest 100, and the cursor reads 100 and then 50 more, each message and event once, oldest first', async () => {
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const ticketId = await longThread(250, cookie);

    const first = await api.call('GET', `/api/tickets/${ticketId}`, { cookie });
    expect(first.status).toBe(200);
    const newest = first.body as Page & { ticket: { id: string } };
    expect(newest.messages.map((m) => m.body)).toEqual(Array.from({ length: 100 }, (_, i) => `message ${151 + i}`));
    expect(newest.olderCursor).toEqual(expect.any(String));

    const pages: Page[] = [newest];
    while (pages.at(-1)!.olderCursor) {
      const next = await api.call('GET', `/api/tickets/${ticketId}/messages?before=${encodeURIComponent(pages.at(-1)!.olderCursor!)}`, { cookie });
      expect(next.status).toBe(200);
      expect(next.body).not.toHaveProperty('ticket');
      pages.push(next.body as Page);
    }
    expect(pages.map((p) => p.messages.length)).toEqual([100, 100, 50]);
    const all = pages.toReversed().flatMap((p) => p.messages.map((m) => m.body));
    expect(all).toEqual(Array.from({ length: 250 }, (_, i) => `message ${i + 1}`));

    // Every timeline event comes once, with the page whose time span holds it.
    const events = pages.flatMap((p) => p.events);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events.map((e) => e.type).sort()).toEqual(['status.changed', 'status.changed', 'ticket.created']);
    expect(pages.at(-1)!.events.map((e) => e.type)).toContain('ticket.created');
  });

  it('a smaller page is read with limit, a short thread has no cursor, and a bad cursor or limit is refused with a code', async () => {
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const ticketId = await longThread(12, cookie);

    const whole = await api.call('GET', `/api/tickets/${ticketId}`, { cookie });
    expect((whole.body as Page).messages).toHaveLength(12);
    expect((whole.body as Page).olderCursor).toBeNull();

    const small = (await api.call('GET', `/api/tickets/${ticketId}?limit=5`, { cookie })).body as Page;
    expect(small.messages.map((m) => m.body)).toEqual(['message 8', 'message 9', 'message 10', 'message 11', 'message 12']);
    const before = (await api.call('GET', `/api/tickets/${ticketId}/messages?limit=5&before=${encodeURIComponent(small.olderCursor!)}`, { cookie })).body as Page;
    expect(before.messages.map((m) => m.body)).toEqual(['message 3', 'message 4', 'message 5', 'message 6', 'message 7']);

    for (const path of [`/api/tickets/${ticketId}/messages?before=not-a-cursor`, `/api/tickets/${ticketId}?limit=0`, `/api/tickets/${ticketId}?limit=101`, `/api/tickets/${ticketId}/messages?limit=abc`]) {
      const refused = await api.call('GET', path, { cookie });
      expect(refused.status, path).toBe(400);
      expect((refused.body as { error: { code: string } }).error.code, path).toMatch(/^(INVALID_CURSOR|VALIDATION_FAILED)$/);
    }
  });

  it("another workspace's ticket is not found, page or not", async () => {
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const other = await buildWorld(api.db.store, api.world.clock);
    const theirs = stored(await ingestInbound(other.deps, inbound(other.channels.whatsapp, other.clock))).ticketId;
    expect((await api.call('GET', `/api/tickets/${theirs}`, { cookie })).status).toBe(404);
    expect((await api.call('GET', `/api/tickets/${theirs}/messages`, { cookie })).status).toBe(404);
  });
});
