// The store's unit-of-work contract on both engines: units that run together commit independently, and
// a failing unit leaves no trace; realtime history is pruned after its retention.
import { describe, expect, it } from 'vitest';
import { DAY } from '../../src/domain/clock.js';
import { newId } from '../../src/lib/ids.js';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { pruneRealtimeEvents } from '../../src/modules/realtime/prune-realtime-events.js';
import { enqueueOutbox } from '../../src/modules/queue/outbox.repo.js';
import { pruneFinishedOutbox } from '../../src/modules/queue/prune-outbox.js';
import { inbound } from '../support/factories.js';
import { ENGINES } from '../support/stores.js';
import { useWorld } from '../support/world.js';

describe.each(ENGINES)('the store (%s)', (engine) => {
  const ctx = useWorld(engine);

  it('a unit that fails rolls back alone while the units running beside it commit', async () => {
    const { store } = ctx.db;
    const contact = (name: string) => ({ id: newId(), workspace_id: ctx.world.workspaceId, name, created_at: 1, updated_at: 1 });
    const results = await Promise.allSettled([
      store.unit((trx) => trx.insertInto('contacts').values(contact('kept-1')).execute()),
      store.unit(async (trx) => {
        await trx.insertInto('contacts').values(contact('rolled-back')).execute();
        throw new Error('this unit fails after writing');
      }),
      store.unit((trx) => trx.insertInto('contacts').values(contact('kept-2')).execute()),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const names = (await store.db.selectFrom('contacts').select('name').orderBy('name').execute()).map((r) => r.name);
    expect(names).toEqual(['kept-1', 'kept-2']);
  });

  it('a duplicate delivery leaves the ticket exactly as the first delivery left it', async () => {
    const message = inbound(ctx.world.channels.whatsapp, ctx.world.clock);
    const first = await ingestInbound(ctx.world.deps, message);
    if (first.outcome !== 'stored') throw new Error('expected stored');
    const before = await ctx.db.store.db.selectFrom('tickets').selectAll().where('id', '=', first.ticketId).executeTakeFirstOrThrow();
    ctx.world.clock.advance(60_000);
    expect((await ingestInbound(ctx.world.deps, { ...message, body: 'a retried delivery' })).outcome).toBe('duplicate');
    const after = await ctx.db.store.db.selectFrom('tickets').selectAll().where('id', '=', first.ticketId).executeTakeFirstOrThrow();
    expect(after).toEqual(before);
    const events = await ctx.db.store.db.selectFrom('realtime_events').select('type').execute();
    expect(events.map((e) => e.type)).toEqual(['ticket.created', 'message.created']);
  });

  it('realtime events older than a day are pruned and newer ones kept', async () => {
    const now = ctx.world.clock.now();
    const event = (createdAt: number) => ({ workspace_id: ctx.world.workspaceId, type: 'ticket.updated', payload: '{}', created_at: createdAt });
    await ctx.db.store.db.insertInto('realtime_events').values([event(now - 2 * DAY), event(now - DAY - 1), event(now - DAY + 1000), event(now)]).execute();
    expect(await pruneRealtimeEvents(ctx.world.deps, now)).toBe(2);
    const left = await ctx.db.store.db.selectFrom('realtime_events').select('created_at').orderBy('created_at').execute();
    expect(left.map((e) => e.created_at)).toEqual([now - DAY + 1000, now]);
  });

  it('finished outbox work older than a week is pruned; recent and unfinished work stays', async () => {
    const now = ctx.world.clock.now();
    const doneAt = [now - 8 * DAY, now - 7 * DAY - 1, now - 6 * DAY, null];
    for (const [i, done] of doneAt.entries()) {
      await enqueueOutbox(ctx.db.store.db, { workspaceId: ctx.world.workspaceId, topic: 'test', payload: { i } }, now - 9 * DAY);
      await ctx.db.store.db.updateTable('outbox').set({ done_at: done }).where('payload', '=', JSON.stringify({ i })).execute();
    }
    expect(await pruneFinishedOutbox(ctx.world.deps, now)).toBe(2);
    const left = await ctx.db.store.db.selectFrom('outbox').select('done_at').orderBy('payload').execute();
    expect(left.map((r) => r.done_at)).toEqual([now - 6 * DAY, null]);
  });
});

// SQLite's group commit only: PostgreSQL runs each unit as its own transaction.
describe("SQLite's group commit", () => {
  const ctx = useWorld('sqlite');
  const contact = (name: string) => ({ id: newId(), workspace_id: ctx.world.workspaceId, name, created_at: 1, updated_at: 1 });

  it('an urgent unit (a webhook to acknowledge) goes ahead of background units queued before it', async () => {
    const { store } = ctx.db;
    const order: string[] = [];
    const unit = (name: string, urgent: boolean) =>
      store.unit(
        async (trx) => {
          order.push(name);
          await trx.insertInto('contacts').values(contact(name)).execute();
        },
        { urgent },
      );
    await Promise.all([...Array.from({ length: 30 }, (_, i) => unit(`background-${i}`, false)), unit('urgent', true)]);
    expect(order[0]).toBe('urgent');
    expect(order).toHaveLength(31);
    expect(await store.db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).toEqual({ n: 31 });
  });

  it('a group commits after a few milliseconds of units and lets the event loop run before the rest, all of which commit', async () => {
    const { store } = ctx.db;
    const order: string[] = [];
    const busy = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    setTimeout(() => order.push('timer'), 0);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.unit(async (trx) => {
          busy(2);
          order.push(`unit-${i}`);
          await trx.insertInto('contacts').values(contact(`unit-${i}`)).execute();
        }),
      ),
    );
    // Ten 2 ms units in one group would hold the event loop for 20 ms, and the timer would run after all of them.
    expect(order.indexOf('timer')).toBeGreaterThan(0);
    expect(order.indexOf('timer')).toBeLessThan(order.length - 1);
    expect(await store.db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).toEqual({ n: 10 });
  });
});
