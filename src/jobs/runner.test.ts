import { describe, expect, it } from 'vitest';
import { createLogger } from '../lib/logger.js';
import { startJobs, type Job } from './runner.js';

describe('the job runner', () => {
  it('runs each job again after its interval, never two runs of one job at once, and stop waits for a run in progress', async () => {
    let running = 0;
    let overlapped = false;
    let runs = 0;
    let finished = 0;
    const job: Job = {
      name: 'slow',
      intervalMs: 5,
      run: async () => {
        running++;
        overlapped ||= running > 1;
        runs++;
        await new Promise((r) => setTimeout(r, 20));
        running--;
        finished++;
        return 1;
      },
    };
    const stop = startJobs([job], createLogger('silent'));
    await new Promise((r) => setTimeout(r, 150));
    await stop();
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(overlapped).toBe(false);
    expect(finished).toBe(runs);
    const after = runs;
    await new Promise((r) => setTimeout(r, 50));
    expect(runs).toBe(after);
  });

  it('a job that fails is logged and runs again', async () => {
    let runs = 0;
    const stop = startJobs([{ name: 'flaky', intervalMs: 5, run: async () => { runs++; throw new Error('boom'); } }], createLogger('silent'));
    await new Promise((r) => setTimeout(r, 100));
    await stop();
    expect(runs).toBeGreaterThanOrEqual(2);
  });
});
