// What each batch of a leased queue came to, for whoever watches the queues (metrics, a dashboard):
// the composition root subscribes once, and no queue needs to know about it.
import { createSignal } from './signal.js';

export interface QueueBatchReport {
  queue: string;
  leased: number;
  succeeded: number;
  retried: number;
  gaveUp: number;
  /** Put back for later without a failure (waiting on something still to come). */
  postponed: number;
  /** Left alone: the lease had gone to another run, which handles the item. */
  skipped: number;
  /** From the lease to the last item's outcome recorded. */
  durationMs: number;
}

export type QueueBatchListener = (report: QueueBatchReport) => void;

const batches = createSignal<QueueBatchReport>('QueueBatchListenerWarning');

/** Tells `listener` about every batch of every queue of this process from now on; returns how to stop. */
export const watchQueueBatches = (listener: QueueBatchListener): (() => void) => batches.watch(listener);

export const reportQueueBatch = (report: QueueBatchReport): void => batches.report(report);
