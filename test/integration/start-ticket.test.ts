// The agent's "+ New" flow on both engines: reply policy per channel, threading into the active
// ticket, contacts resolved by id or address, workspace scoping and bad input.
import { describe, expect, it } from 'vitest';
import type { ChannelRow } from '../../src/db/schema.js';
import { DAY, HOUR } from '../../src/domain/clock.js';
import { insertChannel, setChannelEnabled } from '../../src/modules/channels/channel.repo.js';
import type { OutgoingContent } from '../../src/modules/messages/outgoing.js';
import { startTicket } from '../../src/modules/messages/start-ticket.js';
import { closeTicket } from '../../src/modules/tickets/ticket-actions.js';
import { refusalOf } from '../support/assertions.js';
import { buildWorld, customerWroteIn, newAddress, type World } from '../support/factories.js';
import { countRows, messagesOf, ticketRow, ticketsOfContact } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { useWorld } from '../support/world.js';

const text = (body = 'Hi, this is Ana from the support team.'): OutgoingContent => ({ kind: 'text', body });
const template = (): OutgoingContent => ({
  kind: 'template',
  template: { name: 'order_update', language: 'en_US', parameters: { '1': 'A-1042' } },
});

describe.each(ENGINES)('starting a ticket from "+ New" (%s)', (engine) => {
  const ctx = useWorld(engine);

  /** The customer writes on a channel with the given provider time; returns their ticket and contact. */
  const customerWrote = (channel: ChannelRow, sentAt: number, address = newAddress(channel.kind), w: World = ctx.world) => customerWroteIn(w, channel, { sentAt, address });

  /** Row counts of everything a send could write. */
  async function footprint() {
    const { store } = ctx.db;
    return {
      tickets: await countRows(store, 'tickets'),
      messages: await countRows(store, 'messages'),
      outbox: await countRows(store, 'outbox'),
      contacts: await countRows(store, 'contacts'),
      identities: await countRows(store, 'contact_identities'),
      events: await countRows(store, 'ticket_events'),
      realtime: await countRows(store, 'realtime_events'),
    };
  }

  const outboxOf = (messageId: string) => ctx.db.store.db.selectFrom('outbox').selectAll().where('message_id', '=', messageId).execute();
  const eventsOf = (ticketId: string) => ctx.db.store.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', ticketId).orderBy('created_at').orderBy('type').execute();

  describe('WhatsApp', () => {
    it('refuses a free-form message 25 hours after the customer\'s last message and stores nothing', async () => {
      const customer = await customerWrote(ctx.world.channels.whatsapp, ctx.world.clock.hoursAgo(25));
      await closeTicket(ctx.world.deps, ctx.world.agent, customer.ticketId);
      const before = await footprint();

      const error = await refusalOf(startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.whatsapp.id, contact: { contactId: customer.contactId }, message: text() }));

      expect(error.code).toBe('WHATSAPP_TEMPLATE_REQUIRED');
      expect(error.message).toContain('25 h');
      expect(await footprint()).toEqual(before);
      expect((await ticketsOfContact(ctx.db.store, customer.contactId)).map((t) => t.status)).toEqual(['closed']);
    });

    it('refuses a free-form message to a WhatsApp number never seen and creates no contact', async () => {
      const before = await footprint();
      const error = await refusalOf(startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.whatsapp.id, contact: { address: newAddress('whatsapp'), name: 'New Person' }, message: text() }));
      expect(error.code).toBe('WHATSAPP_TEMPLATE_REQUIRED');
      expect(await footprint()).toEqual(before);
    });

    it('accepts a free-form message 2 hours after the customer\'s last message even though their ticket was closed, opening a new agent ticket', async () => {
      const customer = await customerWrote(ctx.world.channels.whatsapp, ctx.world.clock.hoursAgo(2));
      await closeTicket(ctx.world.deps, ctx.world.agent, customer.ticketId);
      ctx.world.clock.advance(5 * 60_000);

      const result = await startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.whatsapp.id, contact: { contactId: customer.contactId }, message: text('Following up on your order') });

      expect(result.created).toBe(true);
      expect(result.ticket.id).not.toBe(customer.ticketId);
      const tickets = await ticketsOfContact(ctx.db.store, customer.contactId);
      expect(tickets.map((t) => [t.number, t.status, t.created_by])).toEqual([
        [1, 'closed', 'customer'],
        [2, 'open', 'agent'],
      ]);
      expect(tickets[1]).toMatchObject({
        id: result.ticket.id,
        channel_id: ctx.world.channels.whatsapp.id,
        creator_user_id: ctx.world.agent.userId,
        assignee_user_id: ctx.world.agent.userId,
        last_message_direction: 'outbound',
        last_message_preview: 'Following up on your order',
        first_response_at: ctx.world.clock.now(),
      });
      const messages = await messagesOf(ctx.db.store, result.ticket.id);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({ id: result.message.id, direction: 'outbound', author_kind: 'agent', author_user_id: ctx.world.agent.userId, kind: 'text', body: 'Following up on your order', status: 'queued' });
      const outbox = await ctx.db.store.db.selectFrom('outbox').selectAll().where('channel_id', '=', ctx.world.channels.whatsapp.id).execute();
      expect(outbox).toHaveLength(1);
      expect(outbox[0]).toMatchObject({ topic: 'message.send', message_id: result.message.id, workspace_id: ctx.world.workspaceId, done_at: null, attempts: 0 });
      expect(JSON.parse(outbox[0]!.payload ?? 'null')).toEqual({ tag: null });
    });

    it('records the agent creation and assignment on the timeline and announces ticket and message', async () => {
      const customer = await customerWrote(ctx.world.channels.whatsapp, ctx.world.clock.hoursAgo(1));
      await closeTicket(ctx.world.deps, ctx.world.agent, customer.ticketId);
      const realtimeBefore = await ctx.db.store.db.selectFrom('realtime_events').select('seq').orderBy('seq', 'desc').executeTakeFirstOrThrow();

      const result = await startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.whatsapp.id, contact: { contactId: customer.contactId }, message: text() });

      const events = await eventsOf(result.ticket.id);
      expect(events.map((e) => [e.type, e.actor_kind, e.actor_user_id, JSON.parse(e.data ?? 'null')])).toEqual([
        ['assigned', 'user', ctx.world.agent.userId, { from: null, to: ctx.world.agent.userId }],
        // The customer's ticket was closed: the new one continues it.
        ['ticket.created', 'user', ctx.world.agent.userId, { createdBy: 'agent', previousTicketId: customer.ticketId }],
      ]);
      const realtime = await ctx.db.store.db.selectFrom('realtime_events').selectAll().where('seq', '>', realtimeBefore.seq).orderBy('seq').execute();
      expect(realtime.map((e) => [e.workspace_id, e.type, JSON.parse(e.payload)])).toEqual([
        [ctx.world.workspaceId, 'ticket.created', { ticketId: result.ticket.id }],
        [ctx.world.workspaceId, 'message.created', { ticketId: result.ticket.id, messageId: result.message.id }],
      ]);
    });

    it('accepts an approved template when the window is closed', async () => {
      const customer = await customerWrote(ctx.world.channels.whatsapp, ctx.world.clock.now() - 3 * DAY);
      await closeTicket(ctx.world.deps, ctx.world.agent, customer.ticketId);

      const result = await startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.whatsapp.id, contact: { contactId: customer.contactId }, message: template() });

      expect(result.created).toBe(true);
      const [message] = await messagesOf(ctx.db.store, result.ticket.id);
      expect(message).toMatchObject({ kind: 'template', status: 'queued', body: null });
      expect(JSON.parse(message!.template ?? 'null')).toEqual({ name: 'order_update', language: 'en_US', parameters: { '1': 'A-1042' } });
      expect(await outboxOf(result.message.id)).toHaveLength(1);
    });

    it('accepts a template to a WhatsApp number never seen, creating the contact with its identity', async () => {
      const address = newAddress('whatsapp');
      const result = await startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.whatsapp.id, contact: { address: `+${address}`, name: '  Marta Ruiz ' }, message: template() });

      expect(result.created).toBe(true);
      expect(result.ticket).toMatchObject({ number: 1, created_by: 'agent', status: 'open' });
      const contact = await ctx.db.store.db.selectFrom('contacts').selectAll().where('id', '=', result.ticket.contact_id).executeTakeFirstOrThrow();
      expect(contact).toMatchObject({ workspace_id: ctx.world.workspaceId, name: 'Marta Ruiz' });
      const identities = await ctx.db.store.db.selectFrom('contact_identities').selectAll().where('contact_id', '=', contact.id).execute();
      expect(identities.map((i) => [i.channel_id, i.address])).toEqual([[ctx.world.channels.whatsapp.id, address]]);
      expect(await outboxOf(result.message.id)).toHaveLength(1);
    });

    it('a message for a contact with an active ticket on the channel joins it instead of opening a second one', async () => {
      const customer = await customerWrote(ctx.world.channels.whatsapp, ctx.world.clock.hoursAgo(1));
      ctx.world.clock.advance(60_000);

      const result = await startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.whatsapp.id, contact: { contactId: customer.contactId }, message: text('We are on it') });

      expect(result.created).toBe(false);
      expect(result.ticket.id).toBe(customer.ticketId);
      expect(result.message.ticket_id).toBe(customer.ticketId);
      const tickets = await ticketsOfContact(ctx.db.store, customer.contactId);
      expect(tickets).toHaveLength(1);
      expect(tickets[0]).toMatchObject({ created_by: 'customer', status: 'open', last_message_direction: 'outbound', last_message_preview: 'We are on it', assignee_user_id: null });
      expect((await messagesOf(ctx.db.store, customer.ticketId)).map((m) => [m.direction, m.body])).toEqual([
        ['inbound', 'Hello, I need help'],
        ['outbound', 'We are on it'],
      ]);
      expect(await outboxOf(result.message.id)).toHaveLength(1);
    });

    it('a message to the address of a contact with an active ticket joins that ticket too', async () => {
      const customer = await customerWrote(ctx.world.channels.whatsapp, ctx.world.clock.hoursAgo(1));
      const result = await startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.whatsapp.id, contact: { address: `+${customer.address}` }, message: text() });
      expect(result).toMatchObject({ created: false, ticket: { id: customer.ticketId } });
      expect(await ticketsOfContact(ctx.db.store, customer.contactId)).toHaveLength(1);
      expect(await countRows(ctx.db.store, 'contacts')).toBe(1);
    });
  });

  describe('email', () => {
    it('refuses email to a contact known only on WhatsApp and stores nothing', async () => {
      const customer = await customerWrote(ctx.world.channels.whatsapp, ctx.world.clock.hoursAgo(1));
      const before = await footprint();
      const error = await refusalOf(startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.email.id, contact: { contactId: customer.contactId }, message: text() }));
      expect(error.code).toBe('CONTACT_HAS_NO_EMAIL');
      expect(await footprint()).toEqual(before);
    });

    it('writes to a brand-new email address and stores the subject on the ticket', async () => {
      const result = await startTicket(ctx.world.deps, ctx.world.agent, {
        channelId: ctx.world.channels.email.id,
        contact: { address: ' New.Customer@Example.COM ' },
        message: { kind: 'text', subject: 'Your refund', body: 'Your refund was approved.' },
      });
      expect(result.created).toBe(true);
      expect(result.ticket).toMatchObject({ subject: 'Your refund', created_by: 'agent', channel_id: ctx.world.channels.email.id });
      const identity = await ctx.db.store.db.selectFrom('contact_identities').selectAll().where('contact_id', '=', result.ticket.contact_id).executeTakeFirstOrThrow();
      expect(identity).toMatchObject({ channel_id: ctx.world.channels.email.id, address: 'new.customer@example.com' });
      expect(result.message).toMatchObject({ subject: 'Your refund', status: 'queued' });
      expect(await outboxOf(result.message.id)).toHaveLength(1);
    });

    it('writes to an email contact from a second support address of the workspace, by contact id', async () => {
      const second = await insertChannel(ctx.db.store.db, { workspaceId: ctx.world.workspaceId, kind: 'email', name: 'Billing', externalId: `billing-${ctx.world.workspaceId}@brand.test` }, ctx.world.clock.now());
      const customer = await customerWrote(ctx.world.channels.email, ctx.world.clock.now() - 30 * DAY);

      const result = await startTicket(ctx.world.deps, ctx.world.agent, { channelId: second.id, contact: { contactId: customer.contactId }, message: { kind: 'text', subject: 'Invoice', body: 'Your invoice is attached.' } });

      expect(result.created).toBe(true);
      expect(result.ticket).toMatchObject({ channel_id: second.id, contact_id: customer.contactId, subject: 'Invoice' });
      const identities = await ctx.db.store.db.selectFrom('contact_identities').selectAll().where('contact_id', '=', customer.contactId).orderBy('created_at').execute();
      expect(identities.map((i) => [i.channel_id, i.address]).sort()).toEqual(
        [
          [ctx.world.channels.email.id, customer.address],
          [second.id, customer.address],
        ].sort(),
      );
      expect((await ticketsOfContact(ctx.db.store, customer.contactId)).map((t) => t.channel_id)).toEqual([ctx.world.channels.email.id, second.id]);
    });

    it('an address known on another support address of the workspace resolves to the same contact', async () => {
      const second = await insertChannel(ctx.db.store.db, { workspaceId: ctx.world.workspaceId, kind: 'email', name: 'Sales', externalId: `sales-${ctx.world.workspaceId}@brand.test` }, ctx.world.clock.now());
      const customer = await customerWrote(ctx.world.channels.email, ctx.world.clock.hoursAgo(3));

      const result = await startTicket(ctx.world.deps, ctx.world.agent, { channelId: second.id, contact: { address: customer.address.toUpperCase() }, message: text() });

      expect(result.ticket.contact_id).toBe(customer.contactId);
      expect(await countRows(ctx.db.store, 'contacts')).toBe(1);
    });
    it('refuses a template by email, which has no templates, and stores nothing', async () => {
      const before = await footprint();
      const error = await refusalOf(startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.email.id, contact: { address: newAddress('email') }, message: template() }));
      expect(error.code).toBe('EMAIL_TEMPLATES_UNSUPPORTED');
      expect(await footprint()).toEqual(before);
    });
  });

  describe('Instagram', () => {
    const outboxPayload = async (messageId: string) => {
      const rows = await outboxOf(messageId);
      expect(rows).toHaveLength(1);
      return JSON.parse(rows[0]!.payload ?? 'null') as { tag: string | null };
    };

    it('accepts a human agent\'s message 3 days after the customer\'s last message and sends it with the HUMAN_AGENT tag', async () => {
      const customer = await customerWrote(ctx.world.channels.instagram, ctx.world.clock.now() - 3 * DAY);
      await closeTicket(ctx.world.deps, ctx.world.agent, customer.ticketId);
      const result = await startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.instagram.id, contact: { contactId: customer.contactId }, message: text() });
      expect(result.created).toBe(true);
      expect(await outboxPayload(result.message.id)).toEqual({ tag: 'HUMAN_AGENT' });
    });

    it('sends without a tag 2 hours after the customer\'s last message', async () => {
      const customer = await customerWrote(ctx.world.channels.instagram, ctx.world.clock.hoursAgo(2));
      const result = await startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.instagram.id, contact: { contactId: customer.contactId }, message: text() });
      expect(await outboxPayload(result.message.id)).toEqual({ tag: null });
    });

    it('refuses any message 8 days after the customer\'s last message and stores nothing', async () => {
      const customer = await customerWrote(ctx.world.channels.instagram, ctx.world.clock.now() - 8 * DAY);
      await closeTicket(ctx.world.deps, ctx.world.agent, customer.ticketId);
      const before = await footprint();
      const error = await refusalOf(startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.instagram.id, contact: { contactId: customer.contactId }, message: text() }));
      expect(error.code).toBe('INSTAGRAM_WINDOW_CLOSED');
      expect(await footprint()).toEqual(before);
    });

    it('refuses a template, which Instagram does not support, even inside the window', async () => {
      const customer = await customerWrote(ctx.world.channels.instagram, ctx.world.clock.hoursAgo(1));
      const before = await footprint();
      const error = await refusalOf(startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.instagram.id, contact: { contactId: customer.contactId }, message: template() }));
      expect(error.code).toBe('INSTAGRAM_TEMPLATES_UNSUPPORTED');
      expect(await footprint()).toEqual(before);
    });

    it('refuses an Instagram id that never wrote to the account and stores nothing', async () => {
      const before = await footprint();
      const error = await refusalOf(startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.instagram.id, contact: { address: newAddress('instagram') }, message: text() }));
      expect(error.code).toBe('INSTAGRAM_WINDOW_CLOSED');
      expect(await footprint()).toEqual(before);
    });
  });

  describe('scoping and bad input', () => {
    it('a channel of another workspace is not found and nothing is stored', async () => {
      const other = await buildWorld(ctx.db.store, ctx.world.clock);
      const before = await footprint();
      const error = await refusalOf(startTicket(ctx.world.deps, ctx.world.agent, { channelId: other.channels.email.id, contact: { address: newAddress('email') }, message: text() }));
      expect(error.code).toBe('NOT_FOUND');
      expect(await footprint()).toEqual(before);
    });

    it('a contact of another workspace is not found and nothing is stored', async () => {
      const other = await buildWorld(ctx.db.store, ctx.world.clock);
      const stranger = await customerWrote(other.channels.whatsapp, ctx.world.clock.hoursAgo(1), newAddress('whatsapp'), other);
      await closeTicket(other.deps, other.agent, stranger.ticketId);
      const before = await footprint();
      const error = await refusalOf(startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.email.id, contact: { contactId: stranger.contactId }, message: text() }));
      expect(error.code).toBe('NOT_FOUND');
      expect(await footprint()).toEqual(before);
    });

    it('a switched-off channel refuses with CHANNEL_DISABLED', async () => {
      await setChannelEnabled(ctx.db.store.db, ctx.world.channels.email.id, false, ctx.world.clock.now());
      const error = await refusalOf(startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.email.id, contact: { address: newAddress('email') }, message: text() }));
      expect(error.code).toBe('CHANNEL_DISABLED');
      expect((await footprint()).contacts).toBe(0);
    });

    it.each(['', '   \n '])('an empty text message (%j) is refused as invalid', async (body) => {
      const error = await refusalOf(startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.email.id, contact: { address: newAddress('email') }, message: text(body) }));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect((await footprint()).contacts).toBe(0);
    });

    it('a template without a name is refused as invalid', async () => {
      const customer = await customerWrote(ctx.world.channels.whatsapp, ctx.world.clock.hoursAgo(30));
      await closeTicket(ctx.world.deps, ctx.world.agent, customer.ticketId);
      const before = await footprint();
      const error = await refusalOf(
        startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.whatsapp.id, contact: { contactId: customer.contactId }, message: { kind: 'template', template: { name: '', language: 'en', parameters: {} } } }),
      );
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(await footprint()).toEqual(before);
    });

    it.each([
      ['email', 'not-an-address'],
      ['whatsapp', '12-3'],
      ['instagram', 'ig_user_name'],
    ] as const)('an invalid %s address (%s) is refused as invalid and creates no contact', async (kind, address) => {
      const error = await refusalOf(startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels[kind].id, contact: { address }, message: kind === 'whatsapp' ? template() : text() }));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details).toEqual({ field: 'contact.address' });
      expect(await footprint()).toMatchObject({ contacts: 0, identities: 0, tickets: 0 });
    });
  });

  describe('at the same moment', () => {
    it('agents starting conversations with one known contact at the same moment share one new ticket and keep every message', async () => {
      const customer = await customerWrote(ctx.world.channels.email, ctx.world.clock.hoursAgo(2));
      await closeTicket(ctx.world.deps, ctx.world.agent, customer.ticketId);
      const agents = [ctx.world.agent, ctx.world.otherAgent, ctx.world.agent, ctx.world.otherAgent];

      const results = await Promise.all(
        agents.map((agent, i) => startTicket(ctx.world.deps, agent, { channelId: ctx.world.channels.email.id, contact: { contactId: customer.contactId }, message: text(`note ${i}`) })),
      );

      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.ticket.id)).size).toBe(1);
      const active = (await ticketsOfContact(ctx.db.store, customer.contactId)).filter((t) => t.status !== 'closed');
      expect(active).toHaveLength(1);
      expect((await messagesOf(ctx.db.store, active[0]!.id)).map((m) => m.body).sort()).toEqual(['note 0', 'note 1', 'note 2', 'note 3']);
    });

    it('agents writing to the same brand-new address at the same moment share one contact and one ticket, and no message is refused', async () => {
      const address = newAddress('email');

      const settled = await Promise.allSettled(
        [0, 1, 2, 3].map((i) => startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.email.id, contact: { address }, message: text(`hello ${i}`) })),
      );

      const refusals = settled.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as { code?: string }).code ?? r.reason)] : []));
      expect(refusals).toEqual([]);
      const results = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(await footprint()).toMatchObject({ contacts: 1, identities: 1, tickets: 1, messages: 4, outbox: 4 });
    });
  });

  describe('status and numbering', () => {
    it('"send and set pending" opens the new ticket as pending', async () => {
      const result = await startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.email.id, contact: { address: newAddress('email') }, message: text(), setStatus: 'pending' });
      const stored = await ticketRow(ctx.db.store, result.ticket.id);
      expect(stored.status).toBe('pending');
      expect(result.ticket.status).toBe('pending');
    });

    it('"send and set pending" on a contact\'s active ticket moves it to pending and records the change by the agent', async () => {
      const customer = await customerWrote(ctx.world.channels.email, ctx.world.clock.hoursAgo(1));
      const result = await startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.email.id, contact: { contactId: customer.contactId }, message: text(), setStatus: 'pending' });
      expect(result).toMatchObject({ created: false, ticket: { id: customer.ticketId, status: 'pending' } });
      const changes = (await eventsOf(customer.ticketId)).filter((e) => e.type === 'status.changed');
      expect(changes.map((e) => [e.actor_user_id, JSON.parse(e.data ?? 'null')])).toEqual([[ctx.world.agent.userId, { from: 'open', to: 'pending', snoozedUntil: null }]]);
    });

    it('snoozing with the first message needs a future wake time and stores nothing otherwise', async () => {
      const before = await footprint();
      const error = await refusalOf(
        startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.email.id, contact: { address: newAddress('email') }, message: text(), setStatus: 'snoozed', snoozeUntil: ctx.world.clock.hoursAgo(1) }),
      );
      expect(error.code).toBe('SNOOZE_UNTIL_IN_PAST');
      expect(await footprint()).toEqual(before);
      const wake = ctx.world.clock.now() + 4 * HOUR;
      const result = await startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.email.id, contact: { address: newAddress('email') }, message: text(), setStatus: 'snoozed', snoozeUntil: wake });
      expect(result.ticket).toMatchObject({ status: 'snoozed', snoozed_until: wake });
    });

    it('ticket numbers run 1, 2, 3 per workspace, independently of another workspace', async () => {
      const other = await buildWorld(ctx.db.store, ctx.world.clock);
      const start = (w: World) => startTicket(w.deps, w.agent, { channelId: w.channels.email.id, contact: { address: newAddress('email') }, message: text() });
      const numbers: Array<[string, number]> = [];
      for (const w of [ctx.world, other, ctx.world, other, ctx.world]) numbers.push([w === ctx.world ? 'mine' : 'other', (await start(w)).ticket.number]);
      expect(numbers).toEqual([
        ['mine', 1],
        ['other', 1],
        ['mine', 2],
        ['other', 2],
        ['mine', 3],
      ]);
      const mine = await ctx.db.store.db.selectFrom('tickets').select('number').where('workspace_id', '=', ctx.world.workspaceId).orderBy('number').execute();
      expect(mine.map((t) => t.number)).toEqual([1, 2, 3]);
    });

    it('numbers continue after customer-created tickets of the same workspace', async () => {
      await customerWrote(ctx.world.channels.instagram, ctx.world.clock.hoursAgo(1));
      const result = await startTicket(ctx.world.deps, ctx.world.agent, { channelId: ctx.world.channels.email.id, contact: { address: newAddress('email') }, message: text() });
      expect(result.ticket.number).toBe(2);
    });
  });
});
