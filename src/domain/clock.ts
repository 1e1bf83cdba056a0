// Time as an injected dependency, so every rule can be tested at any instant.

/** Milliseconds since the Unix epoch. Every stored time in Threadbox uses this unit. */
export type EpochMs = number;

export interface Clock {
  now(): EpochMs;
}

export const systemClock: Clock = { now: () => Date.now() };

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** A rough, human duration ("3 days", "5 h 12 min") for refusal sentences and banners. */
export function describeDuration(ms: number): string {
  const abs = Math.max(0, Math.round(ms / MINUTE)) * MINUTE;
  if (abs >= 2 * DAY) return `${Math.floor(abs / DAY)} days`;
  if (abs >= HOUR) {
    const hours = Math.floor(abs / HOUR);
    const minutes = Math.floor((abs % HOUR) / MINUTE);
    return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
  }
  const minutes = Math.floor(abs / MINUTE);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}
