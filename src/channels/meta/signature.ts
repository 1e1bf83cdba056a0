// Meta's webhook checks, shared by WhatsApp and Instagram (channels.md §1): the X-Hub-Signature-256
// HMAC over the raw request bytes, and the verify token of the subscription handshake. Both compare
// in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'sha256=';

/** The header value Meta would send for these bytes. */
export function signMetaPayload(raw: Buffer | string, appSecret: string): string {
  return PREFIX + createHmac('sha256', appSecret).update(raw).digest('hex');
}

/**
 * Whether `header` is the HMAC-SHA256 of exactly these bytes under the app secret. The bytes must be
 * the body as received: re-serialized JSON un-escapes Meta's \uXXXX forms and no longer matches.
 */
export function verifyMetaSignature(raw: Buffer, header: string | undefined | null, appSecret: string): boolean {
  if (!header?.startsWith(PREFIX) || !appSecret) return false;
  const hex = header.slice(PREFIX.length);
  if (!/^[0-9a-f]{64}$/i.test(hex)) return false;
  const got = Buffer.from(hex, 'hex');
  const want = createHmac('sha256', appSecret).update(raw).digest();
  return timingSafeEqual(got, want);
}

/** Whether a handshake's token equals the configured one, in constant time. */
export function verifyTokenMatches(given: string, configured: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(configured);
  return a.length === b.length && timingSafeEqual(a, b);
}
