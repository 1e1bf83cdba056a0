// The worker behind every leased queue (outbox sends, media downloads, webhook deliveries, inbound
// payloads): lease a batch of due items, process them a bounded number at a time, and record what
// became of each: done, retried after a backoff, given up, or put back for later. Each queue supplies
// its storage and its rules as functions; what is written, and in which transaction, stays the queue's.
import { backoffDelayMs, type BackoffSchedule } from './backoff.js';
import { forEachLimited } from './bounded-concurrency.js';
import { reportQueueBatch, type QueueBatchReport } from './queue-metrics.js';

/** What became of one leased item, as its processing tells the worker. */
export type ItemOutcome<Value, Failure> =
  /** Done: the queue's `markSucceeded` (or `markSucceededTogether`, once for the batch) records it. */
  | { outcome: 'succeeded'; value: Value }
  /** Retried after the backoff, or given up when `final` or when this was the last attempt allowed. */
  | { outcome: 'failed'; failure: Failure; final?: boolean }
  /** Not failed, not finished either: the queue's `postpone` puts it back to be processed after `afterMs`. */
  | { outcome: 'later'; afterMs: number; reason: string }
  /** The processing recorded the item's fate itself (a wait of its own), or left it to the run that holds its lease now; only counted. */
  | { outcome: 'handled'; counted: 'postponed' | 'skipped' };

/** A queue the worker runs. `attempts` of an item include the one its lease just started. */
export interface LeasedQueue<Item extends { attempts: number }, Value = void, Failure = unknown> {
  /** Names the queue in batch reports. */
  name: string;
  batchSize: number;
  /** How many items of a batch are processed at the same time; 1 for one after another. */
  concurrency: number;
  /** Leases up to `limit` due items, counting an attempt on each. */
  lease(limit: number): Promise<Item[]>;
  /** Called with each leased batch before its items are processed (work the batch shares). */
  prepare?(items: Item[]): Promise<void>;
  /**
   * Processes one item. Throwing is not a failure of the item: it ends the run (no further item is
   * taken), and once the items in progress are done the run rejects with that error.
   */
  process(item: Item): Promise<ItemOutcome<Value, Failure>>;
  markSucceeded?(item: Item, value: Value): Promise<void>;
  /** Records the batch's successes together, after all its items were processed (not called when there is none). */
  markSucceededTogether?(items: Item[]): Promise<void>;
  retry: {
    schedule: BackoffSchedule;
    /** Without one, failures that are not final are retried for as long as it takes. */
    maxAttempts?: number;
    /** Jitter of the retry time; Math.random unless told otherwise. */
    random?: () => number;
  };
  /** Puts a failed item back, due `delayMs` from when it is written. */
  retryLater(item: Item, failure: Failure, delayMs: number): Promise<void>;
  /** Required when a failure can be final or `maxAttempts` is set. */
  giveUp?(item: Item, failure: Failure): Promise<void>;
  /** Required when processing can answer `later`; puts the item back, due `afterMs` from when it is written. */
  postpone?(item: Item, afterMs: number, reason: string): Promise<void>;
  /**
   * Called when a run failed, told why and the items whose fate it did not record: those it never took
   * up and those whose outcome could not be written. It may give back what is safe to give back (after
   * the store went away: due again as soon as it answers, not when the lease ends); what it keeps comes
   * back with the lease. Its own failure is swallowed: the run's error is the one that counts.
   */
  release?(unfinished: Item[], error: unknown): Promise<void>;
  /** Lease again as long as batches come back full; otherwise one batch per run. */
  untilShortBatch?: boolean;
  /** Awaited between two batches (not after the last), told how long the batch took: a chance to pause. */
  afterBatch?(batchMs: number): Promise<void>;
}

export type QueueRunTotals = Omit<QueueBatchReport, 'queue' | 'durationMs'>;

