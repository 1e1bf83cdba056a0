// Slows password guessing: failed logins are counted per account and per client address over a window.
import { MINUTE } from '../../domain/clock.js';

export interface LoginLimits {
  perAccount: number;
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAccount: 10, perAddress: 50, windowMs: 15 * MINUTE };

/**
 * Counts failures in memory, per server process: with several processes an attacker gets the limit
 * once per process, which still bounds guessing far below what a password hash allows.
 */
export class LoginLimiter {
  readonly #limits: LoginLimits;
  readonly #failures = new Map<string, number[]>();

  constructor(limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
    this.#limits = limits;
  }

  /** Whether another attempt may be made now for this account from this address. */
  allows(email: string, address: string, now: number): boolean {
    return this.#recent(`account:${email}`, now) < this.#limits.perAccount && this.#recent(`address:${address}`, now) < this.#limits.perAddress;
  }

  recordFailure(email: string, address: string, now: number): void {
    for (const key of [`account:${email}`, `address:${address}`]) this.#failures.set(key, [...this.#window(key, now), now]);
  }

  recordSuccess(email: string): void {
    this.#failures.delete(`account:${email}`);
  }

  #recent(key: string, now: number): number {
    const kept = this.#window(key, now);
    if (kept.length) this.#failures.set(key, kept);
    else this.#failures.delete(key);
    return kept.length;
  }

  #window(key: string, now: number): number[] {
    return (this.#failures.get(key) ?? []).filter((at) => at > now - this.#limits.windowMs);
  }
}
