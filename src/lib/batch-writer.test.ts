import { describe, expect, it } from 'vitest';
import { BatchWriter } from './batch-writer.js';

describe('BatchWriter', () => {
  it('writes items added together with one call, and answers each caller after it', async () => {
    const writes: number[][] = [];
    const writer = new BatchWriter<number>(async (items) => void writes.push(items), { maxBatch: 100, maxInFlight: 1 });
    await Promise.all([1, 2, 3].map((n) => writer.add(n)));
    expect(writes).toEqual([[1, 2, 3]]);
  });

  it('splits at the batch size and keeps at most the allowed writes in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const writes: number[][] = [];
    const writer = new BatchWriter<number>(
      async (items) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        writes.push(items);
        inFlight--;
      },
      { maxBatch: 2, maxInFlight: 2 },
    );
    await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => writer.add(n)));
    expect(writes.flat().sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(Math.max(...writes.map((w) => w.length))).toBe(2);
    expect(most).toBe(2);
  });

  it('fails every caller of a failed write, and later writes still happen', async () => {
    let fail = true;
    const writer = new BatchWriter<string>(
      async () => {
        if (fail) throw new Error('the store is down');
      },
      { maxBatch: 10, maxInFlight: 1 },
    );
    const first = await Promise.allSettled([writer.add('a'), writer.add('b')]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(writer.add('c')).resolves.toBeUndefined();
  });
});
