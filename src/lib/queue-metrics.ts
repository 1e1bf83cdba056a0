// What each batch of a leased queue came to, for whoever watches the queues (metrics, a dashboard):
// the composition root subscribes once, and no queue needs to know about it.

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

const listeners = new Set<QueueBatchListener>();

/** Tells `listener` about every batch of every queue of this process from now on; returns how to stop. */
export function watchQueueBatches(listener: QueueBatchListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export function reportQueueBatch(report: QueueBatchReport): void {
  for (const listener of listeners) {
    try {
      listener(report);
    } catch (error) {
      // Watching a queue must never stop it: the batch's outcomes are recorded already.
      process.emitWarning(error instanceof Error ? error : String(error), 'QueueBatchListenerWarning');
    }
  }
}
