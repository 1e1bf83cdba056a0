// Retry timing for deliveries: exponential backoff with full jitter, bounded.

export const MAX_DELIVERY_ATTEMPTS = 8;
const BASE_MS = 2_000;
const CAP_MS = 10 * 60_000;

/** When attempt number `attempt` (1-based, just failed) may be tried again. */
export function nextAttemptAt(now: number, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(CAP_MS, BASE_MS * 2 ** (attempt - 1));
  return now + Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