const noItems = (): QueueRunTotals => ({ leased: 0, succeeded: 0, retried: 0, gaveUp: 0, postponed: 0, skipped: 0 });

/** Runs the queue: one batch, or batches until one comes back short; resolves with what became of the items. */
export async function runLeasedQueue<Item extends { attempts: number }, Value, Failure>(queue: LeasedQueue<Item, Value, Failure>): Promise<QueueRunTotals> {
  const totals = noItems();
  for (;;) {
    const started = performance.now();
    const batch = await runBatch(queue);
    const durationMs = performance.now() - started;
    for (const key of Object.keys(totals) as (keyof QueueRunTotals)[]) totals[key] += batch[key];
    // An empty lease is a poll, not a batch: reporting it would drown the batches in idle runs.
    if (batch.leased > 0) reportQueueBatch({ queue: queue.name, ...batch, durationMs });
    if (!queue.untilShortBatch || batch.leased < queue.batchSize) return totals;
    await queue.afterBatch?.(durationMs);
  }
}

async function runBatch<Item extends { attempts: number }, Value, Failure>(queue: LeasedQueue<Item, Value, Failure>): Promise<QueueRunTotals> {
  const counts = noItems();
  const leased = await queue.lease(queue.batchSize);
  counts.leased = leased.length;
  if (leased.length === 0) return counts;
  // Every leased item stays here until its outcome is written; a failed run gives back what is left.
  const unfinished = new Set(leased);
  let failed: { error: unknown } | undefined;
  const succeeded: Item[] = [];
  try {
    await queue.prepare?.(leased);
    await forEachLimited(leased, queue.concurrency, async (item) => {
      if (failed) return;
      try {
        const recorded = await settleItem(queue, item, counts);
        if (recorded === 'awaits marking') succeeded.push(item);
        else unfinished.delete(item);
      } catch (error) {
        failed ??= { error };
      }
    });
    if (failed) throw failed.error;
    // After the whole batch, so one write records them all.
    if (succeeded.length > 0) await queue.markSucceededTogether?.(succeeded);
  } catch (error) {
    await queue.release?.([...unfinished], error).catch(() => undefined);
    throw error;
  }
  return counts;
}

/** Processes one item and records its outcome; says whether its success still awaits the batch's marking. */
async function settleItem<Item extends { attempts: number }, Value, Failure>(queue: LeasedQueue<Item, Value, Failure>, item: Item, counts: QueueRunTotals): Promise<'recorded' | 'awaits marking'> {
  const result = await queue.process(item);
  if (result.outcome === 'succeeded') {
    await queue.markSucceeded?.(item, result.value);
    counts.succeeded++;
    return queue.markSucceededTogether ? 'awaits marking' : 'recorded';
  }
  if (result.outcome === 'failed') {
    counts[await settleFailure(queue, item, result.failure, result.final ?? false)]++;
  } else if (result.outcome === 'later') {
    if (!queue.postpone) throw missing(queue, 'postpone');
    await queue.postpone(item, result.afterMs, result.reason);
    counts.postponed++;
  } else {
    counts[result.counted]++;
  }
  return 'recorded';
}

async function settleFailure<Item extends { attempts: number }, Value, Failure>(queue: LeasedQueue<Item, Value, Failure>, item: Item, failure: Failure, final: boolean): Promise<'retried' | 'gaveUp'> {
  const { maxAttempts, schedule, random } = queue.retry;
  if (!final && (maxAttempts === undefined || item.attempts < maxAttempts)) {
    await queue.retryLater(item, failure, backoffDelayMs(item.attempts, schedule, random));
    return 'retried';
  }
  if (!queue.giveUp) throw missing(queue, 'giveUp');
  await queue.giveUp(item, failure);
  return 'gaveUp';
}

function missing(queue: { name: string }, hook: 'postpone' | 'giveUp'): Error {
  return new Error(`The ${queue.name} queue has no ${hook}, yet one of its items needs it.`);
}
