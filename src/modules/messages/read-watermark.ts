// A read that gives only a time (Instagram's `read.watermark`): the customer has read every message we
// sent them on the channel up to then.
import type { Deps } from '../deps.js';
import { applyDeliveryReceipt, type ReceiptOutcome } from './delivery-receipts.js';

/** Marks our messages to the customer at `address` on the channel, sent at or before `watermark`, as read (each moving forward only). */
export async function applyReadUntil(deps: Pick<Deps, 'store' | 'clock'>, channelId: string, read: { address: string; watermark: number; at: number }): Promise<ReceiptOutcome> {
  const unread = await deps.store.db
    .selectFrom('messages')
    .innerJoin('tickets', 'tickets.id', 'messages.ticket_id')
    .innerJoin('contact_identities', (join) => join.onRef('contact_identities.contact_id', '=', 'tickets.contact_id').onRef('contact_identities.channel_id', '=', 'messages.channel_id'))
    .select('messages.provider_message_id')
    .where('messages.channel_id', '=', channelId)
    .where('contact_identities.address', '=', read.address)
    .where('messages.direction', '=', 'outbound')
    .where('messages.status', 'in', ['sent', 'delivered'])
    .where('messages.provider_message_id', 'is not', null)
    .where('messages.created_at', '<=', read.watermark)
    .execute();
  let outcome: ReceiptOutcome = 'unchanged';
  for (const message of unread) {
    if ((await applyDeliveryReceipt(deps, channelId, { providerMessageId: message.provider_message_id!, status: 'read', at: read.at })) === 'applied') outcome = 'applied';
  }
  return outcome;
}
