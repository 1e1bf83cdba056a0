// A message that belongs to no sender (mail naming no usable address) cannot reach a ticket; it is held in
// `inbound_held` so an admin sees it was received, and can only be discarded (decide-held.ts).
import type { UnattributedMessage } from '../../channels/inbound-events.js';
import type { ChannelRow } from '../../db/schema.js';
import type { Deps } from '../deps.js';
import { holdInbound } from './held-inbound.repo.js';

export async function holdUnattributed(deps: Pick<Deps, 'store' | 'clock'>, channel: ChannelRow, message: UnattributedMessage, delivery: { id: string }): Promise<{ outcome: 'held'; reason: string }> {
  await holdInbound(
    deps.store.db,
    channel,
    delivery,
    {
      providerMessageId: message.providerMessageId,
      // No sender: the column keeps an empty address, which the list shows as "no sender".
      address: '',
      subject: message.subject,
      reason: message.reason,
      verdict: { summary: message.summary },
    },
    deps.clock.now(),
  );
  return { outcome: 'held', reason: message.reason };
}
