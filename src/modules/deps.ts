// The ports use cases draw from; each use case declares the subset it needs with Pick<>.
import type { Store } from '../db/store.js';
import type { Clock } from '../domain/clock.js';
import { ChannelHomes } from './channel-homes.js';

export interface Deps {
  store: Store;
  clock: Clock;
  channelHomes: ChannelHomes;
  /**
   * Whether outgoing requests to admin-given URLs (webhooks, a live channel's Graph base URL and media) may
   * reach private, loopback and link-local addresses: PRIVATE_OUTBOUND_URLS=allow. Refused by default.
   */
  allowPrivateOutboundUrls: boolean;
}

export interface DepsOptions {
  /** PRIVATE_OUTBOUND_URLS=allow (config.allowPrivateOutboundUrls); false when absent. */
  allowPrivateOutboundUrls?: boolean;
}

/** Wires the ports of the engine around one store. */
export function createDeps(store: Store, clock: Clock, options: DepsOptions = {}): Deps {
  return { store, clock, channelHomes: new ChannelHomes(), allowPrivateOutboundUrls: options.allowPrivateOutboundUrls ?? false };
}
