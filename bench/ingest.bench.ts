// `npm run bench -- ingest`: normalized messages through ingestInbound with 50 concurrent producers,
// beside the same-run ceiling of a bare single-row insert, one durable transaction each.
import { sql } from 'kysely';
import pg from 'pg';
import { sqliteDialect } from '../src/db/dialect/sqlite.js';
import type { Engine } from '../src/db/dialect/engine.js';
import { systemClock } from '../src/domain/clock.js';
import { newId } from '../src/lib/ids.js';
import { insertChannel } from '../src/modules/channels/channel.repo.js';
import { createDeps } from '../src/modules/deps.js';
import { ingestInbound } from '../src/modules/messages/ingest-inbound.js';
import { insertWorkspace } from '../src/modules/workspaces/workspace.repo.js';
import { formatRate, quantile, runConcurrently } from './stats.js';
import { openBenchStore, type BenchStore } from './targets.js';

const POOL_SIZE = 20;

export interface IngestOptions {
  engines: Engine[];
  messages: number;
  contacts: number;
  producers: number;
}

/**
 * The engine's raw ceiling, straight through the driver: a bare insert of one message row (the table
 * ingest writes to, with its indexes) per durable transaction. SQLite: BEGIN IMMEDIATE / INSERT / COMMIT
 * with synchronous=FULL; PostgreSQL: an autocommitted INSERT, from the same producers over a pool as
 * large as the store's.
 */
async function measureCeiling(engine: Engine, options: IngestOptions): Promise<number> {
  const bench = await openBenchStore(engine, 'ceiling');
  const count = Math.min(options.messages, 20_000);
  try {
    const { channelId, ticketId, workspaceId } = await oneTicket(bench.store);
    const row = (i: number) => [newId(), workspaceId, ticketId, channelId, `wamid.ceiling.${i}.${newId()}`, 'Hello, I have a question about my order.', systemClock.now()];
    const insert =
      'insert into messages (id, workspace_id, ticket_id, channel_id, direction, author_kind, kind, provider_message_id, body, status, automated, created_at) values ';
    const values = (p: (n: number) => string) => `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, 'inbound', 'customer', 'text', ${p(5)}, ${p(6)}, 'received', 0, ${p(7)})`;
    if (engine === 'sqlite') {
      // The bare driver alone on the file, with SQLite's own checkpointing: its best configuration for
      // one-row transactions (a background checkpointer slows those down).
      await bench.store.close();
      const { database } = sqliteDialect({ file: bench.databaseUrl, synchronous: 'FULL' });
      const statement = database.prepare(insert + values(() => '?'));
      const { seconds } = await runConcurrently(count, options.producers, async (i) => {
        database.exec('begin immediate');
        statement.run(row(i));
        database.exec('commit');
      });
      database.close();
      return count / seconds;
    }
    const pool = new pg.Pool({ connectionString: bench.databaseUrl, max: POOL_SIZE });
    pool.on('error', () => undefined); // the database is dropped right after; idle clients may hear of it
    const { seconds } = await runConcurrently(count, options.producers, (i) => pool.query(insert + values((n) => `$${n}`), row(i)));
    await pool.end();
    return count / seconds;
  } finally {
    await bench.dispose();
  }
}

/** A workspace, a channel and one customer ticket to hang messages on. */
async function oneTicket(store: BenchStore['store']): Promise<{ workspaceId: string; channelId: string; ticketId: string }> {
  const now = systemClock.now();
  const workspace = await insertWorkspace(store.db, 'Bench', now);
  const channel = await insertChannel(store.db, { workspaceId: workspace.id, kind: 'whatsapp', name: 'Bench', externalId: `bench-${newId()}` }, now);
  const first = await ingestInbound(createDeps(store, systemClock), { channelId: channel.id, providerMessageId: 'wamid.first', sentAt: now, contact: { address: '491500000000' }, kind: 'text', body: 'Hello' });
  if (first.outcome !== 'stored') throw new Error('the first benchmark message was not stored');
  return { workspaceId: workspace.id, channelId: channel.id, ticketId: first.ticketId };
}

async function measureIngest(engine: Engine, options: IngestOptions) {
  const bench = await openBenchStore(engine, 'ingest', POOL_SIZE);
  try {
    const now = systemClock.now();
    const workspace = await insertWorkspace(bench.store.db, 'Bench', now);
    const channel = await insertChannel(bench.store.db, { workspaceId: workspace.id, kind: 'whatsapp', name: 'Bench', externalId: `bench-${newId()}` }, now);
    const deps = createDeps(bench.store, systemClock);
    // Messages spread over the contacts at random: a contact's first message opens a ticket, the rest thread.
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const contactOf = Array.from({ length: options.messages }, () => Math.floor(random() * options.contacts));
    const { latencies, seconds } = await runConcurrently(options.messages, options.producers, (i) =>
      ingestInbound(deps, {
        channelId: channel.id,
        providerMessageId: `wamid.bench.${i}`,
        sentAt: systemClock.now(),
        contact: { address: `4915${String(contactOf[i]).padStart(8, '0')}`, displayName: `Customer ${contactOf[i]}` },
        kind: 'text',
        body: `Message number ${i}: hello, I have a question about my order.`,
      }),
    );
    const counts = await sql<{ tickets: number; messages: number }>`select (select count(*) from tickets) as tickets, (select count(*) from messages) as messages`.execute(bench.store.db);
    return { rate: options.messages / seconds, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), ...counts.rows[0]! };
  } finally {
    await bench.dispose();
  }
}

export async function benchIngest(options: IngestOptions): Promise<Record<string, unknown>[]> {
  console.log(`ingest: ${options.messages.toLocaleString('en-US')} messages over ${options.contacts.toLocaleString('en-US')} contacts, ${options.producers} concurrent producers`);
  const results: Record<string, unknown>[] = [];
  for (const engine of options.engines) {
    const ceiling = await measureCeiling(engine, options);
    const result = await measureIngest(engine, options);
    results.push({ engine, messagesPerSecond: result.rate, p50Ms: result.p50, p99Ms: result.p99, ceilingPerSecond: ceiling, ratio: result.rate / ceiling, tickets: Number(result.tickets), messages: Number(result.messages) });
    console.log(
      [
        `  ${engine.padEnd(8)}`,
        `ingest ${formatRate(options.messages, options.messages / result.rate)}`,
        `p50 ${result.p50.toFixed(2)} ms`,
        `p99 ${result.p99.toFixed(2)} ms`,
        `| raw ceiling (driver, one message-row insert per durable transaction) ${formatRate(1, 1 / ceiling)}`,
        `| ratio ${(result.rate / ceiling).toFixed(2)}x`,
        `| stored ${Number(result.tickets)} tickets, ${Number(result.messages)} messages`,
      ].join('  '),
    );
  }
  return results;
}
