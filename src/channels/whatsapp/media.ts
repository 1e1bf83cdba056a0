// Downloading a customer's media (channels.md §A.7): the media id resolves to a short-lived URL, which
// is fetched with the same bearer token.
// Both calls carry the token, so both are kept from private addresses like every Graph call.
import type { MediaFetcher } from '../types.js';
import { graphBytes, graphJson } from '../meta/graph-client.js';
import { graphAccountOf } from './graph-account.js';

export const whatsappMediaFetcher: MediaFetcher = {
  async fetch(account, mediaId) {
    const graph = graphAccountOf(account);
    const media = await graphJson<{ url?: string; mime_type?: string }>(graph, { path: `/${encodeURIComponent(mediaId)}`, query: { phone_number_id: account.accountId } });
    if (!media?.url) throw new Error(`the media ${mediaId} has no download address`);
    const { bytes, contentType } = await graphBytes(graph, { path: media.url, timeoutMs: 60_000 });
    return { bytes, contentType: media.mime_type ?? contentType };
  },
};
