// ingestInbound on both engines: threading, dedupe, identities, windows and bad input.
import { describe, expect, it } from 'vitest';
import { HOUR } from '../../src/domain/clock.js';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { closeTicket, setTicketStatus } from '../../src/modules/tickets/ticket-actions.js';
import { stored } from '../support/assertions.js';
import { inbound, newAddress } from '../support/factories.js';
import { countRows, messagesOf, ticketRow, ticketsOfContact } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { useWorld } from '../support/world.js';

describe.each(ENGINES)('ingesting customer messages (%s)', (engine) => {
  const ctx = useWorld(engine);

  const contactOf = async (ticketId: string) => (await ticketRow(ctx.db.store, ticketId)).contact_id;

  it('a customer\'s first message creates a customer ticket and a second threads into it', async () => {
    const address = newAddress('whatsapp');
    const first = await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.whatsapp, ctx.world.clock, { address }));
    ctx.world.clock.advance(60_000);
    const second = await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.whatsapp, ctx.world.clock, { address, body: 'Are you there?' }));
    expect(first).toMatchObject({ outcome: 'stored', ticketCreated: true, ticketNumber: 1 });
    expect(second).toMatchObject({ outcome: 'stored', ticketCreated: false });
    if (first.outcome !== 'stored' || second.outcome !== 'stored') throw new Error('unreachable');
    expect(second.ticketId).toBe(first.ticketId);
    const [ticket] = await ticketsOfContact(ctx.db.store, await contactOf(first.ticketId));
    expect(ticket).toMatchObject({ created_by: 'customer', status: 'open', last_message_direction: 'inbound', last_message_preview: 'Are you there?' });
    expect(await messagesOf(ctx.db.store, first.ticketId)).toHaveLength(2);
  });

  it('a customer message after close starts a new ticket', async () => {
    const address = newAddress('email');
    const first = stored(await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.email, ctx.world.clock, { address })));
    await closeTicket(ctx.world.deps, ctx.world.agent, first.ticketId);
    const third = await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.email, ctx.world.clock, { address }));
    expect(third).toMatchObject({ outcome: 'stored', ticketCreated: true, ticketNumber: 2 });
    const tickets = await ticketsOfContact(ctx.db.store, await contactOf(first.ticketId));
    expect(tickets.map((t) => t.status)).toEqual(['closed', 'open']);
  });

  it('the same provider message delivered twice is stored once', async () => {
    const message = inbound(ctx.world.channels.whatsapp, ctx.world.clock);
    const first = stored(await ingestInbound(ctx.world.deps, message));
    const again = await ingestInbound(ctx.world.deps, message);
    expect(again).toEqual({ outcome: 'duplicate', ticketId: first.ticketId, messageId: first.messageId });
    expect(await messagesOf(ctx.db.store, first.ticketId)).toHaveLength(1);
  });

  it('the same provider message id on two channels is two messages', async () => {
    const a = await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.whatsapp, ctx.world.clock, { providerMessageId: 'same-id' }));
    const b = await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.email, ctx.world.clock, { providerMessageId: 'same-id' }));
    expect([a.outcome, b.outcome]).toEqual(['stored', 'stored']);
  });

  it('concurrent deliveries of one message to a new contact store one message and one ticket', async () => {
    const message = inbound(ctx.world.channels.whatsapp, ctx.world.clock);
    const results = await Promise.all(Array.from({ length: 8 }, () => ingestInbound(ctx.world.deps, message)));
    expect(results.filter((r) => r.outcome === 'stored')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'duplicate')).toHaveLength(7);
    expect(new Set(results.map((r) => ('ticketId' in r ? r.ticketId : null))).size).toBe(1);
    expect(await countRows(ctx.db.store, 'messages')).toBe(1);
  });

  it('WhatsApp ids are compared as digits, so "+1 555…" and "1555…" are one contact and one ticket', async () => {
    const first = stored(await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.whatsapp, ctx.world.clock, { address: '+1 (555) 010-2030' })));
    const second = stored(await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.whatsapp, ctx.world.clock, { address: '15550102030' })));
    expect(second.ticketId).toBe(first.ticketId);
    const identity = await ctx.db.store.db.selectFrom('contact_identities').selectAll().where('channel_id', '=', ctx.world.channels.whatsapp.id).executeTakeFirstOrThrow();
    expect(identity.address).toBe('15550102030');
  });

  it('email addresses are compared lower-cased and trimmed', async () => {
    const first = stored(await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.email, ctx.world.clock, { address: ' Ana.Silva@Example.COM ' })));
    const second = stored(await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.email, ctx.world.clock, { address: 'ana.silva@example.com' })));
    expect(second.ticketId).toBe(first.ticketId);
  });

  it('keeps the profile name the provider sends, and its latest change', async () => {
    const address = newAddress('whatsapp');
    await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.whatsapp, ctx.world.clock, { address, contact: { address, displayName: 'José Álvarez' } }));
    await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.whatsapp, ctx.world.clock, { address, contact: { address, displayName: 'José A.' } }));
    const identity = await ctx.db.store.db.selectFrom('contact_identities').selectAll().where('address', '=', address).executeTakeFirstOrThrow();
    const contact = await ctx.db.store.db.selectFrom('contacts').selectAll().where('id', '=', identity.contact_id).executeTakeFirstOrThrow();
    expect(identity.display_name).toBe('José A.');
    expect(contact.name).toBe('José Álvarez');
  });

  it('the window anchor only moves forward when deliveries arrive out of order', async () => {
    const address = newAddress('whatsapp');
    const recent = ctx.world.clock.hoursAgo(1);
    const first = stored(await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.whatsapp, ctx.world.clock, { address, sentAt: recent })));
    await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.whatsapp, ctx.world.clock, { address, sentAt: ctx.world.clock.hoursAgo(5) }));
    const ticket = await ticketRow(ctx.db.store, first.ticketId);
    expect(ticket.last_customer_sent_at).toBe(recent);
  });

  it.each(['pending', 'resolved', 'snoozed'] as const)('a customer message moves a %s ticket back to open', async (status) => {
    const address = newAddress('whatsapp');
    const first = stored(await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.whatsapp, ctx.world.clock, { address })));
    await setTicketStatus(ctx.world.deps, ctx.world.agent, first.ticketId, status, status === 'snoozed' ? ctx.world.clock.now() + 5 * HOUR : null);
    await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.whatsapp, ctx.world.clock, { address }));
    const ticket = await ticketRow(ctx.db.store, first.ticketId);
    expect(ticket.status).toBe('open');
    expect(ticket.snoozed_until).toBeNull();
    const events = await ctx.db.store.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', first.ticketId).where('actor_kind', '=', 'customer').execute();
    expect(events.map((e) => [e.type, JSON.parse(e.data ?? '{}').to])).toContainEqual(['status.changed', 'open']);
  });

  it('with the workspace setting off, a customer message leaves a pending ticket pending', async () => {
    await ctx.db.store.db.updateTable('workspaces').set({ reopen_on_customer_message: 0 }).where('id', '=', ctx.world.workspaceId).execute();
    const address = newAddress('instagram');
    const first = stored(await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.instagram, ctx.world.clock, { address })));
    await setTicketStatus(ctx.world.deps, ctx.world.agent, first.ticketId, 'pending');
    await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.instagram, ctx.world.clock, { address }));
    const ticket = await ticketRow(ctx.db.store, first.ticketId);
    expect(ticket.status).toBe('pending');
  });

  it('an automated message never starts a ticket by itself', async () => {
    const result = await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.email, ctx.world.clock, { automated: true }));
    expect(result).toEqual({ outcome: 'ignored', reason: 'automated_without_ticket' });
    const tickets = await ctx.db.store.db.selectFrom('tickets').selectAll().execute();
    expect(tickets).toHaveLength(0);
  });

  it('an automated message joins the active ticket without counting as customer activity', async () => {
    const address = newAddress('email');
    const first = stored(await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.email, ctx.world.clock, { address })));
    await setTicketStatus(ctx.world.deps, ctx.world.agent, first.ticketId, 'pending');
    const before = await ticketRow(ctx.db.store, first.ticketId);
    ctx.world.clock.advance(HOUR);
    const auto = await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.email, ctx.world.clock, { address, automated: true, body: 'I am out of office' }));
    expect(auto).toMatchObject({ outcome: 'stored', ticketId: first.ticketId });
    const after = await ticketRow(ctx.db.store, first.ticketId);
    expect(after).toMatchObject({ status: 'pending', last_inbound_at: before.last_inbound_at, last_activity_at: before.last_activity_at });
  });

  it('refuses an address the channel cannot use and stores nothing', async () => {
    await expect(ingestInbound(ctx.world.deps, inbound(ctx.world.channels.email, ctx.world.clock, { address: 'not-an-address' }))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await ctx.db.store.db.selectFrom('contacts').selectAll().execute()).toHaveLength(0);
  });

  it('refuses a message for a channel that does not exist', async () => {
    await expect(ingestInbound(ctx.world.deps, { ...inbound(ctx.world.channels.email, ctx.world.clock), channelId: 'missing' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('records the creation and announces the ticket and message on the realtime list', async () => {
    const result = stored(await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.instagram, ctx.world.clock)));
    const timeline = await ctx.db.store.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', result.ticketId).execute();
    expect(timeline.map((e) => [e.type, e.actor_kind])).toEqual([['ticket.created', 'customer']]);
    const realtime = await ctx.db.store.db.selectFrom('realtime_events').selectAll().where('workspace_id', '=', ctx.world.workspaceId).orderBy('seq').execute();
    expect(realtime.map((e) => e.type)).toEqual(['ticket.created', 'message.created']);
  });
});
