// Processing stored provider deliveries, on both engines: every payload is processed and marked once, and
// while acknowledging webhooks is slow (storing takes clearly longer than this disk's quickest store of
// the last second) processing pauses between batches, in proportion to the batch, without stopping.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';
import { insertInboundPayloads } from '../../src/modules/inbound/inbound-payload.repo.js';
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
});
