// What agents do to a ticket, on both engines: replies under the reply policy, notes, close and reopen,
// assignment, status, priority and tags, each scoped to the agent's workspace and recorded.
import { describe, expect, it } from 'vitest';
import type { ChannelRow } from '../../src/db/schema.js';
import { DAY, HOUR, MINUTE } from '../../src/domain/clock.js';
import type { TicketPriority } from '../../src/domain/ticket-status.js';
import { setChannelEnabled } from '../../src/modules/channels/channel.repo.js';
import { setContactTags } from '../../src/modules/contacts/contact-actions.js';
import { addNote } from '../../src/modules/messages/add-note.js';
import type { OutgoingContent } from '../../src/modules/messages/outgoing.js';
import { replyToTicket } from '../../src/modules/messages/reply-to-ticket.js';
import { assignTicket, closeTicket, reopenTicket, setTicketPriority, setTicketStatus, setTicketTags } from '../../src/modules/tickets/ticket-actions.js';
import { refusalOf } from '../support/assertions.js';
import { buildWorld, customerWroteIn, type World } from '../support/factories.js';
import { messagesOf, ticketRow } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { useWorld } from '../support/world.js';

const text = (body = 'Thanks for waiting, here is the answer.'): OutgoingContent => ({ kind: 'text', body });
const template = (): OutgoingContent => ({ kind: 'template', template: { name: 'follow_up', language: 'en', parameters: { '1': 'Ana' } } });

