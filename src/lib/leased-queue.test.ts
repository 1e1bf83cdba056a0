import { afterEach, describe, expect, it, vi } from 'vitest';
import { TestClock } from '../../test/support/clock.js';
import { backoffDelayMs } from './backoff.js';
import { runLeasedQueue, type ItemOutcome, type LeasedQueue } from './leased-queue.js';
import { watchQueueBatches, type QueueBatchReport } from './queue-metrics.js';

const SCHEDULE = { baseMs: 1_000, capMs: 60_000 };
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

interface Row {
  id: string;
  attempts: number;
  availableAt: number;
  state: 'due' | 'done' | 'given up';
  lastError?: string;
}

type Outcome = ItemOutcome<string, string>;

/** A queue kept in memory the way the store keeps one: leasing counts an attempt, outcomes write the row. */
function memoryQueue(clock: TestClock, ids: string[], process: (row: Row) => Promise<Outcome>, overrides: Partial<LeasedQueue<Row, string, string>> = {}) {
  const rows = ids.map((id): Row => ({ id, attempts: 0, availableAt: clock.now(), state: 'due' }));
  const processed: string[] = [];
  const queue: LeasedQueue<Row, string, string> = {
    name: 'test-queue',
    batchSize: 10,
    concurrency: 4,
    lease: async (limit) => {
      const due = rows.filter((row) => row.state === 'due' && row.availableAt <= clock.now()).slice(0, limit);
      for (const row of due) {
        row.attempts++;
        // Leased: not due again unless the outcome says so.
        row.availableAt = Infinity;
      }
      return due.map((row) => ({ ...row }));
    },
    process: (row) => {
      processed.push(row.id);
      return process(row);
    },
    markSucceeded: async (row) => {
      rowOf(row).state = 'done';
    },
    retry: { schedule: SCHEDULE, maxAttempts: 3, random: () => 0.5 },
    retryLater: async (row, error, delayMs) => {
      Object.assign(rowOf(row), { availableAt: clock.now() + delayMs, lastError: error });
    },
    giveUp: async (row, error) => {
      Object.assign(rowOf(row), { state: 'given up', lastError: error });
    },
    postpone: async (row, afterMs, reason) => {
      Object.assign(rowOf(row), { availableAt: clock.now() + afterMs, lastError: reason });
    },
    ...overrides,
  };
  const rowOf = (leased: Row) => rows.find((row) => row.id === leased.id)!;
  return { queue, rows, processed, row: (id: string) => rows.find((row) => row.id === id)! };
}

const succeed = async (): Promise<Outcome> => ({ outcome: 'succeeded', value: 'ok' });
const fail = async (): Promise<Outcome> => ({ outcome: 'failed', failure: 'provider down' });
const ids = (count: number) => Array.from({ length: count }, (_, i) => `item-${i + 1}`);

