// How much waits in each queue, and since when: read at each scrape, so every process reports the same
// database-wide figures (stored deliveries not processed, outbox items not done, by topic).
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface QueueDepth {
  queue: string;
  depth: number;
  /** When the oldest waiting item arrived (epoch ms); null when none waits. */
  oldestAt: number | null;
}

export async function queueDepths(db: Kysely<Database>): Promise<QueueDepth[]> {
  const inbound = await db
    .selectFrom('inbound_payloads')
    .select([sql<number | string>`count(*)`.as('depth'), sql<number | string | null>`min(received_at)`.as('oldest')])
    .where('processed_at', 'is', null)
    .executeTakeFirstOrThrow();
  const outbox = await db
    .selectFrom('outbox')
    .select(['topic', sql<number | string>`count(*)`.as('depth'), sql<number | string | null>`min(created_at)`.as('oldest')])
    .where('done_at', 'is', null)
    .groupBy('topic')
    .execute();
  return [
    { queue: 'inbound', depth: Number(inbound.depth), oldestAt: inbound.oldest === null ? null : Number(inbound.oldest) },
    ...outbox.map((row) => ({ queue: `outbox:${row.topic}`, depth: Number(row.depth), oldestAt: row.oldest === null ? null : Number(row.oldest) })),
  ];
}
