// Applying a provider's delivery receipt to our outbound message: statuses only move forward, a
// failure records the provider's code and reason on the message and in the ticket's timeline.
import type { DeliveryStatusUpdate } from '../../channels/types.js';
import { advanceDeliveryStatus, type OutboundStatus } from '../../domain/delivery-status.js';
import { appendTimeline, publishRealtime } from '../../events/event.repo.js';
import type { Deps } from '../deps.js';
import { completeWaitingItemsOf, SEND_TOPIC } from '../queue/outbox.repo.js';

export type ReceiptOutcome = 'applied' | 'unchanged' | 'unknown';

/** Applies a receipt; 'unknown' when no outbound message of the channel carries that id (yet). */
export async function applyDeliveryReceipt(deps: Pick<Deps, 'store' | 'clock'>, channelId: string, receipt: DeliveryStatusUpdate): Promise<ReceiptOutcome> {
  // Another process may apply a receipt of the same message at the same moment: the status is only
  // changed from the value this unit read, and read again when it moved meanwhile.
  for (;;) {
    const outcome = await applyOnce(deps, channelId, receipt);
    if (outcome !== 'moved') return outcome;
  }
}

async function applyOnce(deps: Pick<Deps, 'store' | 'clock'>, channelId: string, receipt: DeliveryStatusUpdate): Promise<ReceiptOutcome | 'moved'> {
  return deps.store.unit(async (trx) => {
    const byProviderId = await trx
      .selectFrom('messages')
      .select(['id', 'ticket_id', 'workspace_id', 'status', 'provider_message_id'])
      .where('channel_id', '=', channelId)
      .where('provider_message_id', '=', receipt.providerMessageId)
      .where('direction', '=', 'outbound')
      .executeTakeFirst();
    // The receipt may overtake the send's own answer; the provider echoes our id back for that case.
    const message =
      byProviderId ??
      (receipt.messageId
        ? await trx
            .selectFrom('messages')
            .select(['id', 'ticket_id', 'workspace_id', 'status', 'provider_message_id'])
            .where('channel_id', '=', channelId)
            .where('id', '=', receipt.messageId)
            .where('direction', '=', 'outbound')
            .executeTakeFirst()
        : undefined);
    if (!message) return 'unknown';
    const next = advanceDeliveryStatus(message.status as OutboundStatus, receipt.status);
    if (!next) return 'unchanged';
    const now = deps.clock.now();
    const updated = await trx
      .updateTable('messages')
      .set({
        status: next,
        provider_message_id: message.provider_message_id ?? receipt.providerMessageId,
        ...(next === 'failed' ? { error_code: receipt.error?.code ?? 'unknown', error_message: receipt.error?.message ?? 'The provider reported a failure.' } : {}),
      })
      .where('id', '=', message.id)
      .where('status', '=', message.status)
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) return 'moved';
    // A receipt for a send whose answer never came (a timeout after the provider accepted it): the message
    // is out, so its retry must not send it again.
    if (message.provider_message_id === null) await completeWaitingItemsOf(trx, message.id, SEND_TOPIC, now);
    const ticket = { id: message.ticket_id, workspace_id: message.workspace_id };
    if (next === 'failed') {
      await appendTimeline(trx, ticket, { kind: 'system' }, [{ type: 'message.failed', data: { messageId: message.id, code: receipt.error?.code ?? 'unknown', message: receipt.error?.message ?? 'The provider reported a failure.' } }], now);
    }
    await publishRealtime(trx, message.workspace_id, [{ type: 'message.status', payload: { ticketId: message.ticket_id, messageId: message.id, status: next } }], now);
    return 'applied';
  });
}

/**
 * The customer read the thread up to one of our messages (Instagram's `read`): it and our earlier
 * messages of its ticket are read, each moving forward only. 'unknown' when that message is not stored (yet).
 */
export async function applyReadUpTo(deps: Pick<Deps, 'store' | 'clock'>, channelId: string, read: { providerMessageId: string; at: number }): Promise<ReceiptOutcome> {
  const target = await deps.store.db
    .selectFrom('messages')
    .select(['ticket_id', 'created_at'])
    .where('channel_id', '=', channelId)
    .where('provider_message_id', '=', read.providerMessageId)
    .executeTakeFirst();
  if (!target) return 'unknown';
  const unread = await deps.store.db
    .selectFrom('messages')
    .select('provider_message_id')
    .where('ticket_id', '=', target.ticket_id)
    .where('direction', '=', 'outbound')
    .where('status', 'in', ['sent', 'delivered'])
    .where('created_at', '<=', target.created_at)
    .where('provider_message_id', 'is not', null)
    .execute();
  let outcome: ReceiptOutcome = 'unchanged';
  for (const message of unread) {
    if ((await applyDeliveryReceipt(deps, channelId, { providerMessageId: message.provider_message_id!, status: 'read', at: read.at })) === 'applied') outcome = 'applied';
  }
  return outcome;
}
