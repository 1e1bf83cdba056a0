import { describe, expect, it } from 'vitest';
import { judgeAttempt, MAX_WEBHOOK_ATTEMPTS, normalizeEventTypes } from './webhooks.js';

describe('judging a webhook delivery attempt', () => {
  it('any 2xx is delivered', () => {
    for (const status of [200, 201, 202, 204, 299]) expect(judgeAttempt({ answered: true, status }, 1)).toEqual({ outcome: 'delivered' });
  });

  it('timeouts, rate limits, server errors and unreachable receivers are retried while attempts remain', () => {
    for (const status of [408, 429, 500, 502, 503, 504]) expect(judgeAttempt({ answered: true, status }, 1)).toEqual({ outcome: 'retry', error: `HTTP ${status}` });
    expect(judgeAttempt({ answered: false, problem: 'network error: ECONNREFUSED' }, MAX_WEBHOOK_ATTEMPTS - 1)).toEqual({ outcome: 'retry', error: 'network error: ECONNREFUSED' });
  });

  it('the last temporary failure gives up and says how many attempts were made', () => {
    const verdict = judgeAttempt({ answered: true, status: 503 }, MAX_WEBHOOK_ATTEMPTS);
    expect(verdict).toMatchObject({ outcome: 'give_up', error: 'HTTP 503' });
    expect(verdict.outcome === 'give_up' && verdict.reason).toContain(`all ${MAX_WEBHOOK_ATTEMPTS} attempts`);
    const unreachable = judgeAttempt({ answered: false, problem: 'no answer within 10 s' }, MAX_WEBHOOK_ATTEMPTS);
    expect(unreachable.outcome === 'give_up' && unreachable.reason).toContain('could not be reached (no answer within 10 s)');
  });

  it('other client errors and redirects give up at the first attempt', () => {
    for (const status of [400, 401, 403, 404, 410, 422, 301, 302, 307]) expect(judgeAttempt({ answered: true, status }, 1).outcome).toBe('give_up');
    const redirect = judgeAttempt({ answered: true, status: 301 }, 1);
    expect(redirect.outcome === 'give_up' && redirect.reason).toContain('do not follow redirects');
  });

  it('a URL that led to a private address gives up at the first attempt, saying how to fix it', () => {
    const problem = '127.0.0.1 is a loopback address, and requests to private networks are refused (PRIVATE_OUTBOUND_URLS=refuse).';
    const verdict = judgeAttempt({ answered: false, problem, notAllowed: true }, 1);
    expect(verdict).toMatchObject({ outcome: 'give_up', error: problem });
    expect(verdict.outcome === 'give_up' && verdict.reason).toBe(
      `The delivery was not sent: ${problem} Point the webhook at a public address, or set PRIVATE_OUTBOUND_URLS=allow to deliver inside a private network of your own.`,
    );
  });
});

describe('subscribed event types', () => {
  it('are kept once each, in the canonical order', () => {
    expect(normalizeEventTypes(['message.status', 'ticket.created', 'message.status'])).toEqual(['ticket.created', 'message.status']);
    expect(normalizeEventTypes([])).toEqual([]);
  });
});
