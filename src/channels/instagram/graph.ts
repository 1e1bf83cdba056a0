// Instagram's side of the Graph API (channels.md §B.0): graph.instagram.com by default, or the channel's
// own base URL (a local fake), and the lookups the inbox makes besides sending: a customer's profile and
// the media a comment was left on. Lookups are best effort: callers carry on without them.
import { graphAccountOf } from '../meta/graph-account.js';
import { graphJson, type GraphAccount } from '../meta/graph-client.js';
import type { ChannelAccount } from '../types.js';

export const INSTAGRAM_GRAPH_BASE_URL = 'https://graph.instagram.com';
// A lookup holds up the customer's message, so it gets little time.
const LOOKUP_TIMEOUT_MS = 3_000;

/** The Graph settings of an Instagram channel. */
export function instagramGraphOf(account: ChannelAccount): GraphAccount {
  return graphAccountOf(account, INSTAGRAM_GRAPH_BASE_URL);
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** A customer's name and username by Instagram-scoped id; null when Instagram does not give them. */
export async function fetchInstagramProfile(account: ChannelAccount, igsid: string): Promise<{ name: string | null; username: string | null } | null> {
  const graph = instagramGraphOf(account);
  if (!graph.accessToken) return null;
  const profile = await graphJson<{ name?: unknown; username?: unknown } | null>(graph, { path: `/${encodeURIComponent(igsid)}`, query: { fields: 'name,username' }, timeoutMs: LOOKUP_TIMEOUT_MS });
  const found = { name: text(profile?.name), username: text(profile?.username) };
  return found.name || found.username ? found : null;
}

/** Where the brand's media (a post a comment was left on) can be opened; null when unknown. */
export async function fetchInstagramPermalink(account: ChannelAccount, mediaId: string): Promise<string | null> {
  const graph = instagramGraphOf(account);
  if (!graph.accessToken) return null;
  const media = await graphJson<{ permalink?: unknown } | null>(graph, { path: `/${encodeURIComponent(mediaId)}`, query: { fields: 'permalink' }, timeoutMs: LOOKUP_TIMEOUT_MS });
  return text(media?.permalink);
}
