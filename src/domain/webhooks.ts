// Outgoing webhooks: what an integration can subscribe to, and what one delivery attempt's result means
// for the delivery (done, try again later, or give up).
import type { RealtimeEventType } from './events.js';
import { HOUR, MINUTE } from './clock.js';

/** Every event a webhook can receive: the realtime events, in this order. */
export const WEBHOOK_EVENT_TYPES = ['ticket.created', 'ticket.updated', 'message.created', 'message.status'] as const satisfies readonly RealtimeEventType[];
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** How long a receiver has to answer one attempt. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** Attempts before a delivery that keeps failing is given up. */
export const MAX_WEBHOOK_ATTEMPTS = 12;

/**
 * Waits between attempts grow from about a minute to at most six hours, so twelve attempts cover
 * roughly half a day to a day: a receiver that is down overnight still gets its events.
 */
export const WEBHOOK_RETRY_SCHEDULE = { baseMs: MINUTE, capMs: 6 * HOUR };

/** The subscribed types, each once and in the canonical order, whatever order they were given in. */
export function normalizeEventTypes(types: readonly WebhookEventType[]): WebhookEventType[] {
  return WEBHOOK_EVENT_TYPES.filter((type) => types.includes(type));
}

/**
 * What one attempt came to: the receiver answered with a status, or never answered. `notAllowed`: the URL
 * led to a private address (PRIVATE_OUTBOUND_URLS=refuse), so nothing was sent.
 */
export type AttemptResult = { answered: true; status: number } | { answered: false; problem: string; notAllowed?: boolean };

export type AttemptVerdict =
  | { outcome: 'delivered' }
  | { outcome: 'retry'; error: string }
  /** `reason` is for the admin: it is shown on the webhook. */
  | { outcome: 'give_up'; error: string; reason: string };

/**
 * Success is any 2xx. Timeouts, rate limits, server errors and unreachable receivers are temporary
 * and retried until the attempts run out; any other answer is the receiver refusing this delivery, and
 * sending the same bytes again would be refused again.
 */
export function judgeAttempt(result: AttemptResult, attempt: number): AttemptVerdict {
  if (result.answered && result.status >= 200 && result.status < 300) return { outcome: 'delivered' };
  // The same URL would be refused again: the admin must change it (or allow private addresses).
  if (!result.answered && result.notAllowed) {
    return {
      outcome: 'give_up',
      error: result.problem,
      reason: `The delivery was not sent: ${result.problem} Point the webhook at a public address, or set PRIVATE_OUTBOUND_URLS=allow to deliver inside a private network of your own.`,
    };
  }
  const error = result.answered ? `HTTP ${result.status}` : result.problem;
  if (result.answered && result.status >= 300 && result.status < 400) {
    return { outcome: 'give_up', error, reason: `The receiver answered HTTP ${result.status} (a redirect). Webhooks do not follow redirects: point the webhook at the final URL.` };
  }
  const temporary = !result.answered || result.status === 408 || result.status === 429 || result.status >= 500;
  if (!temporary) {
    return { outcome: 'give_up', error, reason: `The receiver answered HTTP ${result.status}, refusing the delivery, so it was not retried. Check the receiver's logs for why.` };
  }
  if (attempt < MAX_WEBHOOK_ATTEMPTS) return { outcome: 'retry', error };
  const what = result.answered ? `answered HTTP ${result.status}` : `could not be reached (${result.problem})`;
  return { outcome: 'give_up', error, reason: `The receiver ${what} on all ${MAX_WEBHOOK_ATTEMPTS} attempts, so the delivery was dropped.` };
}