describe('running a leased queue', () => {
  it('processes every leased item once and marks each one that succeeded', async () => {
    const clock = new TestClock();
    const { queue, rows, processed } = memoryQueue(clock, ids(7), succeed);

    const totals = await runLeasedQueue(queue);

    expect(processed.sort()).toEqual(ids(7).sort());
    expect(rows.every((row) => row.state === 'done')).toBe(true);
    expect(totals).toMatchObject({ leased: 7, succeeded: 7, retried: 0, gaveUp: 0 });
  });

  it('never processes more items at once than its concurrency limit, yet uses all of it', async () => {
    const clock = new TestClock();
    let running = 0;
    let most = 0;
    const { queue } = memoryQueue(clock, ids(10), async () => {
      most = Math.max(most, ++running);
      await tick();
      running--;
      return { outcome: 'succeeded', value: 'ok' };
    });

    await runLeasedQueue({ ...queue, concurrency: 3 });

    expect(most).toBe(3);
  });

  it('with a concurrency of one, processes the items one after another in lease order', async () => {
    const clock = new TestClock();
    const events: string[] = [];
    const { queue } = memoryQueue(clock, ids(3), async (row) => {
      events.push(`start ${row.id}`);
      await tick();
      events.push(`end ${row.id}`);
      return { outcome: 'succeeded', value: 'ok' };
    });

    await runLeasedQueue({ ...queue, concurrency: 1 });

    expect(events).toEqual(['start item-1', 'end item-1', 'start item-2', 'end item-2', 'start item-3', 'end item-3']);
  });

  it('a failing item is retried at its backoff time, and not before', async () => {
    const clock = new TestClock();
    const { queue, row } = memoryQueue(clock, ['flaky'], fail);

    const totals = await runLeasedQueue(queue);

    const firstDelay = backoffDelayMs(1, SCHEDULE, () => 0.5);
    expect(firstDelay).toBe(750);
    expect(row('flaky')).toMatchObject({ state: 'due', attempts: 1, availableAt: clock.now() + firstDelay, lastError: 'provider down' });
    expect(totals).toMatchObject({ leased: 1, retried: 1 });

    clock.advance(firstDelay - 1);
    expect((await runLeasedQueue(queue)).leased).toBe(0);
    clock.advance(1);
    await runLeasedQueue(queue);
    expect(row('flaky')).toMatchObject({ attempts: 2, availableAt: clock.now() + backoffDelayMs(2, SCHEDULE, () => 0.5) });
  });

  it('backoff doubles with each attempt up to its cap, with the jitter spreading each wait over its upper half', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffDelayMs(attempt, SCHEDULE, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffDelayMs(20, SCHEDULE, () => 1)).toBe(60_000);
    expect(backoffDelayMs(3, SCHEDULE, () => 0)).toBe(2_000);
  });

  it('a failing item is given up after its last allowed attempt', async () => {
    const clock = new TestClock();
    const { queue, row } = memoryQueue(clock, ['doomed'], fail);

    for (let attempt = 1; attempt <= 3; attempt++) {
      await runLeasedQueue(queue);
      clock.advance(SCHEDULE.capMs);
    }

    expect(row('doomed')).toMatchObject({ state: 'given up', attempts: 3, lastError: 'provider down' });
  });

  it('a failure the processing calls final is given up at once', async () => {
    const clock = new TestClock();
    const { queue, row } = memoryQueue(clock, ['refused'], async () => ({ outcome: 'failed', failure: 'refused for good', final: true }));

    const totals = await runLeasedQueue(queue);

    expect(row('refused')).toMatchObject({ state: 'given up', attempts: 1 });
    expect(totals).toMatchObject({ gaveUp: 1, retried: 0 });
  });

  it('without a maximum, a failing item is retried however many attempts it took', async () => {
    const clock = new TestClock();
    const { queue, row } = memoryQueue(clock, ['stubborn'], fail, { retry: { schedule: SCHEDULE }, giveUp: undefined });

    for (let attempt = 1; attempt <= 12; attempt++) {
      await runLeasedQueue(queue);
      clock.advance(SCHEDULE.capMs);
    }

    expect(row('stubborn')).toMatchObject({ state: 'due', attempts: 12 });
  });

  it('an item that must wait is put back for the time it asked, neither retried nor given up', async () => {
    const clock = new TestClock();
    const { queue, row } = memoryQueue(clock, ['receipt'], async () => ({ outcome: 'later', afterMs: 5_000, reason: 'its message is not recorded yet' }));

    const totals = await runLeasedQueue(queue);

    expect(row('receipt')).toMatchObject({ state: 'due', availableAt: clock.now() + 5_000, lastError: 'its message is not recorded yet' });
    expect(totals).toMatchObject({ postponed: 1, retried: 0, gaveUp: 0 });
  });

  it('an item whose processing recorded its own fate is only counted', async () => {
    const clock = new TestClock();
    const outcomes: Outcome[] = [
      { outcome: 'handled', counted: 'postponed' },
      { outcome: 'handled', counted: 'skipped' },
    ];
    const { queue, row } = memoryQueue(clock, ['held', 'taken over'], async () => outcomes.shift()!, { concurrency: 1 });

    const totals = await runLeasedQueue(queue);

    expect([row('held').state, row('taken over').state]).toEqual(['due', 'due']);
    expect(totals).toMatchObject({ leased: 2, postponed: 1, skipped: 1, succeeded: 0 });
  });

  it('the successes of a batch can be marked together, once the whole batch was processed', async () => {
    const clock = new TestClock();
    const marked: string[][] = [];
    const { queue } = memoryQueue(clock, ['a', 'b', 'c'], async (row) => (row.id === 'b' ? { outcome: 'failed', failure: 'no' } : { outcome: 'succeeded', value: 'ok' }), {
      markSucceeded: undefined,
      markSucceededTogether: async (rows) => {
        marked.push(rows.map((row) => row.id).sort());
      },
    });

    await runLeasedQueue(queue);

    expect(marked).toEqual([['a', 'c']]);
  });

  it('leases batch after batch until one comes back short, awaiting afterBatch between them', async () => {
    const clock = new TestClock();
    const steps: string[] = [];
    const { queue, processed } = memoryQueue(clock, ids(25), succeed, {
      untilShortBatch: true,
      afterBatch: async (batchMs) => {
        expect(batchMs).toBeGreaterThanOrEqual(0);
        steps.push(`pause after ${processed.length}`);
      },
    });

    const totals = await runLeasedQueue(queue);

    expect(totals).toMatchObject({ leased: 25, succeeded: 25 });
    expect(steps).toEqual(['pause after 10', 'pause after 20']);
  });

  it('after a batch that comes back exactly full, leases once more and stops when that finds nothing', async () => {
    const clock = new TestClock();
    let leases = 0;
    const { queue } = memoryQueue(clock, ids(10), succeed, { untilShortBatch: true });
    const countingLease = (limit: number) => {
      leases++;
      return queue.lease(limit);
    };

    const totals = await runLeasedQueue({ ...queue, lease: countingLease });

    expect(totals.leased).toBe(10);
    expect(leases).toBe(2);
  });

  it('runs one batch only unless told to lease again while batches are full', async () => {
    const clock = new TestClock();
    const { queue } = memoryQueue(clock, ids(25), succeed);

    expect((await runLeasedQueue(queue)).leased).toBe(10);
  });

  it('an error thrown while processing rejects the run and leaves the item leased', async () => {
    const clock = new TestClock();
    const { queue, row } = memoryQueue(clock, ['broken'], async () => {
      throw new Error('the store is gone');
    });

    await expect(runLeasedQueue(queue)).rejects.toThrow('the store is gone');
    expect(row('broken')).toMatchObject({ state: 'due', availableAt: Infinity });
  });

  it('a failed run takes up no further item, lets the ones in progress finish, and offers back every item whose fate it did not record', async () => {
    const clock = new TestClock();
    let finishSlow!: () => void;
    const slowDone = new Promise<void>((resolve) => (finishSlow = resolve));
    const offered: { ids: string[]; error: unknown }[] = [];
    const { queue, processed, row } = memoryQueue(
      clock,
      ['slow', 'broken', 'quick', 'untouched-1', 'untouched-2'],
      async (item) => {
        if (item.id === 'slow') await slowDone;
        if (item.id === 'broken') {
          setTimeout(finishSlow, 20);
          throw new Error('the store is gone');
        }
        return { outcome: 'succeeded', value: 'ok' };
      },
      {
        concurrency: 3,
        release: async (items, error) => {
          offered.push({ ids: items.map((item) => item.id).sort(), error });
        },
      },
    );

    await expect(runLeasedQueue(queue)).rejects.toThrow('the store is gone');

    // 'slow' was in progress when 'broken' failed: it finished and was recorded; nothing after 'quick' was taken up.
    expect(processed).toEqual(['slow', 'broken', 'quick']);
    expect(row('slow').state).toBe('done');
    expect(row('quick').state).toBe('done');
    expect(offered).toEqual([{ ids: ['broken', 'untouched-1', 'untouched-2'], error: new Error('the store is gone') }]);
  });

  it('successes a failed run could not mark together are offered back with the rest', async () => {
    const clock = new TestClock();
    const offered: string[][] = [];
    const { queue } = memoryQueue(clock, ['a', 'b'], succeed, {
      markSucceeded: undefined,
      markSucceededTogether: async () => {
        throw new Error('the store is gone');
      },
      release: async (items) => {
        offered.push(items.map((item) => item.id).sort());
      },
    });

    await expect(runLeasedQueue(queue)).rejects.toThrow('the store is gone');
    expect(offered).toEqual([['a', 'b']]);
  });

  it('a release that fails too leaves the run rejected with its own error', async () => {
    const clock = new TestClock();
    const { queue } = memoryQueue(
      clock,
      ['broken'],
      async () => {
        throw new Error('the store is gone');
      },
      {
        release: async () => {
          throw new Error('still gone');
        },
      },
    );

    await expect(runLeasedQueue(queue)).rejects.toThrow('the store is gone');
  });
});

