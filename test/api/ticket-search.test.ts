// Searching the ticket list over real HTTP on both engines: by number, contact name and address, email
// subject and message text, case-insensitively, with wildcards taken literally, in list order with the
// cursor, and only within the caller's workspace.
import { describe, expect, it } from 'vitest';
import type { ChannelRow } from '../../src/db/schema.js';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { useApi } from '../support/api.js';
import { stored } from '../support/assertions.js';
import { buildWorld, inbound, newAddress, type World } from '../support/factories.js';
import { ENGINES } from '../support/stores.js';

describe.each(ENGINES)('ticket search (%s)', (engine) => {
  const api = useApi(engine);

  async function signedIn(world?: World) {
    const user = await api.addUser('agent', world);
    return api.signIn(user.email);
  }

  async function customerWrote(options: { name?: string; body?: string; subject?: string; address?: string; channel?: ChannelRow; world?: World } = {}) {
    const world = options.world ?? api.world;
    const channel = options.channel ?? world.channels.whatsapp;
    const message = inbound(channel, world.clock, {
      contact: { address: options.address ?? newAddress(channel.kind), displayName: options.name ?? 'Customer' },
      body: options.body ?? 'Hello, I need help',
      ...(options.subject ? { subject: options.subject } : {}),
    });
    const result = stored(await ingestInbound(world.deps, message));
    world.clock.advance(1000);
    return result;
  }

  async function search(cookie: string, q: string, extra = ''): Promise<string[]> {
    const response = await api.call('GET', `/api/tickets?q=${encodeURIComponent(q)}${extra}`, { cookie });
    expect(response.status).toBe(200);
    return response.body.tickets.map((t: { id: string }) => t.id);
  }

  it('finds tickets by number, contact name, address, email subject, tag and message text, ignoring case, newest first', async () => {
    const cookie = await signedIn();
    const byName = await customerWrote({ name: 'Émilie Durand' });
    const byPhone = await customerWrote({ address: '447700900123' });
    const bySubject = await customerWrote({ channel: api.world.channels.email, address: 'priya@example.com', subject: 'Broken MUG on arrival', body: 'See photo' });
    const byText = await customerWrote({ body: 'My parcel never arrived' });
    const noise = await customerWrote({ name: 'Someone Else', body: 'Unrelated' });

    expect(await search(cookie, 'Émilie')).toEqual([byName.ticketId]);
    expect(await search(cookie, 'DURAND')).toEqual([byName.ticketId]);
    expect(await search(cookie, '+44 7700 900123')).toEqual([byPhone.ticketId]);
    expect(await search(cookie, '7700900')).toEqual([byPhone.ticketId]);
    expect(await search(cookie, 'PRIYA@example')).toEqual([bySubject.ticketId]);
    expect(await search(cookie, 'broken mug')).toEqual([bySubject.ticketId]);
    expect(await search(cookie, 'PARCEL never')).toEqual([byText.ticketId]);
    expect(await search(cookie, `#${noise.ticketNumber}`)).toEqual([noise.ticketId]);
    // A bare number is a ticket number or part of an address or a text; "#" makes it the number only.
    expect(await search(cookie, String(byText.ticketNumber))).toEqual([byText.ticketId, byPhone.ticketId]);
    expect(await search(cookie, 'nothing like this')).toEqual([]);
    // A word several tickets share comes back in the list's order: most recently active first.
    expect(await search(cookie, 'e')).toEqual([noise, byText, bySubject, byPhone, byName].map((t) => t.ticketId));
  });

  it('takes % and _ literally', async () => {
    const cookie = await signedIn();
    const percent = await customerWrote({ body: 'Is the 50% discount still on?' });
    const underscore = await customerWrote({ body: 'My order is A_17' });
    await customerWrote({ body: 'Is the 500 discount still on? My order is AB17' });
    expect(await search(cookie, '50%')).toEqual([percent.ticketId]);
    expect(await search(cookie, '%')).toEqual([percent.ticketId]);
    expect(await search(cookie, 'A_17')).toEqual([underscore.ticketId]);
    expect(await search(cookie, '_')).toEqual([underscore.ticketId]);
    expect(await search(cookie, '\\')).toEqual([]);
  });

  it('keeps the other filters and pages with the cursor', async () => {
    const cookie = await signedIn();
    const matching: string[] = [];
    for (let i = 0; i < 5; i++) matching.unshift((await customerWrote({ body: `Refund request ${i}` })).ticketId);
    await customerWrote({ body: 'Other topic' });
    await api.call('POST', `/api/tickets/${matching[0]}/status`, { cookie, body: { status: 'pending' } });

    expect(await search(cookie, 'refund', '&status=pending')).toEqual([matching[0]]);
    await api.call('POST', `/api/tickets/${matching[1]}/tags`, { cookie, body: { tags: ['vip-customer'] } });
    expect(await search(cookie, 'VIP')).toEqual([matching[1]]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { tickets: { id: string }[]; nextCursor: string | null } } = await api.call('GET', `/api/tickets?q=refund&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { cookie });
      expect(page.body.tickets.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.tickets.map((t) => t.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(matching);
  });

  it("never finds another workspace's tickets", async () => {
    const mine = await customerWrote({ name: 'Shared Name', body: 'shared words' });
    const otherWorld = await buildWorld(api.db.store);
    const theirs = await customerWrote({ world: otherWorld, name: 'Shared Name', body: 'shared words' });
    const myCookie = await signedIn();
    const theirCookie = await signedIn(otherWorld);
    expect(await search(myCookie, 'shared')).toEqual([mine.ticketId]);
    expect(await search(theirCookie, 'shared')).toEqual([theirs.ticketId]);
    expect(await search(theirCookie, `#${mine.ticketNumber}`)).toEqual([theirs.ticketId]);
  });

  it('refuses a search longer than 200 characters with 400', async () => {
    const cookie = await signedIn();
    const response = await api.call('GET', `/api/tickets?q=${'x'.repeat(201)}`, { cookie });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
  });
});
