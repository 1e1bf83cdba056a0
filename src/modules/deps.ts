// The ports use cases draw from; each use case declares the subset it needs with Pick<>.
import type { Store } from '../db/store.js';
import type { Clock } from '../domain/clock.js';
import { ChannelHomes } from './channels/channel.repo.js';

export interface Deps {
  store: Store;
  clock: Clock;
  channelHomes: ChannelHomes;
}

/** Wires the ports of the engine around one store. */
export function createDeps(store: Store, clock: Clock): Deps {
  return { store, clock, channelHomes: new ChannelHomes() };
}
