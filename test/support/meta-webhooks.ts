// POSTing a Meta webhook body (WhatsApp, Instagram) to the test server the way Meta does.
import { metaJson, metaSignature } from '../../src/channels/meta/fake/webhook-delivery.js';
import type { ApiContext } from './api.js';

/** POSTs a body to a webhook path, signed with the secret unless a signature (or null: none) is given. */
export async function postMetaWebhook(api: ApiContext, path: string, body: object | Buffer | string, secret: string, signature?: string | null) {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : metaJson(body));
  const header = signature === undefined ? metaSignature(raw, secret) : signature;
  const response = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(header ? { 'x-hub-signature-256': header } : {}) },
    body: raw,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}
