// Snoozing on both engines: a snoozed ticket hides until its wake time, or until the customer writes.
import { describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../src/domain/clock.js';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { setTicketStatus } from '../../src/modules/tickets/ticket-actions.js';
import { wakeSnoozedTickets } from '../../src/modules/tickets/wake-snoozed.js';
import { stored } from '../support/assertions.js';
import { inbound, newAddress } from '../support/factories.js';
import { ticketRow } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { useWorld } from '../support/world.js';

describe.each(ENGINES)('snoozing tickets (%s)', (engine) => {
  const ctx = useWorld(engine);

  const ticket = (id: string) => ticketRow(ctx.db.store, id);
  const systemEvents = (ticketId: string) =>
    ctx.db.store.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', ticketId).where('actor_kind', '=', 'system').orderBy('created_at').execute();

  /** A customer's ticket on a channel; returns its id and the customer's address. */
  const customerTicket = async (channel = ctx.world.channels.whatsapp) => {
    const address = newAddress(channel.kind);
    const result = stored(await ingestInbound(ctx.world.deps, inbound(channel, ctx.world.clock, { address })));
    return { ticketId: result.ticketId, address };
  };
  const snooze = (ticketId: string, until: number) => setTicketStatus(ctx.world.deps, ctx.world.agent, ticketId, 'snoozed', until);

  it('wakes nothing before the wake time, then returns the ticket to open with a system "snooze ended" event', async () => {
    const { ticketId } = await customerTicket();
    const wakeAt = ctx.world.clock.now() + 2 * HOUR;
    const snoozed = await snooze(ticketId, wakeAt);
    expect(snoozed).toMatchObject({ status: 'snoozed', snoozed_until: wakeAt });

    expect(await wakeSnoozedTickets(ctx.world.deps, wakeAt - MINUTE)).toBe(0);
    expect(await ticket(ticketId)).toMatchObject({ status: 'snoozed', snoozed_until: wakeAt });
    expect(await systemEvents(ticketId)).toHaveLength(0);

    expect(await wakeSnoozedTickets(ctx.world.deps, wakeAt)).toBe(1);
    expect(await ticket(ticketId)).toMatchObject({ status: 'open', snoozed_until: null, updated_at: wakeAt });
    const events = await systemEvents(ticketId);
    expect(events.map((e) => [e.type, e.actor_user_id, e.created_at])).toEqual([['status.changed', null, wakeAt]]);
    expect(JSON.parse(events[0]!.data ?? '{}')).toEqual({ from: 'snoozed', to: 'open', reason: 'snooze_ended' });

    // Waking again changes nothing more.
    expect(await wakeSnoozedTickets(ctx.world.deps, wakeAt + HOUR)).toBe(0);
    expect(await systemEvents(ticketId)).toHaveLength(1);
  });

  it('wakes a ticket whose wake time passed a while before the wake job ran', async () => {
    const { ticketId } = await customerTicket(ctx.world.channels.email);
    const wakeAt = ctx.world.clock.now() + HOUR;
    await snooze(ticketId, wakeAt);
    expect(await wakeSnoozedTickets(ctx.world.deps, wakeAt + 5 * HOUR)).toBe(1);
    expect(await ticket(ticketId)).toMatchObject({ status: 'open', snoozed_until: null });
  });

  it('returns how many tickets woke, leaving those not yet due snoozed', async () => {
    const start = ctx.world.clock.now();
    const early = [await customerTicket(), await customerTicket(ctx.world.channels.instagram)];
    const late = await customerTicket(ctx.world.channels.email);
    for (const t of early) await snooze(t.ticketId, start + HOUR);
    await snooze(late.ticketId, start + 3 * HOUR);

    expect(await wakeSnoozedTickets(ctx.world.deps, start + 2 * HOUR)).toBe(2);
    for (const t of early) expect((await ticket(t.ticketId)).status).toBe('open');
    expect(await ticket(late.ticketId)).toMatchObject({ status: 'snoozed', snoozed_until: start + 3 * HOUR });

    expect(await wakeSnoozedTickets(ctx.world.deps, start + 3 * HOUR)).toBe(1);
    expect((await ticket(late.ticketId)).status).toBe('open');
  });

  it('wakes more than one batch of due tickets (230) in a single call', async () => {
    const count = 230;
    const wakeAt = ctx.world.clock.now() + HOUR;
    const ids: string[] = [];
    for (let i = 0; i < count; i += 23) {
      const chunk = await Promise.all(Array.from({ length: Math.min(23, count - i) }, () => customerTicket(ctx.world.channels.email)));
      await Promise.all(chunk.map((t) => snooze(t.ticketId, wakeAt)));
      ids.push(...chunk.map((t) => t.ticketId));
    }
    expect(await wakeSnoozedTickets(ctx.world.deps, wakeAt)).toBe(count);
    const statuses = await ctx.db.store.db.selectFrom('tickets').select('status').where('id', 'in', ids).execute();
    expect(statuses).toHaveLength(count);
    expect(statuses.every((t) => t.status === 'open')).toBe(true);
  });

  it('a customer message wakes a snoozed ticket at once, before its wake time', async () => {
    const { ticketId, address } = await customerTicket();
    const wakeAt = ctx.world.clock.now() + 24 * HOUR;
    await snooze(ticketId, wakeAt);
    ctx.world.clock.advance(HOUR);

    const again = stored(await ingestInbound(ctx.world.deps, inbound(ctx.world.channels.whatsapp, ctx.world.clock, { address, body: 'Any news?' })));
    expect(again).toMatchObject({ ticketId, ticketCreated: false });
    expect(await ticket(ticketId)).toMatchObject({ status: 'open', snoozed_until: null, last_message_direction: 'inbound', last_inbound_at: ctx.world.clock.now() });
    const events = await ctx.db.store.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', ticketId).where('type', '=', 'status.changed').where('actor_kind', '=', 'customer').execute();
    expect(events.map((e) => JSON.parse(e.data ?? '{}'))).toEqual([{ from: 'snoozed', to: 'open', reason: 'customer_message' }]);

    // The wake job later finds nothing left to wake.
    expect(await wakeSnoozedTickets(ctx.world.deps, wakeAt)).toBe(0);
    expect(await systemEvents(ticketId)).toHaveLength(0);
  });

  it('a ticket re-snoozed to a later time is not woken at the earlier time', async () => {
    const { ticketId } = await customerTicket();
    const first = ctx.world.clock.now() + HOUR;
    const later = ctx.world.clock.now() + 3 * HOUR;
    await snooze(ticketId, first);
    ctx.world.clock.advance(10 * MINUTE);
    await snooze(ticketId, later);
    expect(await ticket(ticketId)).toMatchObject({ status: 'snoozed', snoozed_until: later });

    expect(await wakeSnoozedTickets(ctx.world.deps, first)).toBe(0);
    expect(await wakeSnoozedTickets(ctx.world.deps, later - MINUTE)).toBe(0);
    expect(await ticket(ticketId)).toMatchObject({ status: 'snoozed', snoozed_until: later });

    expect(await wakeSnoozedTickets(ctx.world.deps, later)).toBe(1);
    expect(await ticket(ticketId)).toMatchObject({ status: 'open', snoozed_until: null });
  });

  it('refuses to snooze without a wake time or with one in the past, and leaves the ticket as it was', async () => {
    const { ticketId } = await customerTicket();
    await expect(setTicketStatus(ctx.world.deps, ctx.world.agent, ticketId, 'snoozed')).rejects.toMatchObject({ code: 'SNOOZE_UNTIL_REQUIRED' });
    await expect(snooze(ticketId, ctx.world.clock.now())).rejects.toMatchObject({ code: 'SNOOZE_UNTIL_IN_PAST' });
    expect(await ticket(ticketId)).toMatchObject({ status: 'open', snoozed_until: null });
  });
});
