// Work that must reach the store even if the database blinks: recording that a provider already took a
// message, for one. Without it the outbox lease would expire and the message would be sent again.
import { isStoreUnavailable } from './errors.js';

const FIRST_PAUSE_MS = 100;
const MAX_PAUSE_MS = 2_000;

/**
 * Runs `work`, and again after a growing pause while the store is unavailable, until it succeeds or
 * `withinMs` has passed (then the last error is thrown). Any other error is thrown at once.
 */
export async function retryWhileUnavailable<T>(work: () => Promise<T>, withinMs: number): Promise<T> {
  const deadline = performance.now() + withinMs;
  for (let pauseMs = FIRST_PAUSE_MS; ; pauseMs = Math.min(pauseMs * 2, MAX_PAUSE_MS)) {
    try {
      return await work();
    } catch (error) {
      if (!isStoreUnavailable(error) || performance.now() + pauseMs > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}
