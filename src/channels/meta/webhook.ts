// Meta's webhook, as WhatsApp and Instagram share it (channels.md §1): bodies name their product in
// `object` and their accounts in `entry[]`, carry an X-Hub-Signature-256 over the raw bytes under the
// channel's app secret, and the subscription is confirmed by echoing `hub.challenge` to whoever proves
// it knows a channel's verify token.
import type { WebhookEndpoint } from '../adapter.js';
import { verifyMetaSignature, verifyTokenMatches } from './signature.js';

/** The webhook of one Meta product, stored under `source`, whose bodies say `object` and whose accounts `accountsOf` lists. */
export function metaWebhook(source: string, object: string, accountsOf: (body: unknown) => string[]): WebhookEndpoint {
  return {
    source,
    signatureHeader: 'X-Hub-Signature-256',
    describesBody: `"${object}" webhooks`,
    accountsOf: (body) => ((body as { object?: unknown } | null)?.object === object ? accountsOf(body) : null),
    verifySignature: (raw, signature, account) => verifyMetaSignature(raw, signature, account.secrets.appSecret ?? ''),
    handshakeParameters: ['hub.mode', 'hub.verify_token', 'hub.challenge'],
    answerHandshake(query, tokens) {
      const { 'hub.mode': mode, 'hub.verify_token': token, 'hub.challenge': challenge } = query;
      if (mode !== 'subscribe' || !token || challenge === undefined) return null;
      // Every token is compared, so the answer's timing does not tell which channel (if any) matched.
      const matches = tokens.map((configured) => verifyTokenMatches(token, configured)).some(Boolean);
      return matches ? challenge : null;
    },
  };
}
