// Processing stored provider deliveries, on both engines: every payload is processed and marked once, and
// while acknowledging webhooks is slow (storing takes clearly longer than this disk's quickest store of
// the last second) processing pauses between batches, in proportion to the batch, without stopping.
// A lease reads the oldest due deliveries in the order of the backlog's index, whatever its size.
import { CompiledQuery, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';
import { duePayloadsQuery, insertInboundPayloads } from '../../src/modules/inbound/inbound-payload.repo.js';
import { InboundProcessor, processingBatchOf } from '../../src/modules/inbound/process-inbound.js';
import { ENGINES } from '../support/stores.js';
import { useWorld } from '../support/world.js';

const logger = createLogger('silent');

describe.each(ENGINES)('processing stored deliveries (%s)', (engine) => {
  const ctx = useWorld(engine);
  const PROCESSING_BATCH = processingBatchOf({ engine });

  /** Three batches' worth of stored payloads of a test source, and a processor that records its pauses. */
  async function backlog() {
    const now = ctx.world.clock.now();
    const payloads = Array.from({ length: 3 * PROCESSING_BATCH }, (_, i) => ({ source: 'test', raw: Buffer.from(`{"n":${i}}`), receivedAt: now }));
    await ctx.db.store.unit((trx) => insertInboundPayloads(trx, payloads));
    const seen: string[] = [];
    const pauses: number[] = [];
    const processor = new InboundProcessor(ctx.world.deps, { handlers: { test: async (_deps, payload) => void seen.push(payload.raw.toString()) } }, logger, async (ms) => void pauses.push(ms));
    return { processor, seen, pauses };
  }

  const unprocessed = async () => (await ctx.db.store.db.selectFrom('inbound_payloads').select('id').where('processed_at', 'is', null).execute()).length;

  it('processes every payload once and marks it, without pausing while stores are quick', async () => {
    const { processor, seen, pauses } = await backlog();
    for (let i = 0; i < 20; i++) processor.kick(1);
    await processor.run();
    expect(new Set(seen).size).toBe(3 * PROCESSING_BATCH);
    expect(seen).toHaveLength(3 * PROCESSING_BATCH);
    expect(pauses).toEqual([]);
    expect(await unprocessed()).toBe(0);
  });

  it('pauses after each full batch while stores are slow against the quickest, and still processes everything', async () => {
    const { processor, seen, pauses } = await backlog();
    processor.kick(1);
    for (let i = 0; i < 20; i++) processor.kick(40);
    await processor.run();
    expect(seen).toHaveLength(3 * PROCESSING_BATCH);
    expect(pauses.length).toBeGreaterThanOrEqual(2);
    expect(pauses.every((ms) => ms > 0)).toBe(true);
    expect(await unprocessed()).toBe(0);
  });

  it('a disk that is slow for every store is not a reason to step back', async () => {
    const { processor, pauses } = await backlog();
    for (let i = 0; i < 20; i++) processor.kick(40);
    await processor.run();
    expect(pauses).toEqual([]);
  });

  it('a lease reads a backlog of thousands in the order of its index, never by sorting the backlog', async () => {
    const now = ctx.world.clock.now();
    const payloads = Array.from({ length: 5000 }, (_, i) => ({ source: 'test', raw: Buffer.from(`{"n":${i}}`), receivedAt: now - i }));
    for (let i = 0; i < payloads.length; i += 500) await ctx.db.store.unit((trx) => insertInboundPayloads(trx, payloads.slice(i, i + 500)));
    const db = ctx.db.store.db;
    // The planner judges from fresh statistics, as PostgreSQL's autovacuum keeps them.
    await sql`analyze inbound_payloads`.execute(db);
    const lease = duePayloadsQuery(db, ['test'], now, PROCESSING_BATCH).compile();
    const explain = engine === 'postgres' ? 'explain ' : 'explain query plan ';
    const { rows } = await db.executeQuery(CompiledQuery.raw(explain + lease.sql, [...lease.parameters]));
    const plan = rows.map((row) => Object.values(row as Record<string, unknown>).join(' ')).join('\n');
    expect(plan).toContain('inbound_payloads_due');
    expect(plan).not.toMatch(/sort|temp b-tree/i);
    expect(await duePayloadsQuery(db, ['test'], now, PROCESSING_BATCH).execute()).toHaveLength(PROCESSING_BATCH);
  });
});
