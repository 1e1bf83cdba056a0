// Storing customer messages a batch at a time gives exactly what storing them one at a time gives, on
// both engines: the same contacts, tickets, numbers, statuses, messages and events.
import { describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../src/channels/types.js';
import { HOUR, MINUTE } from '../../src/domain/clock.js';
import { ingestBatch } from '../../src/modules/messages/ingest-batch.js';
import { ingestInbound, type IngestResult } from '../../src/modules/messages/ingest-inbound.js';
import { closeTicket, setTicketStatus } from '../../src/modules/tickets/ticket-actions.js';
import { stored } from '../support/assertions.js';
import { buildWorld, inbound, newAddress, type World } from '../support/factories.js';
import { ENGINES } from '../support/stores.js';
import { useWorld } from '../support/world.js';

/** The customers of the scenario, the same addresses in every workspace that plays it. */
function cast() {
  return {
    newcomer: newAddress('whatsapp'),
    otherNewcomer: newAddress('whatsapp'),
    open: newAddress('whatsapp'),
    pending: newAddress('whatsapp'),
    closed: newAddress('whatsapp'),
    renamed: newAddress('whatsapp'),
    redelivered: newAddress('whatsapp'),
    automatedMail: newAddress('email'),
    username: 'US.13491208655302741918',
  };
}

type Cast = ReturnType<typeof cast>;

/** What the workspace holds before the batch: an open, a pending and a closed ticket, a stored message to be delivered again. */
async function setUp(world: World, people: Cast): Promise<void> {
  const wa = world.channels.whatsapp;
  const say = async (address: string, providerMessageId: string, body: string) => stored(await ingestInbound(world.deps, inbound(wa, world.clock, { address, providerMessageId, body })));
  await say(people.open, 'setup-open', 'My order is late');
  const pending = await say(people.pending, 'setup-pending', 'Where is my parcel?');
  await setTicketStatus(world.deps, world.agent, pending.ticketId, 'pending');
  const closed = await say(people.closed, 'setup-closed', 'Thanks, all good');
  await closeTicket(world.deps, world.agent, closed.ticketId);
  await say(people.renamed, 'setup-renamed', 'Hi');
  await say(people.redelivered, 'setup-redelivered', 'Is the shop open?');
  world.clock.advance(HOUR);
}

/** The batch: new customers, existing tickets, a redelivery, a closed ticket, automated mail, a second message and a username-only customer. */
function batchOf(world: World, people: Cast): InboundMessage[] {
  const wa = world.channels.whatsapp;
  const at = world.clock.now() - MINUTE;
  const message = (address: string, providerMessageId: string, body: string, extra: Partial<InboundMessage> = {}) => inbound(wa, world.clock, { address, providerMessageId, body, sentAt: at, ...extra });
  return [
    message(people.newcomer, 'b-1', 'Hello, first time here'),
    message(people.open, 'b-2', 'Any news?'),
    message(people.pending, 'b-3', 'Still waiting'),
    message(people.closed, 'b-4', 'Something else now'),
    message(people.renamed, 'b-5', 'It is me again', { contact: { address: people.renamed, displayName: 'New Name' } }),
    message(people.redelivered, 'setup-redelivered', 'Is the shop open?'),
    inbound(world.channels.email, world.clock, { address: people.automatedMail, providerMessageId: '<b-7@mail.example>', body: 'I am out of office', automated: true }),
    message(people.newcomer, 'b-8', 'And a second thing'),
    message(people.otherNewcomer, 'b-9', 'Hi there'),
    message(people.username, 'b-10', 'Writing as a username', { contact: { address: people.username, userId: people.username, username: 'sam' } }),
  ];
}

/** The workspace as agents see it, without ids and store times: each ticket with its messages and timeline. */
async function snapshot(world: World) {
  const db = world.deps.store.db;
  const tickets = await db
    .selectFrom('tickets')
    .innerJoin('contacts', 'contacts.id', 'tickets.contact_id')
    .leftJoin('tickets as previous', 'previous.id', 'tickets.previous_ticket_id')
    .select(['tickets.id', 'tickets.number', 'tickets.status', 'tickets.created_by', 'tickets.last_message_direction', 'tickets.last_message_preview', 'tickets.last_customer_sent_at', 'tickets.snoozed_until', 'contacts.name', 'previous.number as previousNumber'])
    .where('tickets.workspace_id', '=', world.workspaceId)
    .orderBy('tickets.number')
    .execute();
  const identities = await db.selectFrom('contact_identities').select(['address', 'display_name', 'username', 'user_id', 'wa_id']).where('workspace_id', '=', world.workspaceId).orderBy('address').execute();
  const realtime = await db.selectFrom('realtime_events').select('type').where('workspace_id', '=', world.workspaceId).orderBy('seq').execute();
  return {
    identities,
    tickets: await Promise.all(
      tickets.map(async ({ id, ...ticket }) => ({
        ...ticket,
        messages: await db.selectFrom('messages').select(['body', 'provider_message_id', 'provider_timestamp', 'direction', 'author_kind', 'status']).where('ticket_id', '=', id).orderBy('provider_message_id').execute(),
        timeline: (await db.selectFrom('ticket_events').select(['type', 'actor_kind', 'data']).where('ticket_id', '=', id).orderBy('created_at').orderBy('type').execute()).map((e) => ({ ...e, data: normalizedIds(e.data) })),
      })),
    ),
    realtime: realtime.map((e) => e.type).sort(),
  };
}

/** Ticket ids differ between workspaces; their presence does not. */
function normalizedIds(data: unknown): unknown {
  return typeof data === 'string' ? data.replace(/"previousTicketId":"[^"]+"/, '"previousTicketId":"…"') : data;
}

/** A result as a caller reads it, without the ids that differ between workspaces. */
function shapeOf(result: IngestResult | undefined) {
  if (!result) return undefined;
  if (result.outcome === 'stored') return { outcome: result.outcome, ticketNumber: result.ticketNumber, ticketCreated: result.ticketCreated };
  return { outcome: result.outcome };
}

describe.each(ENGINES)('storing customer messages in batches (%s)', (engine) => {
  const ctx = useWorld(engine);

  it('a batch mixing new contacts, existing tickets, a redelivery, a closed ticket and automated mail ends exactly as one at a time', async () => {
    const people = cast();
    const together = ctx.world;
    const oneByOne = await buildWorld(ctx.db.store);
    await setUp(together, people);
    await setUp(oneByOne, people);

    const batch = batchOf(together, people);
    const taken = await ingestBatch(together.deps, batch);
    // The plain messages are the batch's; the rest (automated mail, a sender's second message, a BSUID to link) are left to ingestInbound.
    expect(taken.map((result) => result?.outcome)).toEqual(['stored', 'stored', 'stored', 'stored', 'stored', 'duplicate', undefined, undefined, 'stored', undefined]);
    const batchResults: (IngestResult | undefined)[] = [];
    for (const [i, message] of batch.entries()) batchResults.push(taken[i] ?? (await ingestInbound(together.deps, message)));

    const sequentialResults: IngestResult[] = [];
    for (const message of batchOf(oneByOne, people)) sequentialResults.push(await ingestInbound(oneByOne.deps, message));

    expect(batchResults.map(shapeOf)).toEqual(sequentialResults.map(shapeOf));
    const after = await snapshot(together);
    expect(after).toEqual(await snapshot(oneByOne));
    // What the scenario is about, said once in words: woken, continued, renamed, numbered in order.
    const byPreview = (preview: string) => after.tickets.find((t) => t.last_message_preview === preview)!;
    expect(byPreview('Still waiting').status).toBe('open');
    expect(byPreview('Something else now')).toMatchObject({ status: 'open', previousNumber: 3 });
    expect(after.identities.find((i) => i.address === people.renamed)?.display_name).toBe('New Name');
    expect(after.tickets.map((t) => t.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('batches racing on the same new customers end with one contact and one ticket each, and every message stored', async () => {
    const { whatsapp } = ctx.world.channels;
    const customers = Array.from({ length: 5 }, () => newAddress('whatsapp'));
    const batches = Array.from({ length: 4 }, () => customers.map((address) => inbound(whatsapp, ctx.world.clock, { address })));
    // What a batch leaves (it lost a race and rolled back) is stored one at a time, as processing does.
    await Promise.all(
      batches.map(async (batch) => {
        const taken = await ingestBatch(ctx.world.deps, batch);
        for (const [i, message] of batch.entries()) if (!taken[i]) await ingestInbound(ctx.world.deps, message);
      }),
    );
    const db = ctx.db.store.db;
    const identities = await db.selectFrom('contact_identities').select(['address', 'contact_id']).where('channel_id', '=', whatsapp.id).where('address', 'in', customers).execute();
    expect(identities).toHaveLength(5);
    const tickets = await db.selectFrom('tickets').select(['contact_id', 'number']).where('channel_id', '=', whatsapp.id).where('contact_id', 'in', identities.map((i) => i.contact_id)).execute();
    expect(tickets).toHaveLength(5);
    expect(new Set(tickets.map((t) => t.number)).size).toBe(5);
    const messages = await db.selectFrom('messages').select('id').where('channel_id', '=', whatsapp.id).execute();
    expect(messages).toHaveLength(20);
  });
});
