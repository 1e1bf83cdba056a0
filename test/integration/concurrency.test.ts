// The one-active-ticket invariant and gap-free numbering under real concurrency: parallel PostgreSQL
// connections, and two OS processes on one SQLite file.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { newId } from '../../src/lib/ids.js';
import { isUniqueViolation } from '../../src/db/errors.js';
import { stored } from '../support/assertions.js';
import { inbound, newAddress } from '../support/factories.js';
import { messageRow, ticketRow } from '../support/rows.js';
import { ENGINES, type TestStore } from '../support/stores.js';
import { useWorld } from '../support/world.js';
import { systemClock } from '../../src/domain/clock.js';

const run = promisify(execFile);

async function countRows(store: TestStore, table: 'tickets' | 'messages', channelId: string) {
  const row = await store.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('channel_id', '=', channelId).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('PostgreSQL under parallel connections', () => {
  const ctx = useWorld('postgres', { poolSize: 20 });

  it('20 connections ingesting the first messages of one new contact produce one ticket and 20 messages', async () => {
    const { db, world } = ctx;
    const address = newAddress('whatsapp');
    const results = await Promise.all(Array.from({ length: 20 }, () => ingestInbound(world.deps, inbound(world.channels.whatsapp, world.clock, { address }))));
    expect(results.every((r) => r.outcome === 'stored')).toBe(true);
    expect(results.filter((r) => r.outcome === 'stored' && r.ticketCreated)).toHaveLength(1);
    expect(await countRows(db, 'tickets', world.channels.whatsapp.id)).toBe(1);
    expect(await countRows(db, 'messages', world.channels.whatsapp.id)).toBe(20);
    expect(await db.store.db.selectFrom('contacts').selectAll().where('workspace_id', '=', world.workspaceId).execute()).toHaveLength(1);
  });

  it('20 new contacts writing at once get ticket numbers 1 to 20 with no gap or duplicate', async () => {
    const { db, world } = ctx;
    // Each contact's first message is delivered twice, concurrently, to add contention.
    const messages = Array.from({ length: 20 }, () => inbound(world.channels.email, world.clock));
    await Promise.all([...messages, ...messages].map((m) => ingestInbound(world.deps, m)));
    const numbers = (await db.store.db.selectFrom('tickets').select('number').where('workspace_id', '=', world.workspaceId).orderBy('number').execute()).map((t) => t.number);
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await countRows(db, 'messages', world.channels.email.id)).toBe(20);
  });
});

describe('SQLite shared by two OS processes', () => {
  const ctx = useWorld('sqlite');

  it('two processes ingesting the first messages of one new contact produce one ticket and every message', async () => {
    const { db, world } = ctx;
    const address = newAddress('whatsapp');
    const startAt = String(systemClock.now() + 1500);
    const spawn = (prefix: string) =>
      run(process.execPath, ['--import', 'tsx', 'test/support/ingest-process.ts', db.databaseUrl, world.channels.whatsapp.id, address, '20', prefix, startAt]);
    const [a, b] = await Promise.all([spawn('a'), spawn('b')]);
    expect([...JSON.parse(a.stdout), ...JSON.parse(b.stdout)]).toEqual(Array(40).fill('stored'));
    expect(await countRows(db, 'tickets', world.channels.whatsapp.id)).toBe(1);
    expect(await countRows(db, 'messages', world.channels.whatsapp.id)).toBe(40);
  });
});

describe.each(ENGINES)('invariants enforced by the database itself (%s)', (engine) => {
  const ctx = useWorld(engine);

  it('a second active ticket for the same channel and contact is refused by the unique index', async () => {
    const { db, world } = ctx;
    const first = stored(await ingestInbound(world.deps, inbound(world.channels.whatsapp, world.clock)));
    const ticket = await ticketRow(db.store, first.ticketId);
    const duplicate = db.store.db.insertInto('tickets').values({ ...ticket, id: newId(), number: ticket.number + 100, status: 'pending' }).execute();
    const error = await duplicate.then(() => null, (e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
    // A closed ticket for the same pair is allowed: history is kept.
    await expect(db.store.db.insertInto('tickets').values({ ...ticket, id: newId(), number: ticket.number + 101, status: 'closed' }).execute()).resolves.toBeDefined();
  });

  it('a provider message id is unique per channel', async () => {
    const { db, world } = ctx;
    const first = stored(await ingestInbound(world.deps, inbound(world.channels.whatsapp, world.clock, { providerMessageId: 'wamid.X' })));
    const message = await messageRow(db.store, first.messageId);
    const error = await db.store.db.insertInto('messages').values({ ...message, id: newId() }).execute().then(() => null, (e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
  });
});
