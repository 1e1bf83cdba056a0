import { describe, expect, it } from 'vitest';
import { KeyedSerializer } from './keyed-serializer.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('running tasks in order per key', () => {
  it('tasks sharing a key run one after another in submission order, even when the first is slower', async () => {
    const serializer = new KeyedSerializer();
    const done: string[] = [];
    await Promise.all([
      serializer.run(['ana'], async () => { await tick(30); done.push('ana 1'); }),
      serializer.run(['ana'], async () => { done.push('ana 2'); }),
      serializer.run(['bo'], async () => { done.push('bo 1'); }),
    ]);
    expect(done).toEqual(['bo 1', 'ana 1', 'ana 2']);
  });

  it('a failed task does not stop the next one with the same key', async () => {
    const serializer = new KeyedSerializer();
    const first = serializer.run(['k'], async () => { throw new Error('boom'); });
    const second = serializer.run(['k'], async () => 'ran');
    await expect(first).rejects.toThrow('boom');
    expect(await second).toBe('ran');
  });
});
