// Auto-close on both engines: who went quiet, which tickets a rule may close, rule settings, and the
// race between a closing sweep and a customer message (design.md §1.5).
import { describe, expect, it } from 'vitest';
import type { ChannelRow } from '../../src/db/schema.js';
import { AUTO_CLOSE_MAX_MINUTES, type AutoCloseKind } from '../../src/domain/auto-close.js';
import { DAY, HOUR, MINUTE } from '../../src/domain/clock.js';
import { deleteAutoCloseRule, putAutoCloseRule } from '../../src/modules/auto-close/auto-close-rules.js';
import { runAutoClose } from '../../src/modules/auto-close/run-auto-close.js';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { startTicket } from '../../src/modules/messages/start-ticket.js';
import { replyToTicket } from '../../src/modules/messages/reply-to-ticket.js';
import { closeTicket, setTicketStatus } from '../../src/modules/tickets/ticket-actions.js';
import { wakeSnoozedTickets } from '../../src/modules/tickets/wake-snoozed.js';
import { stored } from '../support/assertions.js';
import { buildWorld, inbound, newAddress, type World } from '../support/factories.js';
import { messageRow, ticketRow } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { useWorld, type WorldContext } from '../support/world.js';

/** The rule duration most tests use: one hour. */
const DURATION_MINUTES = 60;
const DURATION = DURATION_MINUTES * MINUTE;

/** Helpers over one world and its store, shared by both describe blocks. */
function helpers(ctx: WorldContext) {
  const rule = (kind: AutoCloseKind, options: { channel?: ChannelRow; minutes?: number; enabled?: boolean; in?: World } = {}) => {
    const w = options.in ?? ctx.world;
    return putAutoCloseRule(w.deps, w.workspaceId, {
      channelId: (options.channel ?? w.channels.email).id,
      kind,
      durationMinutes: options.minutes ?? DURATION_MINUTES,
      enabled: options.enabled ?? true,
    });
  };
  /** A customer writes now on a channel; returns the stored result. */
  const customerWrites = async (address: string, options: { channel?: ChannelRow; in?: World; body?: string } = {}) => {
    const w = options.in ?? ctx.world;
    return stored(await ingestInbound(w.deps, inbound(options.channel ?? w.channels.email, w.clock, { address, body: options.body ?? 'Hello, I need help' })));
  };
  /** The customer writes, then a minute later an agent replies: the team spoke last, at the returned time. */
  const awaitingCustomer = async (options: { channel?: ChannelRow; in?: World } = {}) => {
    const w = options.in ?? ctx.world;
    const channel = options.channel ?? w.channels.email;
    const address = newAddress(channel.kind);
    const first = await customerWrites(address, { channel, in: w });
    w.clock.advance(MINUTE);
    await replyToTicket(w.deps, w.agent, first.ticketId, { message: { kind: 'text', body: 'Here is what to do.' } });
    return { ticketId: first.ticketId, number: first.ticketNumber, address, spokeAt: w.clock.now() };
  };
  /** The customer writes and nobody answers: the customer spoke last, at the returned time. */
  const awaitingAgent = async (options: { channel?: ChannelRow; in?: World } = {}) => {
    const w = options.in ?? ctx.world;
    const channel = options.channel ?? w.channels.email;
    const address = newAddress(channel.kind);
    const first = await customerWrites(address, { channel, in: w });
    return { ticketId: first.ticketId, number: first.ticketNumber, address, spokeAt: w.clock.now() };
  };
  const ticket = (id: string) => ticketRow(ctx.db.store, id);
  const timeline = (ticketId: string) => ctx.db.store.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', ticketId).orderBy('created_at').execute();
  /** Moves the clock to an instant and runs the sweep there. */
  const sweepAt = (at: number) => {
    const { world } = ctx;
    world.clock.set(at);
    return runAutoClose(world.deps, at);
  };
  return { rule, customerWrites, awaitingCustomer, awaitingAgent, ticket, timeline, sweepAt };
}

