import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE, describeDuration } from './clock.js';

describe('time units', () => {
  it('a minute is 60 000 ms, an hour 60 minutes and a day 24 hours', () => {
    expect(MINUTE).toBe(60_000);
    expect(HOUR).toBe(3_600_000);
    expect(DAY).toBe(86_400_000);
  });
});

describe('describeDuration', () => {
  it.each([
    [0, '0 minutes'],
    [29_999, '0 minutes'],
    [30_000, '1 minute'],
    [MINUTE, '1 minute'],
    [2 * MINUTE, '2 minutes'],
    [59 * MINUTE, '59 minutes'],
    [59 * MINUTE + 30_000, '1 h'],
    [HOUR, '1 h'],
    [5 * HOUR + 12 * MINUTE, '5 h 12 min'],
    [24 * HOUR - 1, '24 h'],
    [25 * HOUR, '25 h'],
    [47 * HOUR + 59 * MINUTE, '47 h 59 min'],
    [2 * DAY - 1, '2 days'],
    [2 * DAY, '2 days'],
    [3 * DAY, '3 days'],
    [3 * DAY + 23 * HOUR, '3 days'],
    [7 * DAY, '7 days'],
  ])('describes %i ms as "%s"', (ms, expected) => {
    expect(describeDuration(ms)).toBe(expected);
  });

  it('describes a negative duration (clock skew) as no time at all', () => {
    expect(describeDuration(-5 * MINUTE)).toBe('0 minutes');
  });
});