describe('watching the queues', () => {
  const stops: (() => void)[] = [];
  afterEach(() => stops.splice(0).forEach((stop) => stop()));

  it('tells the watchers what each batch came to and how long it took, and nothing of an empty lease', async () => {
    const clock = new TestClock();
    const reports: QueueBatchReport[] = [];
    stops.push(watchQueueBatches((report) => reports.push(report)));
    const outcomes: Outcome[] = [
      { outcome: 'succeeded', value: 'ok' },
      { outcome: 'failed', failure: 'busy' },
      { outcome: 'failed', failure: 'gone', final: true },
      { outcome: 'later', afterMs: 100, reason: 'wait' },
      { outcome: 'handled', counted: 'skipped' },
    ];
    const { queue } = memoryQueue(clock, ids(5), async () => outcomes.shift()!, { concurrency: 1 });

    await runLeasedQueue(queue);
    await runLeasedQueue(queue);

    expect(reports).toEqual([{ queue: 'test-queue', leased: 5, succeeded: 1, retried: 1, gaveUp: 1, postponed: 1, skipped: 1, durationMs: expect.any(Number) }]);
    expect(reports[0]!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('a watcher that throws does not stop the queue: its error becomes a process warning', async () => {
    const clock = new TestClock();
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    stops.push(() => warn.mockRestore());
    stops.push(
      watchQueueBatches(() => {
        throw new Error('metrics are down');
      }),
    );
    const { queue, rows } = memoryQueue(clock, ids(2), succeed);

    await expect(runLeasedQueue(queue)).resolves.toMatchObject({ succeeded: 2 });
    expect(rows.every((row) => row.state === 'done')).toBe(true);
    expect(warn).toHaveBeenCalledWith(new Error('metrics are down'), 'QueueBatchListenerWarning');
  });
});
