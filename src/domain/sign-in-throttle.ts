// How password guessing is slowed down (README, "Signing in"). Guesses are counted per account and
// address together, and per address alone; past a few free failures each further attempt waits, twice
// as long each time. Nobody is ever locked out: a person at another address is not slowed by anyone
// else's guesses, and a wait ends by itself.
import { MINUTE } from './clock.js';

export interface ThrottleRule {
  /** Failures allowed before the first wait. */
  freeFailures: number;
  /** The first wait; each further failure doubles it. */
  firstWaitMs: number;
  maxWaitMs: number;
  /** A count is forgotten this long after its last wait ended without a new failure. */
  forgetAfterMs: number;
}

/** One account from one address: an owner who mistypes is not slowed, a guesser is at once. */
export const ACCOUNT_AT_ADDRESS: ThrottleRule = { freeFailures: 5, firstWaitMs: 1_000, maxWaitMs: 15 * MINUTE, forgetAfterMs: 15 * MINUTE };
/** One address across accounts (credential stuffing): generous, since an office may share an address. */
export const ADDRESS: ThrottleRule = { freeFailures: 50, firstWaitMs: 1_000, maxWaitMs: 15 * MINUTE, forgetAfterMs: 15 * MINUTE };

/** How long the next attempt must wait after this many failures. */
export function waitAfterFailures(failures: number, rule: ThrottleRule): number {
  if (failures <= rule.freeFailures) return 0;
  return Math.min(rule.maxWaitMs, rule.firstWaitMs * 2 ** Math.min(failures - rule.freeFailures - 1, 30));
}

/** The count a new failure starts from: forgotten once the last wait ended long enough ago. */
export function failuresBefore(counted: { failures: number; retryAt: number }, now: number, rule: ThrottleRule): number {
  return now >= counted.retryAt + rule.forgetAfterMs ? 0 : counted.failures;
}