describe.each(ENGINES)('auto-closing inactive tickets (%s)', (engine) => {
  const ctx = useWorld(engine);

  const { rule, customerWrites, awaitingCustomer, awaitingAgent, ticket, timeline, sweepAt } = helpers(ctx);

  describe('customer inactivity', () => {
    it('keeps a ticket the team answered open one minute before the duration and closes it exactly at the duration', async () => {
      await rule('customer_inactivity');
      const waiting = await awaitingCustomer();
      expect(await sweepAt(waiting.spokeAt + DURATION - MINUTE)).toBe(0);
      expect((await ticket(waiting.ticketId)).status).toBe('open');
      expect(await sweepAt(waiting.spokeAt + DURATION)).toBe(1);
      expect((await ticket(waiting.ticketId)).status).toBe('closed');
    });

    it('closes a ticket an agent started with "+ New" when the customer never answered', async () => {
      await rule('customer_inactivity');
      const started = await startTicket(ctx.world.deps, ctx.world.agent, {
        channelId: ctx.world.channels.email.id,
        contact: { address: newAddress('email') },
        message: { kind: 'text', body: 'Your order has shipped.', subject: 'Order update' },
      });
      const startedAt = ctx.world.clock.now();
      expect(await sweepAt(startedAt + DURATION - MINUTE)).toBe(0);
      expect((await ticket(started.ticket.id)).status).toBe('open');
      expect(await sweepAt(startedAt + DURATION)).toBe(1);
      expect((await ticket(started.ticket.id)).status).toBe('closed');
    });

    it('closes every due ticket in one sweep and returns how many it closed', async () => {
      await rule('customer_inactivity');
      const due = [await awaitingCustomer(), await awaitingCustomer(), await awaitingCustomer()];
      ctx.world.clock.advance(30 * MINUTE);
      const notYetDue = await awaitingCustomer();
      expect(await sweepAt(due[2]!.spokeAt + DURATION)).toBe(3);
      for (const t of due) expect((await ticket(t.ticketId)).status).toBe('closed');
      expect((await ticket(notYetDue.ticketId)).status).toBe('open');
    });

    it('leaves alone a ticket whose customer spoke last, however long ago', async () => {
      await rule('customer_inactivity');
      const waiting = await awaitingAgent();
      expect(await sweepAt(waiting.spokeAt + 30 * DAY)).toBe(0);
      expect((await ticket(waiting.ticketId)).status).toBe('open');
    });

    it('counts an automated reply that arrived after the team\'s message as no customer activity, and still closes the ticket', async () => {
      await rule('customer_inactivity');
      const waiting = await awaitingCustomer();
      ctx.world.clock.advance(30 * MINUTE);
      const auto = stored(await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.email, ctx.world.clock, { address: waiting.address, automated: true, body: 'I am out of the office.' })));
      expect(auto.ticketId).toBe(waiting.ticketId);
      expect(await sweepAt(waiting.spokeAt + DURATION)).toBe(1);
      expect(await ticket(waiting.ticketId)).toMatchObject({ status: 'closed', close_reason: 'customer_inactivity', last_message_direction: 'outbound' });
      const messages = await ctx.db.store.db.selectFrom('messages').select(['direction', 'automated']).where('ticket_id', '=', waiting.ticketId).orderBy('created_at').execute();
      expect(messages).toEqual([
        { direction: 'inbound', automated: 0 },
        { direction: 'outbound', automated: 0 },
        { direction: 'inbound', automated: 1 },
      ]);
    });
  });

  describe('agent inactivity', () => {
    it('keeps a ticket open one minute before the duration and closes it once the customer waited the whole duration unanswered', async () => {
      await rule('agent_inactivity');
      const waiting = await awaitingAgent();
      expect(await sweepAt(waiting.spokeAt + DURATION - MINUTE)).toBe(0);
      expect((await ticket(waiting.ticketId)).status).toBe('open');
      expect(await sweepAt(waiting.spokeAt + DURATION)).toBe(1);
      expect(await ticket(waiting.ticketId)).toMatchObject({ status: 'closed', close_reason: 'agent_inactivity' });
    });

    it('does not close a ticket the team answered, while it closes the unanswered one beside it', async () => {
      await rule('agent_inactivity');
      const unanswered = await awaitingAgent();
      const answered = await awaitingCustomer();
      expect(await sweepAt(answered.spokeAt + 30 * DAY)).toBe(1);
      expect((await ticket(unanswered.ticketId)).status).toBe('closed');
      expect((await ticket(answered.ticketId)).status).toBe('open');
    });

    it('counts the duration from the customer\'s latest message, not from the first one', async () => {
      await rule('agent_inactivity');
      const waiting = await awaitingCustomer();
      ctx.world.clock.advance(2 * HOUR);
      await customerWrites(waiting.address, { body: 'Still not working.' });
      const wroteAgainAt = ctx.world.clock.now();
      expect(await sweepAt(wroteAgainAt + DURATION - MINUTE)).toBe(0);
      expect((await ticket(waiting.ticketId)).status).toBe('open');
      expect(await sweepAt(wroteAgainAt + DURATION)).toBe(1);
      expect((await ticket(waiting.ticketId)).status).toBe('closed');
    });
  });

  describe('which tickets a rule may close', () => {
    it.each(['open', 'pending', 'resolved'] as const)('closes a due %s ticket', async (status) => {
      await rule('customer_inactivity');
      const waiting = await awaitingCustomer();
      if (status !== 'open') await setTicketStatus(ctx.world.deps, ctx.world.agent, waiting.ticketId, status);
      expect((await ticket(waiting.ticketId)).status).toBe(status);
      expect(await sweepAt(waiting.spokeAt + DURATION)).toBe(1);
      expect((await ticket(waiting.ticketId)).status).toBe('closed');
      const closed = (await timeline(waiting.ticketId)).filter((e) => e.type === 'ticket.closed');
      expect(closed.map((e) => JSON.parse(e.data ?? '{}').from)).toEqual([status]);
    });

    it('never closes a snoozed ticket before it wakes, and closes it at the next sweep after waking when the duration since the last message has passed', async () => {
      await rule('customer_inactivity');
      const waiting = await awaitingCustomer();
      const wakeAt = waiting.spokeAt + 3 * HOUR;
      await setTicketStatus(ctx.world.deps, ctx.world.agent, waiting.ticketId, 'snoozed', wakeAt);
      expect(await sweepAt(waiting.spokeAt + DURATION)).toBe(0);
      expect(await sweepAt(waiting.spokeAt + 2 * HOUR)).toBe(0);
      // The wake time has come but the wake job has not run yet: still snoozed, still not closed.
      expect(await sweepAt(wakeAt)).toBe(0);
      expect(await ticket(waiting.ticketId)).toMatchObject({ status: 'snoozed', snoozed_until: wakeAt, closed_at: null });
      expect(await wakeSnoozedTickets(ctx.world.deps, wakeAt)).toBe(1);
      expect(await ticket(waiting.ticketId)).toMatchObject({ status: 'open', snoozed_until: null });
      expect(await sweepAt(wakeAt)).toBe(1);
      expect(await ticket(waiting.ticketId)).toMatchObject({ status: 'closed', close_reason: 'customer_inactivity' });
    });

    it('after a short snooze, closes the woken ticket only once the duration has passed since the last message', async () => {
      await rule('customer_inactivity');
      const waiting = await awaitingCustomer();
      const wakeAt = waiting.spokeAt + 20 * MINUTE;
      await setTicketStatus(ctx.world.deps, ctx.world.agent, waiting.ticketId, 'snoozed', wakeAt);
      expect(await wakeSnoozedTickets(ctx.world.deps, wakeAt)).toBe(1);
      expect(await sweepAt(wakeAt)).toBe(0);
      expect(await sweepAt(waiting.spokeAt + DURATION - MINUTE)).toBe(0);
      expect((await ticket(waiting.ticketId)).status).toBe('open');
      expect(await sweepAt(waiting.spokeAt + DURATION)).toBe(1);
      expect((await ticket(waiting.ticketId)).status).toBe('closed');
    });

    it('a switched-off rule closes nothing, and switching it on closes the due ticket', async () => {
      await rule('agent_inactivity', { enabled: false });
      const waiting = await awaitingAgent();
      expect(await sweepAt(waiting.spokeAt + 10 * DAY)).toBe(0);
      expect((await ticket(waiting.ticketId)).status).toBe('open');
      await rule('agent_inactivity', { enabled: true });
      expect(await sweepAt(waiting.spokeAt + 10 * DAY)).toBe(1);
      expect((await ticket(waiting.ticketId)).status).toBe('closed');
    });

    it('a rule on one channel does not close tickets of another channel', async () => {
      await rule('agent_inactivity', { channel: ctx.world.channels.email });
      const onEmail = await awaitingAgent({ channel: ctx.world.channels.email });
      const onWhatsapp = await awaitingAgent({ channel: ctx.world.channels.whatsapp });
      const onInstagram = await awaitingAgent({ channel: ctx.world.channels.instagram });
      expect(await sweepAt(onInstagram.spokeAt + 10 * DAY)).toBe(1);
      expect((await ticket(onEmail.ticketId)).status).toBe('closed');
      expect((await ticket(onWhatsapp.ticketId)).status).toBe('open');
      expect((await ticket(onInstagram.ticketId)).status).toBe('open');
    });

    it('rules of another workspace do not close this workspace\'s tickets', async () => {
      const other = await buildWorld(ctx.db.store, ctx.world.clock);
      await rule('agent_inactivity', { in: other });
      await rule('customer_inactivity', { in: other });
      const ours = [await awaitingAgent(), await awaitingCustomer()];
      const theirs = [await awaitingAgent({ in: other }), await awaitingCustomer({ in: other })];
      expect(await sweepAt(ctx.world.clock.now() + 10 * DAY)).toBe(2);
      for (const t of ours) expect((await ticket(t.ticketId)).status).toBe('open');
      for (const t of theirs) expect((await ticket(t.ticketId)).status).toBe('closed');
    });
  });

  describe('what an auto-close records', () => {
    it('records the rule as the closer, no user, the rule kind as the reason, and a system timeline event naming the rule', async () => {
      const customerRule = await rule('customer_inactivity');
      const waiting = await awaitingCustomer();
      const at = waiting.spokeAt + DURATION;
      expect(await sweepAt(at)).toBe(1);
      expect(await ticket(waiting.ticketId)).toMatchObject({
        status: 'closed',
        closed_at: at,
        closed_by_rule_id: customerRule.id,
        closed_by_user_id: null,
        close_reason: 'customer_inactivity',
        snoozed_until: null,
      });
      const closed = (await timeline(waiting.ticketId)).filter((e) => e.type === 'ticket.closed');
      expect(closed).toHaveLength(1);
      expect(closed[0]).toMatchObject({ actor_kind: 'system', actor_user_id: null, created_at: at });
      expect(JSON.parse(closed[0]!.data ?? '{}')).toMatchObject({ from: 'open', reason: 'customer_inactivity', ruleId: customerRule.id });
    });

    it('records the agent-inactivity rule when that rule closes the ticket', async () => {
      await rule('customer_inactivity');
      const agentRule = await rule('agent_inactivity');
      const waiting = await awaitingAgent();
      expect(await sweepAt(waiting.spokeAt + DURATION)).toBe(1);
      expect(await ticket(waiting.ticketId)).toMatchObject({ closed_by_rule_id: agentRule.id, closed_by_user_id: null, close_reason: 'agent_inactivity' });
      const closed = (await timeline(waiting.ticketId)).filter((e) => e.type === 'ticket.closed');
      expect(closed.map((e) => [e.actor_kind, JSON.parse(e.data ?? '{}').ruleId])).toEqual([['system', agentRule.id]]);
    });

    it('a customer message after an auto-close starts a new ticket numbered one higher and the old one stays closed', async () => {
      await rule('agent_inactivity');
      const waiting = await awaitingAgent();
      expect(await sweepAt(waiting.spokeAt + DURATION)).toBe(1);
      ctx.world.clock.advance(MINUTE);
      const again = await customerWrites(waiting.address, { body: 'Hello again' });
      expect(again.ticketCreated).toBe(true);
      expect(again.ticketId).not.toBe(waiting.ticketId);
      expect(again.ticketNumber).toBe(waiting.number + 1);
      expect((await ticket(waiting.ticketId)).status).toBe('closed');
      expect((await ticket(again.ticketId)).status).toBe('open');
      const oldMessages = await ctx.db.store.db.selectFrom('messages').select('body').where('ticket_id', '=', waiting.ticketId).execute();
      expect(oldMessages.map((m) => m.body)).not.toContain('Hello again');
    });
  });

  describe('setting rules', () => {
    it.each([
      ['4 minutes', 4],
      ['0 minutes', 0],
      ['90 days and 1 minute', AUTO_CLOSE_MAX_MINUTES + 1],
    ])('refuses a duration of %s with VALIDATION_FAILED and stores no rule', async (_label, minutes) => {
      await expect(rule('customer_inactivity', { minutes })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'durationMinutes' } });
      expect(await ctx.db.store.db.selectFrom('auto_close_rules').selectAll().execute()).toHaveLength(0);
    });

    it.each([
      ['5 minutes', 5],
      ['90 days', AUTO_CLOSE_MAX_MINUTES],
    ])('accepts a duration of %s', async (_label, minutes) => {
      const saved = await rule('agent_inactivity', { minutes });
      expect(saved).toMatchObject({ workspace_id: ctx.world.workspaceId, channel_id: ctx.world.channels.email.id, kind: 'agent_inactivity', duration_minutes: minutes, enabled: 1 });
    });

    it('refuses an unknown kind of rule with VALIDATION_FAILED', async () => {
      await expect(rule('everyone_inactivity' as AutoCloseKind)).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'kind' } });
      expect(await ctx.db.store.db.selectFrom('auto_close_rules').selectAll().execute()).toHaveLength(0);
    });

    it('refuses a channel of another workspace as not found', async () => {
      const other = await buildWorld(ctx.db.store, ctx.world.clock);
      await expect(rule('customer_inactivity', { channel: other.channels.email })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(rule('customer_inactivity', { channel: { ...ctx.world.channels.email, id: 'no-such-channel' } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await ctx.db.store.db.selectFrom('auto_close_rules').selectAll().execute()).toHaveLength(0);
    });

    it('putting the same channel and kind again updates the duration instead of adding a second rule', async () => {
      const first = await rule('customer_inactivity', { minutes: 5 * DURATION_MINUTES });
      ctx.world.clock.advance(MINUTE);
      const second = await rule('customer_inactivity', { minutes: DURATION_MINUTES });
      expect(second.id).toBe(first.id);
      expect(second).toMatchObject({ duration_minutes: DURATION_MINUTES, updated_at: ctx.world.clock.now() });
      const rows = await ctx.db.store.db.selectFrom('auto_close_rules').selectAll().execute();
      expect(rows.map((r) => [r.id, r.duration_minutes])).toEqual([[first.id, DURATION_MINUTES]]);
      const waiting = await awaitingCustomer();
      expect(await sweepAt(waiting.spokeAt + DURATION)).toBe(1);
      expect((await ticket(waiting.ticketId)).closed_by_rule_id).toBe(first.id);
    });

    it('refuses to delete another workspace\'s rule as not found and keeps it; deleting one\'s own rule stops it closing', async () => {
      const other = await buildWorld(ctx.db.store, ctx.world.clock);
      const theirs = await rule('agent_inactivity', { in: other });
      const ours = await rule('agent_inactivity');
      await expect(deleteAutoCloseRule(ctx.world.deps, ctx.world.workspaceId, theirs.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(deleteAutoCloseRule(ctx.world.deps, ctx.world.workspaceId, 'no-such-rule')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await ctx.db.store.db.selectFrom('auto_close_rules').select('id').where('id', '=', theirs.id).execute()).toHaveLength(1);
      await deleteAutoCloseRule(ctx.world.deps, ctx.world.workspaceId, ours.id);
      const waiting = await awaitingAgent();
      expect(await sweepAt(waiting.spokeAt + DURATION)).toBe(0);
      expect((await ticket(waiting.ticketId)).status).toBe('open');
    });
  });

  it('closes more than one batch of due tickets (230) in a single sweep', async () => {
    const count = 230;
    await rule('agent_inactivity');
    const startedAt = ctx.world.clock.now();
    const ids: string[] = [];
    for (let i = 0; i < count; i += 23) {
      const chunk = await Promise.all(Array.from({ length: Math.min(23, count - i) }, () => customerWrites(newAddress('email'))));
      ids.push(...chunk.map((r) => r.ticketId));
    }
    expect(new Set(ids).size).toBe(count);
    expect(await sweepAt(startedAt + DURATION)).toBe(count);
    const statuses = await ctx.db.store.db.selectFrom('tickets').select('status').where('workspace_id', '=', ctx.world.workspaceId).execute();
    expect(statuses).toHaveLength(count);
    expect(statuses.every((t) => t.status === 'closed')).toBe(true);
    const events = await ctx.db.store.db.selectFrom('ticket_events').select('ticket_id').where('type', '=', 'ticket.closed').execute();
    expect(new Set(events.map((e) => e.ticket_id)).size).toBe(count);
    expect(await sweepAt(startedAt + DURATION)).toBe(0);
  });
});

/** Start delays in ms of [the sweep, the message]: none, either side first by a little. */
const STAGGER: ReadonlyArray<readonly [number, number]> = [[0, 0], [0, 1], [1, 0], [0, 3], [3, 0], [0, 0]];

/** Runs `work` after `ms` milliseconds (right away, in this tick, for 0). */
function after<T>(ms: number, work: () => Promise<T>): Promise<T> {
  return ms === 0 ? work() : new Promise<void>((resolve) => setTimeout(resolve, ms)).then(work);
}

describe.each(ENGINES)('auto-close racing a customer message (%s)', (engine) => {
  const ITERATIONS = 30;
  // Ten connections on PostgreSQL, so the sweep and the ingest run in separate transactions at once.
  const ctx = useWorld(engine, { poolSize: 10 });

  const { rule, awaitingCustomer, awaitingAgent, ticket } = helpers(ctx);

  it('a message arriving while its ticket is auto-closed never lands in a closed ticket, and the pair keeps at most one active ticket', { timeout: 120_000 }, async () => {
    const rules = { customer_inactivity: await rule('customer_inactivity'), agent_inactivity: await rule('agent_inactivity') };
    const seen = { closeSkipped: 0, newTicket: 0 };
    for (let i = 0; i < ITERATIONS; i++) {
      const kind: AutoCloseKind = i % 2 === 0 ? 'agent_inactivity' : 'customer_inactivity';
      const due = kind === 'agent_inactivity' ? await awaitingAgent() : await awaitingCustomer();
      ctx.world.clock.set(due.spokeAt + DURATION);
      const now = ctx.world.clock.now();
      const message = inbound(ctx.world.channels.email, ctx.world.clock, { address: due.address, body: `race ${i}` });

      // Vary which side starts first and by how much, so both orders get their chance on both engines.
      const [closeDelay, ingestDelay] = STAGGER[i % STAGGER.length]!;
      const [closedCount, result] = await Promise.all([
        after(closeDelay, () => runAutoClose(ctx.world.deps, now)),
        after(ingestDelay, () => ingestInbound(ctx.world.deps, message)),
      ]);

      const landed = stored(result);
      const row = await messageRow(ctx.db.store, landed.messageId);
      expect(row.ticket_id).toBe(landed.ticketId);
      const home = await ticket(landed.ticketId);
      expect(home.status, `iteration ${i} (${kind}): the message landed in a closed ticket`).not.toBe('closed');
      expect(home.status).toBe('open');

      const old = await ticket(due.ticketId);
      if (old.status === 'closed') {
        // The close won: the message started the next ticket.
        seen.newTicket++;
        expect(landed.ticketCreated).toBe(true);
        expect(landed.ticketId).not.toBe(due.ticketId);
        expect(home.created_at).toBe(now);
        expect(home.number).toBeGreaterThan(old.number);
        expect(old).toMatchObject({ closed_by_rule_id: rules[kind].id, close_reason: kind });
        expect(closedCount).toBe(1);
      } else {
        // The message won: it joined the ticket, and the close was skipped.
        seen.closeSkipped++;
        expect(landed.ticketCreated).toBe(false);
        expect(landed.ticketId).toBe(due.ticketId);
        expect(old).toMatchObject({ status: 'open', last_message_direction: 'inbound', last_inbound_at: now, closed_at: null, closed_by_rule_id: null });
        expect(closedCount).toBe(0);
      }
      const active = await ctx.db.store.db.selectFrom('tickets').select('id').where('contact_id', '=', home.contact_id).where('channel_id', '=', home.channel_id).where('status', '<>', 'closed').execute();
      expect(active.map((t) => t.id)).toEqual([landed.ticketId]);

      // Close the survivor by hand so later sweeps only ever concern the next iteration's ticket.
      await closeTicket(ctx.world.deps, ctx.world.agent, landed.ticketId);
    }
    expect(seen.closeSkipped + seen.newTicket).toBe(ITERATIONS);
    // Both sides of the race were really exercised: some closes were skipped, some messages started a ticket.
    expect(seen.closeSkipped, `outcomes ${JSON.stringify(seen)}`).toBeGreaterThan(0);
    expect(seen.newTicket, `outcomes ${JSON.stringify(seen)}`).toBeGreaterThan(0);
  });

  it('two sweeps running at once close each due ticket once and record one close event for it', async () => {
    await rule('agent_inactivity');
    const count = 40;
    const startedAt = ctx.world.clock.now();
    const due = await Promise.all(Array.from({ length: count }, () => awaitingAgent()));
    const now = startedAt + DURATION;
    const counts = await Promise.all([runAutoClose(ctx.world.deps, now), runAutoClose(ctx.world.deps, now), runAutoClose(ctx.world.deps, now)]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(count);
    const events = await ctx.db.store.db.selectFrom('ticket_events').select('ticket_id').where('type', '=', 'ticket.closed').execute();
    expect(events.map((e) => e.ticket_id).sort()).toEqual(due.map((t) => t.ticketId).sort());
  });
});
