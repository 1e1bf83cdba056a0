// Runs registered jobs on their intervals, one run of a job at a time, with a summary line per run.
import { isStoreUnavailable } from '../db/errors.js';
import type { Logger } from '../lib/logger.js';

export interface Job {
  name: string;
  intervalMs: number;
  /** Does one bounded pass; returns how many items it handled. */
  run(): Promise<number>;
}

/** Starts every job; the returned function stops scheduling and waits for runs in progress. */
export function startJobs(jobs: Job[], logger: Logger): () => Promise<void> {
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();

  const schedule = (job: Job, delay: number) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const started = performance.now();
      const run = job
        .run()
        .then((count) => {
          if (count > 0) logger.info({ job: job.name, count, ms: Math.round(performance.now() - started) }, `${job.name}: ${count} handled`);
        })
        .catch((error: unknown) => {
          // The database being away is expected now and then (a restart, a failover); the next run retries.
          if (isStoreUnavailable(error)) logger.warn({ job: job.name, err: error }, `${job.name}: the store is unavailable; retrying next run`);
          else logger.error({ job: job.name, err: error }, `${job.name} failed`);
        })
        .finally(() => {
          running.delete(run);
          schedule(job, job.intervalMs);
        });
      running.add(run);
    }, delay);
    timers.add(timer);
  };

  for (const job of jobs) schedule(job, Math.min(job.intervalMs, 1_000));
  return async () => {
    stopped = true;
    for (const timer of timers) clearTimeout(timer);
    await Promise.allSettled([...running]);
  };
}
