// A new ticket after a close continues the pair's previous ticket, on every channel and every path that
// opens tickets: customers on WhatsApp and Instagram (DMs and comments), agents' "+ New" and the brand's
// own messages; over real HTTP on both engines, read back as the API's `previousTicket`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instagramComment, instagramDm, instagramEcho, newInstagramMid, startFakeInstagramGraph, type FakeInstagramGraph } from '../../src/channels/instagram/fake-graph/index.js';
import { inboundText } from '../../src/channels/whatsapp/fake-graph/index.js';
import { HOUR, MINUTE } from '../../src/domain/clock.js';
import { useApi } from '../support/api.js';
import { customerWroteIn, newAddress } from '../support/factories.js';
import { IG_ACCESS_TOKEN, IG_ACCOUNT_ID, connectInstagram, newIgsid, postInstagram } from '../support/instagram.js';
import { ticketsOfContact } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { BUSINESS_NUMBER, connectWhatsapp, postWhatsapp, processInbound } from '../support/whatsapp.js';

let waSequence = 0;
const newWaId = () => `1555${String(8_100_000 + (process.pid % 1000) * 100 + waSequence++).padStart(7, '0')}`;

describe.each(ENGINES)('a new ticket continues the closed one (%s)', (engine) => {
  const api = useApi(engine);
  let fake: FakeInstagramGraph;

  beforeAll(async () => {
    fake = await startFakeInstagramGraph({ accounts: [{ accountId: IG_ACCOUNT_ID, accessToken: IG_ACCESS_TOKEN }] });
  });
  afterAll(() => fake.close());

  async function agentCookie() {
    return api.signIn((await api.addUser('agent')).email);
  }

  async function contactOf(address: string) {
    const identity = await api.db.store.db.selectFrom('contact_identities').select('contact_id').where('address', '=', address).executeTakeFirstOrThrow();
    return identity.contact_id;
  }

  async function ticketsOf(address: string) {
    return ticketsOfContact(api.db.store, await contactOf(address));
  }

  async function read(cookie: string, ticketId: string) {
    const detail = await api.call('GET', `/api/tickets/${ticketId}`, { cookie });
    expect(detail.status).toBe(200);
    return detail.body as { ticket: { id: string; number: number; closedAt: number | null; previousTicket: { id: string; number: number; closedAt: number | null } | null }; events: { type: string; data: Record<string, unknown> }[] };
  }

  async function close(cookie: string, ticketId: string) {
    const closed = await api.call('POST', `/api/tickets/${ticketId}/close`, { cookie, body: { reason: 'solved' } });
    expect(closed.status).toBe(200);
    return closed.body.ticket as { id: string; number: number; closedAt: number };
  }

  async function deliverWhatsapp(waId: string, text: string) {
    const body = inboundText({ ...BUSINESS_NUMBER, waId, name: 'Ana', text, timestampSec: Math.floor(api.world.clock.now() / 1000) });
    expect((await postWhatsapp(api, body)).status).toBe(200);
    expect(await processInbound(api)).toBe(1);
  }

  async function deliverInstagram(body: Parameters<typeof postInstagram>[1]) {
    expect((await postInstagram(api, body)).status).toBe(200);
    expect(await processInbound(api)).toBe(1);
  }

  it('a WhatsApp customer writing after their ticket was closed gets a new ticket linked to the closed one; the first has none', async () => {
    await connectWhatsapp(api);
    const cookie = await agentCookie();
    const waId = newWaId();
    await deliverWhatsapp(waId, 'Where is my order?');
    const [first] = await ticketsOf(waId);
    expect((await read(cookie, first!.id)).ticket.previousTicket).toBeNull();
    api.world.clock.advance(10 * MINUTE);
    const closed = await close(cookie, first!.id);

    api.world.clock.advance(HOUR);
    await deliverWhatsapp(waId, 'It arrived broken');
    const tickets = await ticketsOf(waId);
    expect(tickets).toHaveLength(2);
    const next = await read(cookie, tickets[1]!.id);
    expect(next.ticket.previousTicket).toEqual({ id: first!.id, number: closed.number, closedAt: closed.closedAt });
    expect(next.events.find((e) => e.type === 'ticket.created')?.data).toEqual({ createdBy: 'customer', previousTicketId: first!.id });
    // The list carries the same link.
    const list = await api.call('GET', '/api/tickets', { cookie });
    const listed = (list.body.tickets as { id: string; previousTicket: unknown }[]).map((t) => [t.id, t.previousTicket]);
    expect(listed).toEqual([
      [tickets[1]!.id, { id: first!.id, number: closed.number, closedAt: closed.closedAt }],
      [first!.id, null],
    ]);
  });

  it('each new ticket continues the most recently closed one, even after an older ticket was reopened and closed again in between', async () => {
    await connectWhatsapp(api);
    const cookie = await agentCookie();
    const waId = newWaId();
    await deliverWhatsapp(waId, 'one');
    const [one] = await ticketsOf(waId);
    api.world.clock.advance(MINUTE);
    await close(cookie, one!.id);
    api.world.clock.advance(MINUTE);
    await deliverWhatsapp(waId, 'two');
    const two = (await ticketsOf(waId))[1]!;
    api.world.clock.advance(MINUTE);
    await close(cookie, two.id);
    // The first ticket is reopened and closed last: it is now the one the next ticket continues.
    api.world.clock.advance(MINUTE);
    expect((await api.call('POST', `/api/tickets/${one!.id}/reopen`, { cookie })).status).toBe(200);
    api.world.clock.advance(MINUTE);
    await close(cookie, one!.id);
    api.world.clock.advance(MINUTE);
    await deliverWhatsapp(waId, 'three');
    const three = (await ticketsOf(waId))[2]!;
    expect((await read(cookie, two.id)).ticket.previousTicket?.id).toBe(one!.id);
    expect((await read(cookie, three.id)).ticket.previousTicket?.id).toBe(one!.id);
  });

  it('an Instagram customer writing after close, by DM or by comment, gets a new ticket linked to the closed one', async () => {
    await connectInstagram(api, fake.url);
    const cookie = await agentCookie();
    const igsid = newIgsid();
    const at = () => api.world.clock.now();
    await deliverInstagram(instagramDm({ accountId: IG_ACCOUNT_ID, igsid, at: at(), text: 'Is the jacket in stock?' }));
    const [dmTicket] = await ticketsOf(igsid);
    expect((await read(cookie, dmTicket!.id)).ticket.previousTicket).toBeNull();
    api.world.clock.advance(MINUTE);
    const closedDm = await close(cookie, dmTicket!.id);

    api.world.clock.advance(HOUR);
    await deliverInstagram(instagramComment({ accountId: IG_ACCOUNT_ID, igsid, at: at(), text: 'Still waiting for an answer, any news?' }));
    const commentTicket = (await ticketsOf(igsid))[1]!;
    expect((await read(cookie, commentTicket.id)).ticket.previousTicket).toEqual({ id: dmTicket!.id, number: closedDm.number, closedAt: closedDm.closedAt });
    api.world.clock.advance(MINUTE);
    await close(cookie, commentTicket.id);

    api.world.clock.advance(HOUR);
    await deliverInstagram(instagramDm({ accountId: IG_ACCOUNT_ID, igsid, at: at(), text: 'Hello again' }));
    const third = (await ticketsOf(igsid))[2]!;
    expect((await read(cookie, third.id)).ticket.previousTicket?.id).toBe(commentTicket.id);
  });

  it("a message the brand sent from Instagram's own app after close opens a ticket linked to the closed one", async () => {
    await connectInstagram(api, fake.url);
    const cookie = await agentCookie();
    const igsid = newIgsid();
    await deliverInstagram(instagramDm({ accountId: IG_ACCOUNT_ID, igsid, at: api.world.clock.now(), text: 'Thanks!' }));
    const [first] = await ticketsOf(igsid);
    api.world.clock.advance(MINUTE);
    await close(cookie, first!.id);
    api.world.clock.advance(MINUTE);
    await deliverInstagram(instagramEcho({ accountId: IG_ACCOUNT_ID, igsid, at: api.world.clock.now(), mid: newInstagramMid(IG_ACCOUNT_ID), text: 'Your code: SPRING10' }));
    const tickets = await ticketsOf(igsid);
    expect(tickets).toHaveLength(2);
    expect((await read(cookie, tickets[1]!.id)).ticket.previousTicket?.id).toBe(first!.id);
  });

  it('an agent\'s "+ New" after close opens a new ticket linked to the closed one', async () => {
    const cookie = await agentCookie();
    const whatsapp = api.world.channels.whatsapp;
    const { ticketId, address } = await customerWroteIn(api.world, whatsapp);
    api.world.clock.advance(MINUTE);
    const closed = await close(cookie, ticketId);
    api.world.clock.advance(MINUTE);
    const started = await api.call('POST', '/api/tickets', { cookie, body: { channelId: whatsapp.id, contact: { address }, message: { kind: 'text', body: 'One more thing about your order' } } });
    expect(started.status).toBe(201);
    expect(started.body.ticket.previousTicket).toEqual({ id: ticketId, number: closed.number, closedAt: closed.closedAt });
    const detail = await read(cookie, started.body.ticket.id);
    expect(detail.ticket.previousTicket?.id).toBe(ticketId);
    expect(detail.events.find((e) => e.type === 'ticket.created')?.data).toEqual({ createdBy: 'agent', previousTicketId: ticketId });
    // "+ New" for a brand-new customer continues nothing.
    const fresh = await api.call('POST', '/api/tickets', { cookie, body: { channelId: whatsapp.id, contact: { address: newAddress('whatsapp') }, message: { kind: 'template', template: { name: 'follow_up', language: 'en_US', parameters: { body: ['Ana'] } } } } });
    expect(fresh.status).toBe(201);
    expect(fresh.body.ticket.previousTicket).toBeNull();
  });

  it('the OpenAPI document describes previousTicket on the ticket', async () => {
    const document = (await api.call('GET', '/api/openapi.json')).body as { paths: Record<string, Record<string, any>> };
    const ticket = document.paths['/api/tickets/{id}']!.get.responses['200'].content['application/json'].schema.properties.ticket;
    const previous = ticket.properties.previousTicket;
    expect(ticket.required).toContain('previousTicket');
    expect(previous).toMatchObject({ type: 'object', nullable: true, required: ['id', 'number', 'closedAt'] });
    expect(previous.description).toMatch(/closed ticket this one continues/);
    expect(Object.keys(previous.properties)).toEqual(['id', 'number', 'closedAt']);
  });

  it("the link never crosses channels or customers: a contact's first ticket on another channel continues nothing", async () => {
    const cookie = await agentCookie();
    const { whatsapp, email } = api.world.channels;
    const { ticketId: waTicket, contactId } = await customerWroteIn(api.world, whatsapp);
    expect((await api.call('POST', `/api/contacts/${contactId}/addresses`, { cookie, body: { channelId: email.id, address: newAddress('email') } })).status).toBeLessThan(300);
    api.world.clock.advance(MINUTE);
    const startEmail = () => api.call('POST', '/api/tickets', { cookie, body: { channelId: email.id, contact: { contactId }, message: { kind: 'text', body: 'About your order', subject: 'Your order' } } });
    const firstEmail = await startEmail();
    expect(firstEmail.status).toBe(201);
    api.world.clock.advance(MINUTE);
    await close(cookie, firstEmail.body.ticket.id);
    // The WhatsApp ticket is closed last; the next email ticket still continues the email one.
    api.world.clock.advance(MINUTE);
    await close(cookie, waTicket);
    api.world.clock.advance(MINUTE);
    const secondEmail = await startEmail();
    expect(secondEmail.status).toBe(201);
    expect(firstEmail.body.ticket.previousTicket).toBeNull();
    expect(secondEmail.body.ticket.previousTicket?.id).toBe(firstEmail.body.ticket.id);
    // Another customer on the same channel starts fresh.
    const other = await customerWroteIn(api.world, whatsapp);
    expect((await read(cookie, other.ticketId)).ticket.previousTicket).toBeNull();
  });
});
