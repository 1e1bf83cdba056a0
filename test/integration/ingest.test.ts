// ingestInbound on both engines: threading, dedupe, identities, windows and bad input.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR } from '../../src/domain/clock.js';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { closeTicket, setTicketStatus } from '../../src/modules/tickets/ticket-actions.js';
import { buildWorld, inbound, newAddress, type World } from '../support/factories.js';
import { ENGINES, openTestStore, type TestStore } from '../support/stores.js';

describe.each(ENGINES)('ingesting customer messages (%s)', (engine) => {
  let db: TestStore;
  let world: World;
  beforeEach(async () => {
    db = await openTestStore(engine);
    world = await buildWorld(db.store);
  });
  afterEach(() => db.dispose());

  const ticketsOf = (contactId: string) => db.store.db.selectFrom('tickets').selectAll().where('contact_id', '=', contactId).orderBy('number').execute();
  const messagesOf = (ticketId: string) => db.store.db.selectFrom('messages').selectAll().where('ticket_id', '=', ticketId).orderBy('created_at').execute();
  const contactOf = async (ticketId: string) => (await db.store.db.selectFrom('tickets').select('contact_id').where('id', '=', ticketId).executeTakeFirstOrThrow()).contact_id;

  it('a customer\'s first message creates a customer ticket and a second threads into it', async () => {
    const address = newAddress('whatsapp');
    const first = await ingestInbound(world.deps, inbound(world.channels.whatsapp, world.clock, { address }));
    world.clock.advance(60_000);
    const second = await ingestInbound(world.deps, inbound(world.channels.whatsapp, world.clock, { address, body: 'Are you there?' }));
    expect(first).toMatchObject({ outcome: 'stored', ticketCreated: true, ticketNumber: 1 });
    expect(second).toMatchObject({ outcome: 'stored', ticketCreated: false });
    if (first.outcome !== 'stored' || second.outcome !== 'stored') throw new Error('unreachable');
    expect(second.ticketId).toBe(first.ticketId);
    const [ticket] = await ticketsOf(await contactOf(first.ticketId));
    expect(ticket).toMatchObject({ created_by: 'customer', status: 'open', last_message_direction: 'inbound', last_message_preview: 'Are you there?' });
    expect(await messagesOf(first.ticketId)).toHaveLength(2);
  });

  it('a customer message after close starts a new ticket', async () => {
    const address = newAddress('email');
    const first = await ingestInbound(world.deps, inbound(world.channels.email, world.clock, { address }));
    if (first.outcome !== 'stored') throw new Error('expected stored');
    await closeTicket(world.deps, world.agent, first.ticketId);
    const third = await ingestInbound(world.deps, inbound(world.channels.email, world.clock, { address }));
    expect(third).toMatchObject({ outcome: 'stored', ticketCreated: true, ticketNumber: 2 });
    const tickets = await ticketsOf(await contactOf(first.ticketId));
    expect(tickets.map((t) => t.status)).toEqual(['closed', 'open']);
  });

  it('the same provider message delivered twice is stored once', async () => {
    const message = inbound(world.channels.whatsapp, world.clock);
    const first = await ingestInbound(world.deps, message);
    const again = await ingestInbound(world.deps, message);
    if (first.outcome !== 'stored') throw new Error('expected stored');
    expect(again).toEqual({ outcome: 'duplicate', ticketId: first.ticketId, messageId: first.messageId });
    expect(await messagesOf(first.ticketId)).toHaveLength(1);
  });

  it('the same provider message id on two channels is two messages', async () => {
    const a = await ingestInbound(world.deps, inbound(world.channels.whatsapp, world.clock, { providerMessageId: 'same-id' }));
    const b = await ingestInbound(world.deps, inbound(world.channels.email, world.clock, { providerMessageId: 'same-id' }));
    expect([a.outcome, b.outcome]).toEqual(['stored', 'stored']);
  });

  it('concurrent deliveries of one message to a new contact store one message and one ticket', async () => {
    const message = inbound(world.channels.whatsapp, world.clock);
    const results = await Promise.all(Array.from({ length: 8 }, () => ingestInbound(world.deps, message)));
    expect(results.filter((r) => r.outcome === 'stored')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'duplicate')).toHaveLength(7);
    expect(new Set(results.map((r) => (r.outcome === 'ignored' ? null : r.ticketId))).size).toBe(1);
    const count = await db.store.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it('WhatsApp ids are compared as digits, so "+1 555…" and "1555…" are one contact and one ticket', async () => {
    const first = await ingestInbound(world.deps, inbound(world.channels.whatsapp, world.clock, { address: '+1 (555) 010-2030' }));
    const second = await ingestInbound(world.deps, inbound(world.channels.whatsapp, world.clock, { address: '15550102030' }));
    if (first.outcome !== 'stored' || second.outcome !== 'stored') throw new Error('expected stored');
    expect(second.ticketId).toBe(first.ticketId);
    const identity = await db.store.db.selectFrom('contact_identities').selectAll().where('channel_id', '=', world.channels.whatsapp.id).executeTakeFirstOrThrow();
    expect(identity.address).toBe('15550102030');
  });

  it('email addresses are compared lower-cased and trimmed', async () => {
    const first = await ingestInbound(world.deps, inbound(world.channels.email, world.clock, { address: ' Ana.Silva@Example.COM ' }));
    const second = await ingestInbound(world.deps, inbound(world.channels.email, world.clock, { address: 'ana.silva@example.com' }));
    if (first.outcome !== 'stored' || second.outcome !== 'stored') throw new Error('expected stored');
    expect(second.ticketId).toBe(first.ticketId);
  });

  it('keeps the profile name the provider sends, and its latest change', async () => {
    const address = newAddress('whatsapp');
    await ingestInbound(world.deps, inbound(world.channels.whatsapp, world.clock, { address, contact: { address, displayName: 'José Álvarez' } }));
    await ingestInbound(world.deps, inbound(world.channels.whatsapp, world.clock, { address, contact: { address, displayName: 'José A.' } }));
    const identity = await db.store.db.selectFrom('contact_identities').selectAll().where('address', '=', address).executeTakeFirstOrThrow();
    const contact = await db.store.db.selectFrom('contacts').selectAll().where('id', '=', identity.contact_id).executeTakeFirstOrThrow();
    expect(identity.display_name).toBe('José A.');
    expect(contact.name).toBe('José Álvarez');
  });

  it('the window anchor only moves forward when deliveries arrive out of order', async () => {
    const address = newAddress('whatsapp');
    const recent = world.clock.hoursAgo(1);
    const first = await ingestInbound(world.deps, inbound(world.channels.whatsapp, world.clock, { address, sentAt: recent }));
    await ingestInbound(world.deps, inbound(world.channels.whatsapp, world.clock, { address, sentAt: world.clock.hoursAgo(5) }));
    if (first.outcome !== 'stored') throw new Error('expected stored');
    const ticket = await db.store.db.selectFrom('tickets').selectAll().where('id', '=', first.ticketId).executeTakeFirstOrThrow();
    expect(ticket.last_customer_sent_at).toBe(recent);
  });

  it.each(['pending', 'resolved', 'snoozed'] as const)('a customer message moves a %s ticket back to open', async (status) => {
    const address = newAddress('whatsapp');
    const first = await ingestInbound(world.deps, inbound(world.channels.whatsapp, world.clock, { address }));
    if (first.outcome !== 'stored') throw new Error('expected stored');
    await setTicketStatus(world.deps, world.agent, first.ticketId, status, status === 'snoozed' ? world.clock.now() + 5 * HOUR : null);
    await ingestInbound(world.deps, inbound(world.channels.whatsapp, world.clock, { address }));
    const ticket = await db.store.db.selectFrom('tickets').selectAll().where('id', '=', first.ticketId).executeTakeFirstOrThrow();
    expect(ticket.status).toBe('open');
    expect(ticket.snoozed_until).toBeNull();
    const events = await db.store.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', first.ticketId).where('actor_kind', '=', 'customer').execute();
    expect(events.map((e) => [e.type, JSON.parse(e.data ?? '{}').to])).toContainEqual(['status.changed', 'open']);
  });

  it('with the workspace setting off, a customer message leaves a pending ticket pending', async () => {
    await db.store.db.updateTable('workspaces').set({ reopen_on_customer_message: 0 }).where('id', '=', world.workspaceId).execute();
    const address = newAddress('instagram');
    const first = await ingestInbound(world.deps, inbound(world.channels.instagram, world.clock, { address }));
    if (first.outcome !== 'stored') throw new Error('expected stored');
    await setTicketStatus(world.deps, world.agent, first.ticketId, 'pending');
    await ingestInbound(world.deps, inbound(world.channels.instagram, world.clock, { address }));
    const ticket = await db.store.db.selectFrom('tickets').select('status').where('id', '=', first.ticketId).executeTakeFirstOrThrow();
    expect(ticket.status).toBe('pending');
  });

  it('an automated message never starts a ticket by itself', async () => {
    const result = await ingestInbound(world.deps, inbound(world.channels.email, world.clock, { automated: true }));
    expect(result).toEqual({ outcome: 'ignored', reason: 'automated_without_ticket' });
    const tickets = await db.store.db.selectFrom('tickets').selectAll().execute();
    expect(tickets).toHaveLength(0);
  });

  it('an automated message joins the active ticket without counting as customer activity', async () => {
    const address = newAddress('email');
    const first = await ingestInbound(world.deps, inbound(world.channels.email, world.clock, { address }));
    if (first.outcome !== 'stored') throw new Error('expected stored');
    await setTicketStatus(world.deps, world.agent, first.ticketId, 'pending');
    const before = await db.store.db.selectFrom('tickets').selectAll().where('id', '=', first.ticketId).executeTakeFirstOrThrow();
    world.clock.advance(HOUR);
    const auto = await ingestInbound(world.deps, inbound(world.channels.email, world.clock, { address, automated: true, body: 'I am out of office' }));
    expect(auto).toMatchObject({ outcome: 'stored', ticketId: first.ticketId });
    const after = await db.store.db.selectFrom('tickets').selectAll().where('id', '=', first.ticketId).executeTakeFirstOrThrow();
    expect(after).toMatchObject({ status: 'pending', last_inbound_at: before.last_inbound_at, last_activity_at: before.last_activity_at });
  });

  it('refuses an address the channel cannot use and stores nothing', async () => {
    await expect(ingestInbound(world.deps, inbound(world.channels.email, world.clock, { address: 'not-an-address' }))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await db.store.db.selectFrom('contacts').selectAll().execute()).toHaveLength(0);
  });

  it('refuses a message for a channel that does not exist', async () => {
    await expect(ingestInbound(world.deps, { ...inbound(world.channels.email, world.clock), channelId: 'missing' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('records the creation and announces the ticket and message on the realtime list', async () => {
    const result = await ingestInbound(world.deps, inbound(world.channels.instagram, world.clock));
    if (result.outcome !== 'stored') throw new Error('expected stored');
    const timeline = await db.store.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', result.ticketId).execute();
    expect(timeline.map((e) => [e.type, e.actor_kind])).toEqual([['ticket.created', 'customer']]);
    const realtime = await db.store.db.selectFrom('realtime_events').selectAll().where('workspace_id', '=', world.workspaceId).orderBy('seq').execute();
    expect(realtime.map((e) => e.type)).toEqual(['ticket.created', 'message.created']);
  });
});
