// A Meta channel's account as the Graph client needs it: where Graph answers (Meta, or a local fake in
// tests and the sandbox), which version to speak, and the bearer token.
import type { ChannelAccount } from '../types.js';
import { DEFAULT_GRAPH_BASE_URL, type GraphAccount } from './graph-client.js';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The Graph settings of a channel; `defaultBaseUrl` is Meta's host for the channel's product. */
export function graphAccountOf(account: ChannelAccount, defaultBaseUrl = DEFAULT_GRAPH_BASE_URL): GraphAccount {
  return {
    baseUrl: text(account.settings.graphBaseUrl) ?? defaultBaseUrl,
    apiVersion: text(account.settings.graphApiVersion),
    accessToken: account.secrets.accessToken ?? '',
    allowPrivateAddresses: mayReachPrivateAddresses(account),
  };
}

/**
 * Whether the channel's provider calls may reach private, loopback and link-local addresses: a sandbox
 * channel's fake provider runs on loopback; a live channel's only with PRIVATE_OUTBOUND_URLS=allow.
 */
export function mayReachPrivateAddresses(account: ChannelAccount): boolean {
  return account.sandbox || account.allowPrivateAddresses === true;
}

/** Whether the channel's Graph calls go somewhere other than Meta (a local fake). */
export function hasOwnGraphBaseUrl(account: ChannelAccount): boolean {
  return text(account.settings.graphBaseUrl) !== undefined;
}
