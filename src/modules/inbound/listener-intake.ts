// The listeners of channels whose providers deliver to a port of ours (mail by SMTP), wired to the store:
// each takes deliveries for the workspace's accounts only and stores them before answering the sender.
import type { ChannelAdapter } from '../../channels/adapter.js';
import type { Logger } from '../../lib/logger.js';
import type { Deps } from '../deps.js';
import { findChannelForRecipient, storeListenerDelivery } from './receive-mail.js';

export interface ListenerIntakeOptions {
  host: string;
  port: number;
  maxBytes: number;
}

/** Starts the adapter's listener; close() stops it. `onStored` is told when a delivery was stored, to process it at once. */
export function startListenerIntake(deps: Pick<Deps, 'store' | 'clock'>, adapter: ChannelAdapter, options: ListenerIntakeOptions, logger: Logger, onStored?: () => void): Promise<{ port: number; close(): Promise<void> }> {
  if (!adapter.listener) throw new Error(`${adapter.kind} channels have no listener`);
  const { source } = adapter.listener;
  return adapter.listener.start({
    ...options,
    acceptsRecipient: async (address) => (await findChannelForRecipient(deps.store.db, adapter, address)) !== undefined,
    store: async (raw, envelope) => {
      const ids = await storeListenerDelivery(deps, adapter, source, raw, envelope);
      logger.info({ payloadIds: ids, bytes: raw.length }, `${adapter.kind} received by its listener`);
      onStored?.();
    },
    onStoreError: (error) => logger.error({ err: error }, `storing a ${adapter.kind} delivery the listener received failed; the sender was told to retry`),
  });
}
