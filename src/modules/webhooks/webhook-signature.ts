// The signature a receiver checks: HMAC-SHA256 with the webhook's secret over "<timestamp>.<raw body>".
// Signing the timestamp too lets a receiver refuse an old delivery replayed by someone who captured it.
import { createHmac } from 'node:crypto';

/** The `X-Threadbox-Signature` header value for a body sent at `timestamp` (Unix seconds). */
export function signWebhookBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}
