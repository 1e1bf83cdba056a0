// `npm run bench -- ingest`: normalized messages through ingestInbound with 50 concurrent producers,
// beside the same-run ceiling of a bare single-row insert, one durable transaction each.
import { sql } from 'kysely';
import type { Engine } from '../src/db/dialect/engine.js';
import { systemClock } from '../src/domain/clock.js';
import { newId } from '../src/lib/ids.js';
import { insertChannel } from '../src/modules/channels/channel.repo.js';
import { createDeps } from '../src/modules/deps.js';
import { ingestInbound } from '../src/modules/messages/ingest-inbound.js';
import { insertWorkspace } from '../src/modules/workspaces/workspace.repo.js';
import { formatRate, quantile, runConcurrently } from './stats.js';
import { openBenchStore } from './targets.js';

export interface IngestOptions {
  engines: Engine[];
  messages: number;
  contacts: number;
  producers: number;
}

/** The engine's raw ceiling: one single-row insert per durable transaction, same producers, same schema. */
async function measureCeiling(engine: Engine, options: IngestOptions): Promise<number> {
  const bench = await openBenchStore(engine, 'ceiling');
  try {
    const workspace = await insertWorkspace(bench.store.db, 'Ceiling', Date.now());
    const count = Math.min(options.messages, engine === 'sqlite' ? 20_000 : 20_000);
    const { seconds } = await runConcurrently(count, options.producers, () =>
      bench.store.db.transaction().execute((trx) =>
        trx.insertInto('contacts').values({ id: newId(), workspace_id: workspace.id, name: 'x', created_at: Date.now(), updated_at: Date.now() }).execute(),
      ),
    );
    return count / seconds;
  } finally {
    await bench.dispose();
  }
}

async function measureIngest(engine: Engine, options: IngestOptions) {
  const bench = await openBenchStore(engine, 'ingest');
  try {
    const now = Date.now();
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
        sentAt: Date.now(),
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

export async function benchIngest(options: IngestOptions): Promise<void> {
  console.log(`ingest: ${options.messages.toLocaleString('en-US')} messages over ${options.contacts.toLocaleString('en-US')} contacts, ${options.producers} concurrent producers`);
  for (const engine of options.engines) {
    const ceiling = await measureCeiling(engine, options);
    const result = await measureIngest(engine, options);
    console.log(
      [
        `  ${engine.padEnd(8)}`,
        `ingest ${formatRate(options.messages, options.messages / result.rate)}`,
        `p50 ${result.p50.toFixed(2)} ms`,
        `p99 ${result.p99.toFixed(2)} ms`,
        `| ceiling (single-row insert, one durable transaction each) ${formatRate(1, 1 / ceiling)}`,
        `| ratio ${(result.rate / ceiling).toFixed(2)}x`,
        `| stored ${Number(result.tickets)} tickets, ${Number(result.messages)} messages`,
      ].join('  '),
    );
  }
}
