// What Instagram tells about new customers (name, username) and the post a comment was left on, added
// to their messages before they are stored. Lookups are best effort: a refusal or timeout never holds a
// message back.
import { HOUR } from '../../domain/clock.js';
import type { EnrichContext } from '../adapter.js';
import type { CustomerMessage } from '../inbound-events.js';
import type { ChannelAccount } from '../types.js';
import { fetchInstagramPermalink, fetchInstagramProfile } from './graph.js';

// A profile Instagram would not give is not asked for again for a while.
const PROFILE_RETRY_MS = HOUR;

export async function enrichInstagramMessages(account: ChannelAccount, messages: CustomerMessage[], context: EnrichContext): Promise<CustomerMessage[]> {
  // A sandbox channel has no Instagram account to ask (unless pointed at a fake Graph API).
  if (messages.length === 0 || (account.sandbox && !account.settings.graphBaseUrl)) return messages;
  const profiles = new Map<string, { name: string | null; username: string | null } | null>();
  const known = await context.knownAddresses([...new Set(messages.map((m) => m.contact.address))]);
  for (const address of new Set(messages.filter((m) => !m.contact.username).map((m) => m.contact.address))) {
    if (known.has(address) || !context.mayAsk(`${account.channelId}:${address}`, PROFILE_RETRY_MS)) continue;
    profiles.set(address, await fetchInstagramProfile(account, address).catch((error: unknown) => context.lookupFailed('profile', error)));
  }
  return Promise.all(
    messages.map(async (message) => {
      const profile = profiles.get(message.contact.address);
      const withProfile = profile ? { ...message, contact: { ...message.contact, displayName: profile.name, username: profile.username } } : message;
      return message.kind === 'comment' ? withPermalink(account, withProfile, context) : withProfile;
    }),
  );
}

async function withPermalink(account: ChannelAccount, message: CustomerMessage, context: EnrichContext): Promise<CustomerMessage> {
  const comment = message.data?.comment as { mediaId?: string | null; permalink?: string | null } | undefined;
  if (!comment?.mediaId || comment.permalink) return message;
  const permalink = await fetchInstagramPermalink(account, comment.mediaId).catch((error: unknown) => context.lookupFailed('media permalink', error));
  return permalink ? { ...message, data: { ...message.data, comment: { ...comment, permalink } } } : message;
}
