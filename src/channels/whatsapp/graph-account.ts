// A WhatsApp channel's account as the Graph client needs it: where Graph answers (Meta, or a local fake
// in tests and the sandbox), which version to speak, and the bearer token.
import type { ChannelAccount } from '../types.js';
import type { GraphAccount } from '../meta/graph-client.js';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export function graphAccountOf(account: ChannelAccount): GraphAccount {
  return { baseUrl: text(account.settings.graphBaseUrl), apiVersion: text(account.settings.graphApiVersion), accessToken: account.secrets.accessToken ?? '' };
}

/** Whether the channel's Graph calls go somewhere other than Meta (a local fake). */
export function hasOwnGraphBaseUrl(account: ChannelAccount): boolean {
  return text(account.settings.graphBaseUrl) !== undefined;
}

/** The business number messages go out from. */
export function phoneNumberIdOf(account: ChannelAccount): string {
  return text(account.settings.phoneNumberId) ?? account.accountId;
}

/** The WhatsApp Business Account that owns the number's templates, if set. */
export function businessAccountIdOf(account: ChannelAccount): string | undefined {
  return text(account.settings.businessAccountId);
}
