// Downloading a customer's Instagram media (channels.md §B.1.1): the webhook carries a CDN link that
// expires, fetched as it is, without the channel's token (the link is signed, and the host is not Graph).
// Like Graph calls, it never reaches a private address unless the channel may (sandbox, or allowed).
import { outboundFetch } from '../../lib/outbound-guard.js';
import { mayReachPrivateAddresses } from '../meta/graph-account.js';
import type { MediaFetcher } from '../types.js';

const TIMEOUT_MS = 60_000;
// Instagram's largest attachments (video) are 25 MB; anything far larger is not a customer's file.
const MAX_BYTES = 100 * 1024 * 1024;

export const instagramMediaFetcher: MediaFetcher = {
  async fetch(account, url) {
    if (!/^https?:\/\//.test(url)) throw new Error('the attachment has no download link');
    const response = await outboundFetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) }, { allowPrivate: mayReachPrivateAddresses(account) });
    if (!response.ok) throw new Error(`Instagram's media host answered ${response.status}${response.status === 403 || response.status === 404 ? ' (the link has probably expired)' : ''}`);
    if (Number(response.headers.get('content-length') ?? 0) > MAX_BYTES) throw new Error('the file is larger than 100 MB');
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > MAX_BYTES) throw new Error('the file is larger than 100 MB');
    return { bytes, contentType: response.headers.get('content-type') };
  },
};
