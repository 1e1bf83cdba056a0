// The Instagram sender: one Graph call per message, to the Send API or, for a public answer to a comment,
// under the comment. Live channels use it, and sandbox channels whose settings point the Graph base URL at
// a local fake. It never logs: the account carries the channel's access token.
import { hasOwnGraphBaseUrl } from '../meta/graph-account.js';
import { graphJson } from '../meta/graph-client.js';
import type { ChannelAccount, ChannelSender, OutboundSend, SendResult } from '../types.js';
import { instagramGraphOf } from './graph.js';
import { buildInstagramRequest, classifyInstagramFailure } from './outbound.js';

export interface InstagramSenderOptions {
  /** How long one Graph call may take before it counts as a timeout (retried); the client's default otherwise. */
  timeoutMs?: number;
}

export function instagramSender(options: InstagramSenderOptions = {}): ChannelSender {
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  return {
    async send(message: OutboundSend): Promise<SendResult> {
      const graph = instagramGraphOf(message.account);
      if (!graph.accessToken) {
        return { ok: false, retryable: true, channelNeedsAttention: true, code: 'ACCESS_TOKEN_MISSING', message: 'The channel has no Instagram access token; an admin needs to add one. Messages wait until then.' };
      }
      const built = buildInstagramRequest(message);
      if (!built.ok) return built;
      const { request } = built;
      try {
        const id =
          request.kind === 'public-reply'
            ? (await graphJson<{ id?: string } | null>(graph, { method: 'POST', path: `/${encodeURIComponent(request.commentId)}/replies`, query: { message: request.message }, ...timeout }))?.id
            : (await graphJson<{ message_id?: string } | null>(graph, { method: 'POST', path: `/${message.account.accountId}/messages`, json: request.body, ...timeout }))?.message_id;
        // Accepted without an id: sending again could deliver it twice, so it is recorded as failed.
        if (!id) return { ok: false, retryable: false, code: 'UNEXPECTED_ANSWER', message: 'Instagram accepted the message without giving its id; check the conversation in Instagram before sending it again.' };
        return { ok: true, providerMessageId: id };
      } catch (error) {
        return classifyInstagramFailure(error);
      }
    },

    servesSandbox(account: ChannelAccount): boolean {
      return hasOwnGraphBaseUrl(account);
    },
  };
}
