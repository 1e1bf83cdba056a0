// Downloading a customer's media (channels.md §A.7): the media id resolves to a short-lived URL, which
// is fetched with the same bearer token.
import type { ChannelAccount, MediaFetcher } from '../types.js';
import { graphBytes, graphJson, type GraphAccount } from '../meta/graph-client.js';

/** The Graph settings of a WhatsApp channel. */
export function graphAccountOf(account: ChannelAccount): GraphAccount {
  return {
    baseUrl: account.settings.graphBaseUrl as string | undefined,
    apiVersion: account.settings.graphApiVersion as string | undefined,
    accessToken: account.secrets.accessToken ?? '',
  };
}

export const whatsappMediaFetcher: MediaFetcher = {
  async fetch(account, mediaId) {
    const graph = graphAccountOf(account);
    const media = await graphJson<{ url?: string; mime_type?: string }>(graph, { path: `/${encodeURIComponent(mediaId)}`, query: { phone_number_id: account.accountId } });
    if (!media?.url) throw new Error(`the media ${mediaId} has no download address`);
    const { bytes, contentType } = await graphBytes(graph, { path: media.url, timeoutMs: 60_000 });
    return { bytes, contentType: media.mime_type ?? contentType };
  },
};