describe.each(ENGINES)('agent actions on a ticket (%s)', (engine) => {
  const ctx = useWorld(engine);

  /** A customer writes (provider time `sentAt`, now by default); returns their ticket and contact. */
  const customerWrote = (channel: ChannelRow, options: { sentAt?: number; address?: string; world?: World } = {}) => customerWroteIn(options.world ?? ctx.world, channel, options);

  const eventsOf = async (ticketId: string, type?: string) => {
    const rows = await ctx.db.store.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', ticketId).orderBy('created_at').orderBy('id').execute();
    return rows.filter((e) => !type || e.type === type).map((e) => ({ type: e.type, actor: e.actor_kind, user: e.actor_user_id, data: JSON.parse(e.data ?? 'null') as unknown }));
  };
  const outboxRows = () => ctx.db.store.db.selectFrom('outbox').selectAll().orderBy('created_at').execute();
  const lastRealtimeSeq = async () => (await ctx.db.store.db.selectFrom('realtime_events').select('seq').orderBy('seq', 'desc').executeTakeFirst())?.seq ?? 0;
  const realtimeAfter = async (seq: number) =>
    (await ctx.db.store.db.selectFrom('realtime_events').selectAll().where('seq', '>', seq).orderBy('seq').execute()).map((e) => ({ workspace: e.workspace_id, type: e.type, payload: JSON.parse(e.payload) as unknown }));

  /** Everything an action could change, to prove a refusal changed nothing. */
  async function snapshot() {
    const q = ctx.db.store.db;
    return {
      tickets: await q.selectFrom('tickets').selectAll().orderBy('id').execute(),
      messages: (await q.selectFrom('messages').select('id').orderBy('id').execute()).map((r) => r.id),
      outbox: (await q.selectFrom('outbox').select('id').orderBy('id').execute()).map((r) => r.id),
      events: (await q.selectFrom('ticket_events').select('id').orderBy('id').execute()).map((r) => r.id),
      ticketTags: (await q.selectFrom('ticket_tags').select(['ticket_id', 'tag']).orderBy('ticket_id').orderBy('tag').execute()).map((t) => `${t.ticket_id}:${t.tag}`),
      contactTags: (await q.selectFrom('contact_tags').select(['contact_id', 'tag']).orderBy('contact_id').orderBy('tag').execute()).map((t) => `${t.contact_id}:${t.tag}`),
      realtime: (await q.selectFrom('realtime_events').select('seq').orderBy('seq').execute()).map((r) => r.seq),
    };
  }

  describe('replying', () => {
    it('refuses a free-form WhatsApp reply 25 hours after the customer\'s last message and stores nothing', async () => {
      const customer = await customerWrote(ctx.world.channels.whatsapp, { sentAt: ctx.world.clock.hoursAgo(25) });
      const before = await snapshot();
      const error = await refusalOf(replyToTicket(ctx.world.deps, ctx.world.agent, customer.ticketId, { message: text() }));
      expect(error.code).toBe('WHATSAPP_TEMPLATE_REQUIRED');
      expect(await snapshot()).toEqual(before);
    });

    it('accepts a WhatsApp template reply 25 hours after the customer\'s last message', async () => {
      const customer = await customerWrote(ctx.world.channels.whatsapp, { sentAt: ctx.world.clock.hoursAgo(25) });
      const { message } = await replyToTicket(ctx.world.deps, ctx.world.agent, customer.ticketId, { message: template() });
      expect(message).toMatchObject({ ticket_id: customer.ticketId, kind: 'template', status: 'queued', direction: 'outbound' });
      const outbox = await outboxRows();
      expect(outbox.map((o) => [o.topic, o.message_id])).toEqual([['message.send', message.id]]);
    });

    it('accepts a free-form WhatsApp reply once the customer writes again after the window closed', async () => {
      const customer = await customerWrote(ctx.world.channels.whatsapp, { sentAt: ctx.world.clock.hoursAgo(40) });
      await customerWrote(ctx.world.channels.whatsapp, { address: customer.address, sentAt: ctx.world.clock.hoursAgo(1) });
      const { ticket, message } = await replyToTicket(ctx.world.deps, ctx.world.agent, customer.ticketId, { message: text() });
      expect(ticket.id).toBe(customer.ticketId);
      expect(message.status).toBe('queued');
    });

    it('a reply inside the window is queued with its outbox row and makes the team the last speaker', async () => {
      const customer = await customerWrote(ctx.world.channels.whatsapp, { sentAt: ctx.world.clock.hoursAgo(1) });
      ctx.world.clock.advance(MINUTE);
      const { ticket, message } = await replyToTicket(ctx.world.deps, ctx.world.agent, customer.ticketId, { message: text('Your parcel ships today') });
      expect(message).toMatchObject({ direction: 'outbound', author_kind: 'agent', author_user_id: ctx.world.agent.userId, body: 'Your parcel ships today', status: 'queued' });
      expect(ticket).toMatchObject({ status: 'open', last_message_direction: 'outbound', last_outbound_at: ctx.world.clock.now(), last_message_preview: 'Your parcel ships today' });
      const outbox = await outboxRows();
      expect(outbox).toHaveLength(1);
      expect(outbox[0]).toMatchObject({ topic: 'message.send', message_id: message.id, channel_id: ctx.world.channels.whatsapp.id, done_at: null });
    });

    it('an Instagram reply 3 days after the customer\'s last message is sent with the HUMAN_AGENT tag', async () => {
      const customer = await customerWrote(ctx.world.channels.instagram, { sentAt: ctx.world.clock.now() - 3 * DAY });
      const { message } = await replyToTicket(ctx.world.deps, ctx.world.agent, customer.ticketId, { message: text() });
      const [row] = await outboxRows();
      expect(row?.message_id).toBe(message.id);
      expect(JSON.parse(row?.payload ?? 'null')).toEqual({ tag: 'HUMAN_AGENT' });
    });

    it('a reply to a closed ticket is refused with TICKET_CLOSED and stores nothing', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      await closeTicket(ctx.world.deps, ctx.world.agent, customer.ticketId);
      const before = await snapshot();
      const error = await refusalOf(replyToTicket(ctx.world.deps, ctx.world.agent, customer.ticketId, { message: text() }));
      expect(error.code).toBe('TICKET_CLOSED');
      expect(await snapshot()).toEqual(before);
    });

    it('a reply from a switched-off channel is refused with CHANNEL_DISABLED', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      await setChannelEnabled(ctx.db.store.db, ctx.world.channels.email.id, false, ctx.world.clock.now());
      const before = await snapshot();
      const error = await refusalOf(replyToTicket(ctx.world.deps, ctx.world.agent, customer.ticketId, { message: text() }));
      expect(error.code).toBe('CHANNEL_DISABLED');
      expect(await snapshot()).toEqual(before);
    });

    it('an empty reply is refused as invalid', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      const before = await snapshot();
      const error = await refusalOf(replyToTicket(ctx.world.deps, ctx.world.agent, customer.ticketId, { message: text('  ') }));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(await snapshot()).toEqual(before);
    });

    it('"send and set pending" sets the ticket pending and records the change by the agent', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      const { ticket } = await replyToTicket(ctx.world.deps, ctx.world.agent, customer.ticketId, { message: text(), setStatus: 'pending' });
      expect(ticket.status).toBe('pending');
      expect((await ticketRow(ctx.db.store, customer.ticketId)).status).toBe('pending');
      expect(await eventsOf(customer.ticketId, 'status.changed')).toEqual([
        { type: 'status.changed', actor: 'user', user: ctx.world.agent.userId, data: { from: 'open', to: 'pending', snoozedUntil: null } },
      ]);
    });

    it('"send and snooze" without a wake time is refused and the reply is not stored', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      const before = await snapshot();
      const error = await refusalOf(replyToTicket(ctx.world.deps, ctx.world.agent, customer.ticketId, { message: text(), setStatus: 'snoozed' }));
      expect(error.code).toBe('SNOOZE_UNTIL_REQUIRED');
      expect(await snapshot()).toEqual(before);
    });

    it('"send and snooze" on a snoozed ticket moves its wake time to the new one', async () => {
      const { ticketId } = await customerWrote(ctx.world.channels.email);
      await setTicketStatus(ctx.world.deps, ctx.world.agent, ticketId, 'snoozed', ctx.world.clock.now() + HOUR);
      const later = ctx.world.clock.now() + DAY;
      await replyToTicket(ctx.world.deps, ctx.world.agent, ticketId, { message: text(), setStatus: 'snoozed', snoozeUntil: later });
      expect(await ticketRow(ctx.db.store, ticketId)).toMatchObject({ status: 'snoozed', snoozed_until: later });
    });

    it('the first reply sets the first response time and a later reply does not move it', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      expect((await ticketRow(ctx.db.store, customer.ticketId)).first_response_at).toBeNull();
      const firstAt = ctx.world.clock.advance(7 * MINUTE);
      await replyToTicket(ctx.world.deps, ctx.world.agent, customer.ticketId, { message: text('first') });
      const secondAt = ctx.world.clock.advance(HOUR);
      await replyToTicket(ctx.world.deps, ctx.world.otherAgent, customer.ticketId, { message: text('second') });
      const ticket = await ticketRow(ctx.db.store, customer.ticketId);
      expect(ticket.first_response_at).toBe(firstAt);
      expect(ticket.last_outbound_at).toBe(secondAt);
      expect((await messagesOf(ctx.db.store, customer.ticketId)).map((m) => [m.direction, m.author_user_id])).toEqual([
        ['inbound', null],
        ['outbound', ctx.world.agent.userId],
        ['outbound', ctx.world.otherAgent.userId],
      ]);
    });
  });

  describe('private notes', () => {
    it('a note is stored as internal, is never sent, works outside the window and leaves the last speaker alone', async () => {
      const customer = await customerWrote(ctx.world.channels.whatsapp, { sentAt: ctx.world.clock.hoursAgo(25) });
      const before = await ticketRow(ctx.db.store, customer.ticketId);
      ctx.world.clock.advance(MINUTE);

      const note = await addNote(ctx.world.deps, ctx.world.agent, customer.ticketId, 'Customer called, refund agreed');

      expect(note).toMatchObject({ ticket_id: customer.ticketId, direction: 'internal', kind: 'note', author_user_id: ctx.world.agent.userId, body: 'Customer called, refund agreed' });
      expect(await outboxRows()).toHaveLength(0);
      const after = await ticketRow(ctx.db.store, customer.ticketId);
      expect(after).toMatchObject({
        last_message_direction: 'inbound',
        last_message_preview: before.last_message_preview,
        last_activity_at: before.last_activity_at,
        first_response_at: null,
        status: 'open',
      });
      expect((await messagesOf(ctx.db.store, customer.ticketId)).map((m) => m.direction)).toEqual(['inbound', 'internal']);
    });

    it('an empty note is refused as invalid', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      const before = await snapshot();
      const error = await refusalOf(addNote(ctx.world.deps, ctx.world.agent, customer.ticketId, ' \n '));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('closing and reopening', () => {
    it('closing records who closed it, when, why, and a timeline event with the agent', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      const closedAt = ctx.world.clock.advance(HOUR);
      const ticket = await closeTicket(ctx.world.deps, ctx.world.agent, customer.ticketId, 'solved by phone');
      expect(ticket).toMatchObject({ status: 'closed', closed_at: closedAt, closed_by_user_id: ctx.world.agent.userId, closed_by_rule_id: null, close_reason: 'solved by phone' });
      expect(await ticketRow(ctx.db.store, customer.ticketId)).toMatchObject({ status: 'closed', closed_at: closedAt, closed_by_user_id: ctx.world.agent.userId });
      expect(await eventsOf(customer.ticketId, 'ticket.closed')).toEqual([
        { type: 'ticket.closed', actor: 'user', user: ctx.world.agent.userId, data: { from: 'open', reason: 'solved by phone' } },
      ]);
    });

    it('closing a snoozed ticket clears its wake time', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      await setTicketStatus(ctx.world.deps, ctx.world.agent, customer.ticketId, 'snoozed', ctx.world.clock.now() + DAY);
      const ticket = await closeTicket(ctx.world.deps, ctx.world.agent, customer.ticketId);
      expect(ticket).toMatchObject({ status: 'closed', snoozed_until: null });
    });

    it('closing twice changes nothing the second time', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      const first = await closeTicket(ctx.world.deps, ctx.world.agent, customer.ticketId);
      ctx.world.clock.advance(HOUR);
      const before = await snapshot();
      const second = await closeTicket(ctx.world.deps, ctx.world.otherAgent, customer.ticketId, 'again');
      expect(second).toMatchObject({ closed_at: first.closed_at, closed_by_user_id: ctx.world.agent.userId, close_reason: null, updated_at: first.updated_at });
      expect(await snapshot()).toEqual(before);
    });

    it('reopening is refused, naming the active ticket, when the customer wrote again after the close', async () => {
      const customer = await customerWrote(ctx.world.channels.whatsapp);
      await closeTicket(ctx.world.deps, ctx.world.agent, customer.ticketId);
      const again = await customerWrote(ctx.world.channels.whatsapp, { address: customer.address });
      expect(again.ticketId).not.toBe(customer.ticketId);
      const before = await snapshot();

      const error = await refusalOf(reopenTicket(ctx.world.deps, ctx.world.agent, customer.ticketId));

      expect(error.code).toBe('ACTIVE_TICKET_EXISTS');
      expect(error.message).toContain(`#${again.ticketNumber}`);
      expect(error.details).toMatchObject({ activeTicketNumber: again.ticketNumber, activeTicketId: again.ticketId });
      expect(await snapshot()).toEqual(before);
    });

    it('reopening a closed ticket with no other active ticket makes it open again and records it', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      await closeTicket(ctx.world.deps, ctx.world.agent, customer.ticketId, 'done');
      ctx.world.clock.advance(HOUR);
      const ticket = await reopenTicket(ctx.world.deps, ctx.world.otherAgent, customer.ticketId);
      expect(ticket).toMatchObject({ status: 'open', closed_at: null, closed_by_user_id: null, close_reason: null });
      expect(await ticketRow(ctx.db.store, customer.ticketId)).toMatchObject({ status: 'open', closed_at: null });
      expect(await eventsOf(customer.ticketId, 'ticket.reopened')).toEqual([{ type: 'ticket.reopened', actor: 'user', user: ctx.world.otherAgent.userId, data: {} }]);
    });

    it('a reopened ticket takes the customer\'s next message instead of a new ticket', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      await closeTicket(ctx.world.deps, ctx.world.agent, customer.ticketId);
      await reopenTicket(ctx.world.deps, ctx.world.agent, customer.ticketId);
      const next = await customerWrote(ctx.world.channels.email, { address: customer.address });
      expect(next.ticketId).toBe(customer.ticketId);
    });

    it('reopening a ticket that is not closed is refused with TICKET_NOT_CLOSED', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      const before = await snapshot();
      const error = await refusalOf(reopenTicket(ctx.world.deps, ctx.world.agent, customer.ticketId));
      expect(error.code).toBe('TICKET_NOT_CLOSED');
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('assignment', () => {
    it('assigning to the other agent records from and to, and null unassigns', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      const assigned = await assignTicket(ctx.world.deps, ctx.world.agent, customer.ticketId, ctx.world.otherAgent.userId);
      expect(assigned.assignee_user_id).toBe(ctx.world.otherAgent.userId);
      const unassigned = await assignTicket(ctx.world.deps, ctx.world.agent, customer.ticketId, null);
      expect(unassigned.assignee_user_id).toBeNull();
      expect((await ticketRow(ctx.db.store, customer.ticketId)).assignee_user_id).toBeNull();
      expect(await eventsOf(customer.ticketId, 'assigned')).toEqual([
        { type: 'assigned', actor: 'user', user: ctx.world.agent.userId, data: { from: null, to: ctx.world.otherAgent.userId } },
        { type: 'assigned', actor: 'user', user: ctx.world.agent.userId, data: { from: ctx.world.otherAgent.userId, to: null } },
      ]);
    });

    it('assigning to the current assignee again records nothing', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      await assignTicket(ctx.world.deps, ctx.world.agent, customer.ticketId, ctx.world.agent.userId);
      const before = await snapshot();
      await assignTicket(ctx.world.deps, ctx.world.agent, customer.ticketId, ctx.world.agent.userId);
      expect(await snapshot()).toEqual(before);
    });

    it('assigning to a user of another workspace is refused as invalid', async () => {
      const other = await buildWorld(ctx.db.store, ctx.world.clock);
      const customer = await customerWrote(ctx.world.channels.email);
      const before = await snapshot();
      const error = await refusalOf(assignTicket(ctx.world.deps, ctx.world.agent, customer.ticketId, other.agent.userId));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details).toEqual({ field: 'assigneeUserId' });
      expect(await snapshot()).toEqual(before);
    });

    it('assigning to a deactivated member is refused as invalid', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      await ctx.db.store.db.updateTable('users').set({ active: 0 }).where('id', '=', ctx.world.otherAgent.userId).execute();
      const error = await refusalOf(assignTicket(ctx.world.deps, ctx.world.agent, customer.ticketId, ctx.world.otherAgent.userId));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect((await ticketRow(ctx.db.store, customer.ticketId)).assignee_user_id).toBeNull();
    });
  });

  describe('status and priority', () => {
    it('snoozing needs a wake time, in the future', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      const before = await snapshot();
      expect((await refusalOf(setTicketStatus(ctx.world.deps, ctx.world.agent, customer.ticketId, 'snoozed'))).code).toBe('SNOOZE_UNTIL_REQUIRED');
      expect((await refusalOf(setTicketStatus(ctx.world.deps, ctx.world.agent, customer.ticketId, 'snoozed', ctx.world.clock.now()))).code).toBe('SNOOZE_UNTIL_IN_PAST');
      expect((await refusalOf(setTicketStatus(ctx.world.deps, ctx.world.agent, customer.ticketId, 'snoozed', ctx.world.clock.hoursAgo(2)))).code).toBe('SNOOZE_UNTIL_IN_PAST');
      expect(await snapshot()).toEqual(before);
    });

    it('snoozing with a future wake time stores it, and setting open clears it', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      const wake = ctx.world.clock.now() + 3 * HOUR;
      expect(await setTicketStatus(ctx.world.deps, ctx.world.agent, customer.ticketId, 'snoozed', wake)).toMatchObject({ status: 'snoozed', snoozed_until: wake });
      expect(await setTicketStatus(ctx.world.deps, ctx.world.agent, customer.ticketId, 'open')).toMatchObject({ status: 'open', snoozed_until: null });
      expect((await eventsOf(customer.ticketId, 'status.changed')).map((e) => e.data)).toEqual([
        { from: 'open', to: 'snoozed', snoozedUntil: wake },
        { from: 'snoozed', to: 'open', snoozedUntil: null },
      ]);
    });

    it.each(['open', 'pending', 'resolved'] as const)('setting %s on a closed ticket is refused with TICKET_CLOSED', async (status) => {
      const customer = await customerWrote(ctx.world.channels.email);
      await closeTicket(ctx.world.deps, ctx.world.agent, customer.ticketId);
      const before = await snapshot();
      const error = await refusalOf(setTicketStatus(ctx.world.deps, ctx.world.agent, customer.ticketId, status));
      expect(error.code).toBe('TICKET_CLOSED');
      expect(await snapshot()).toEqual(before);
    });

    it('changing the priority records from and to', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      const ticket = await setTicketPriority(ctx.world.deps, ctx.world.agent, customer.ticketId, 'urgent');
      expect(ticket.priority).toBe('urgent');
      expect((await ticketRow(ctx.db.store, customer.ticketId)).priority).toBe('urgent');
      expect(await eventsOf(customer.ticketId, 'priority.changed')).toEqual([
        { type: 'priority.changed', actor: 'user', user: ctx.world.agent.userId, data: { from: 'normal', to: 'urgent' } },
      ]);
    });

    it('an unknown priority is refused as invalid', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      const before = await snapshot();
      const error = await refusalOf(setTicketPriority(ctx.world.deps, ctx.world.agent, customer.ticketId, 'critical' as string as TicketPriority));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('tags', () => {
    const tagsOfTicket = async (ticketId: string) =>
      (await ctx.db.store.db.selectFrom('ticket_tags').select('tag').where('ticket_id', '=', ticketId).orderBy('tag').execute()).map((r) => r.tag);

    it('ticket tags are trimmed, lower-cased and de-duplicated, and changes record what was added and removed', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      expect(await setTicketTags(ctx.world.deps, ctx.world.agent, customer.ticketId, [' Billing ', 'billing', 'VIP', '', '  '])).toEqual(['billing', 'vip']);
      expect(await tagsOfTicket(customer.ticketId)).toEqual(['billing', 'vip']);
      expect(await setTicketTags(ctx.world.deps, ctx.world.agent, customer.ticketId, ['vip', 'Refund'])).toEqual(['refund', 'vip']);
      expect(await tagsOfTicket(customer.ticketId)).toEqual(['refund', 'vip']);
      expect((await eventsOf(customer.ticketId, 'tags.changed')).map((e) => [e.user, e.data])).toEqual([
        [ctx.world.agent.userId, { added: ['billing', 'vip'], removed: [] }],
        [ctx.world.agent.userId, { added: ['refund'], removed: ['billing'] }],
      ]);
    });

    it('setting the same tags again records nothing', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      await setTicketTags(ctx.world.deps, ctx.world.agent, customer.ticketId, ['vip']);
      const before = await snapshot();
      await setTicketTags(ctx.world.deps, ctx.world.agent, customer.ticketId, ['VIP ']);
      expect(await snapshot()).toEqual(before);
    });

    it('a tag longer than 50 characters is refused as invalid', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      const before = await snapshot();
      const error = await refusalOf(setTicketTags(ctx.world.deps, ctx.world.agent, customer.ticketId, ['ok', 'x'.repeat(51)]));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(await snapshot()).toEqual(before);
    });

    it('agents replacing a ticket\'s tags at the same moment all succeed and the ticket ends with one of their sets', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      await setTicketTags(ctx.world.deps, ctx.world.agent, customer.ticketId, ['a']);
      const sets = [['a', 'b'], ['a', 'b', 'c'], ['b']];

      const settled = await Promise.allSettled(sets.map((tags) => setTicketTags(ctx.world.deps, ctx.world.agent, customer.ticketId, tags)));

      expect(settled.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as { code?: string }).code ?? r.reason)] : []))).toEqual([]);
      expect(sets).toContainEqual(await tagsOfTicket(customer.ticketId));
    });

    it('contact tags are normalized the same way and stored on the contact, apart from ticket tags', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      expect(await setContactTags(ctx.world.deps, ctx.world.agent, customer.contactId, ['  Gold ', 'gold', 'Churn-Risk'])).toEqual(['churn-risk', 'gold']);
      const rows = await ctx.db.store.db.selectFrom('contact_tags').selectAll().orderBy('tag').execute();
      expect(rows.map((r) => [r.workspace_id, r.contact_id, r.tag])).toEqual([
        [ctx.world.workspaceId, customer.contactId, 'churn-risk'],
        [ctx.world.workspaceId, customer.contactId, 'gold'],
      ]);
      expect(await tagsOfTicket(customer.ticketId)).toEqual([]);
      await setContactTags(ctx.world.deps, ctx.world.agent, customer.contactId, ['gold']);
      expect((await ctx.db.store.db.selectFrom('contact_tags').select('tag').execute()).map((r) => r.tag)).toEqual(['gold']);
    });

    it('tagging a contact of another workspace is not found and changes nothing', async () => {
      const other = await buildWorld(ctx.db.store, ctx.world.clock);
      const stranger = await customerWrote(other.channels.email, { world: other });
      await setContactTags(other.deps, other.agent, stranger.contactId, ['theirs']);
      const before = await snapshot();
      const error = await refusalOf(setContactTags(ctx.world.deps, ctx.world.agent, stranger.contactId, ['mine']));
      expect(error.code).toBe('NOT_FOUND');
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('workspace scoping', () => {
    type Action = (w: World, ticketId: string) => Promise<unknown>;
    const actions: Array<[string, Action, 'open' | 'closed']> = [
      ['a reply', (w, id) => replyToTicket(w.deps, w.agent, id, { message: text() }), 'open'],
      ['a note', (w, id) => addNote(w.deps, w.agent, id, 'peeking'), 'open'],
      ['closing', (w, id) => closeTicket(w.deps, w.agent, id), 'open'],
      ['reopening', (w, id) => reopenTicket(w.deps, w.agent, id), 'closed'],
      ['assigning', (w, id) => assignTicket(w.deps, w.agent, id, w.otherAgent.userId), 'open'],
      ['unassigning', (w, id) => assignTicket(w.deps, w.agent, id, null), 'open'],
      ['a status change', (w, id) => setTicketStatus(w.deps, w.agent, id, 'pending'), 'open'],
      ['a priority change', (w, id) => setTicketPriority(w.deps, w.agent, id, 'high'), 'open'],
      ['tagging', (w, id) => setTicketTags(w.deps, w.agent, id, ['mine']), 'open'],
    ];

    it.each(actions)('%s on a ticket of another workspace is not found and changes nothing', async (_name, action, state) => {
      const other = await buildWorld(ctx.db.store, ctx.world.clock);
      const stranger = await customerWrote(other.channels.email, { world: other });
      await assignTicket(other.deps, other.agent, stranger.ticketId, other.agent.userId);
      if (state === 'closed') await closeTicket(other.deps, other.agent, stranger.ticketId);
      ctx.world.clock.advance(MINUTE);
      const before = await snapshot();

      const error = await refusalOf(action(ctx.world, stranger.ticketId));

      expect(error.code).toBe('NOT_FOUND');
      expect(await snapshot()).toEqual(before);
    });

    it('an unknown ticket id is not found', async () => {
      expect((await refusalOf(closeTicket(ctx.world.deps, ctx.world.agent, 'no-such-ticket'))).code).toBe('NOT_FOUND');
    });
  });

  describe('realtime', () => {
    it('a reply announces the ticket update and the new message to the workspace', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      const seq = await lastRealtimeSeq();
      const { message } = await replyToTicket(ctx.world.deps, ctx.world.agent, customer.ticketId, { message: text() });
      expect(await realtimeAfter(seq)).toEqual([
        { workspace: ctx.world.workspaceId, type: 'ticket.updated', payload: { ticketId: customer.ticketId, number: customer.ticketNumber } },
        { workspace: ctx.world.workspaceId, type: 'message.created', payload: { ticketId: customer.ticketId, messageId: message.id } },
      ]);
    });

    it('a note announces the new message', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      const seq = await lastRealtimeSeq();
      const note = await addNote(ctx.world.deps, ctx.world.agent, customer.ticketId, 'internal remark');
      const events = await realtimeAfter(seq);
      expect(events).toContainEqual({ workspace: ctx.world.workspaceId, type: 'message.created', payload: { ticketId: customer.ticketId, messageId: note.id } });
    });

    it('closing, assigning, status, priority and tag changes each announce a ticket update', async () => {
      const customer = await customerWrote(ctx.world.channels.email);
      const seq = await lastRealtimeSeq();
      await assignTicket(ctx.world.deps, ctx.world.agent, customer.ticketId, ctx.world.otherAgent.userId);
      await setTicketStatus(ctx.world.deps, ctx.world.agent, customer.ticketId, 'resolved');
      await setTicketPriority(ctx.world.deps, ctx.world.agent, customer.ticketId, 'low');
      await setTicketTags(ctx.world.deps, ctx.world.agent, customer.ticketId, ['done']);
      await closeTicket(ctx.world.deps, ctx.world.agent, customer.ticketId);
      const update = { workspace: ctx.world.workspaceId, type: 'ticket.updated', payload: { ticketId: customer.ticketId, number: customer.ticketNumber } };
      expect(await realtimeAfter(seq)).toEqual([update, update, update, update, update]);
    });
  });
});
