import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTicket } from '../../src/modules/tickets/start-ticket.js';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { closeTicket } from '../../src/modules/tickets/ticket-actions.js';
import { buildWorld, inbound, newAddress, type World } from '../support/factories.js';
import { ENGINES, openTestStore, type TestStore } from '../support/stores.js';

describe.each(ENGINES)('probe (%s)', (engine) => {
  let db: TestStore;
  let world: World;
  beforeEach(async () => { db = await openTestStore(engine); world = await buildWorld(db.store); });
  afterEach(() => db.dispose());

  it('concurrent new address', async () => {
    const address = newAddress('email');
    const results = await Promise.allSettled([0, 1, 2, 3].map((i) => startTicket(world.deps, world.agent, { channelId: world.channels.email.id, contact: { address }, message: { kind: 'text', body: `m${i}` } })));
    console.log(engine, results.map((r) => r.status === 'fulfilled' ? `ok created=${r.value.created}` : `ERR ${(r.reason as any).code} ${(r.reason as Error).message}`));
    const contacts = await db.store.db.selectFrom('contacts').selectAll().execute();
    const msgs = await db.store.db.selectFrom('messages').selectAll().execute();
    console.log('contacts', contacts.length, 'messages', msgs.length);
  });

  it('concurrent existing contact', async () => {
    const address = newAddress('email');
    const r = await ingestInbound(world.deps, inbound(world.channels.email, world.clock, { address }));
    if (r.outcome !== 'stored') throw new Error();
    await closeTicket(world.deps, world.agent, r.ticketId);
    const t = await db.store.db.selectFrom('tickets').selectAll().executeTakeFirstOrThrow();
    const results = await Promise.allSettled([0, 1, 2, 3].map((i) => startTicket(world.deps, world.agent, { channelId: world.channels.email.id, contact: { contactId: t.contact_id }, message: { kind: 'text', body: `m${i}` } })));
    console.log(engine, results.map((r) => r.status === 'fulfilled' ? `ok created=${r.value.created} #${r.value.ticket.number}` : `ERR ${(r.reason as any).code} ${(r.reason as Error).message}`));
  });

  it('concurrent ingest + start new address', async () => {
    const address = newAddress('whatsapp');
    const results = await Promise.allSettled([
      ingestInbound(world.deps, inbound(world.channels.whatsapp, world.clock, { address })),
      startTicket(world.deps, world.agent, { channelId: world.channels.whatsapp.id, contact: { address }, message: { kind: 'template', template: { name: 'x', language: 'en', parameters: {} } } }),
    ]);
    console.log(engine, results.map((r) => r.status === 'fulfilled' ? `ok ${JSON.stringify((r.value as any).created ?? (r.value as any).outcome)}` : `ERR ${(r.reason as any).code} ${(r.reason as Error).message}`));
    console.log('contacts', (await db.store.db.selectFrom('contacts').selectAll().execute()).length, 'tickets', (await db.store.db.selectFrom('tickets').selectAll().execute()).map(t=>t.contact_id));
  });
});
