// Retry timing: exponential backoff with jitter, bounded. Jitter spreads the retries of items that
// failed together (a provider outage), so they do not all come back at the same moment.

/** How fast retries spread out: the first wait is up to `baseMs`, each next one up to twice that, never above `capMs`. */
export interface BackoffSchedule {
  baseMs: number;
  capMs: number;
}

/** How long after attempt number `attempt` (1-based, just failed) it may be tried again: between half the ceiling and the ceiling. */
export function backoffDelayMs(attempt: number, schedule: BackoffSchedule, random: () => number = Math.random): number {
  const ceiling = Math.min(schedule.capMs, schedule.baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
