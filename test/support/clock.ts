// A clock tests move by hand.
import { HOUR, type Clock } from '../../src/domain/clock.js';

export class TestClock implements Clock {
  #now: number;
  constructor(start = Date.UTC(2026, 10, 25, 12)) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  advance(ms: number): number {
    this.#now += ms;
    return this.#now;
  }
  set(ms: number): void {
    this.#now = ms;
  }
  hoursAgo(hours: number): number {
    return this.#now - hours * HOUR;
  }
}
