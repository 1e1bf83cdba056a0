// Retry timing for deliveries: exponential backoff with full jitter, bounded.

export const MAX_DELIVERY_ATTEMPTS = 8;
const BASE_MS = 2_000;
const CAP_MS = 10 * 60_000;

/** How fast retries spread out: the first wait is up to `baseMs`, each next one up to twice that, never above `capMs`. */
export interface BackoffSchedule {
  baseMs: number;
  capMs: number;
}

/** When attempt number `attempt` (1-based, just failed) may be tried again; message sends use the default schedule. */
export function nextAttemptAt(now: number, attempt: number, random: () => number = Math.random, schedule: BackoffSchedule = { baseMs: BASE_MS, capMs: CAP_MS }): number {
  const ceiling = Math.min(schedule.capMs, schedule.baseMs * 2 ** (attempt - 1));
  return now + Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
