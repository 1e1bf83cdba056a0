// Posting a webhook to the app the way Meta does (WhatsApp and Instagram alike) (channels.md §1.2): the JSON with every non-ASCII
// character escaped as \uXXXX (lowercase hex, emoji as surrogate pairs), signed with
// `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of exactly those bytes>` keyed with the app secret.
import { signMetaPayload } from '../signature.js';

/** JSON as Meta serialises it: ASCII only, non-ASCII as \uXXXX escapes. */
export function metaJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The `X-Hub-Signature-256` header value for these exact bytes. */
export const metaSignature = signMetaPayload;

export interface DeliverOptions {
  /** Replaces the computed signature header; `null` leaves the header out (for refusal tests). */
  signature?: string | null;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface WebhookDelivery {
  url: string;
  rawBody: Buffer;
  signature: string | null;
  /** The app's HTTP status, or null when it could not be reached. */
  status: number | null;
  responseBody: string;
  error: string | null;
}

/** POSTs the bytes with Meta's headers; never throws, an unreachable app is reported in `error`. */
export async function postWebhook(url: string, raw: Buffer, appSecret: string, options: DeliverOptions = {}): Promise<WebhookDelivery> {
  const signature = options.signature === undefined ? metaSignature(raw, appSecret) : options.signature;
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'facebookexternalua', ...options.headers };
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  try {
    const response = await fetch(url, { method: 'POST', headers, body: raw, signal: AbortSignal.timeout(options.timeoutMs ?? 20_000) });
    return { url, rawBody: raw, signature, status: response.status, responseBody: await response.text(), error: null };
  } catch (error) {
    return { url, rawBody: raw, signature, status: null, responseBody: '', error: error instanceof Error ? error.message : String(error) };
  }
}
