// A bounce marks the outbound message it returns as failed, with the reason the receiving server gave.
import type { BounceReport } from '../../channels/inbound-events.js';
import type { ChannelRow } from '../../db/schema.js';
import { appendTimeline, publishRealtime } from '../../events/event.repo.js';
import type { Deps } from '../deps.js';

/**
 * Finds our message by the id the report came back to (VERP), else by the provider id it quotes, and
 * marks it failed. Returns false when the report names no outbound message of the channel.
 */
export async function recordBounce(deps: Pick<Deps, 'store' | 'clock'>, channel: ChannelRow, bounce: BounceReport): Promise<boolean> {
  return deps.store.unit(async (trx) => {
    const base = trx.selectFrom('messages').select(['id', 'ticket_id', 'workspace_id']).where('channel_id', '=', channel.id).where('direction', '=', 'outbound');
    const message =
      (bounce.messageId ? await base.where('id', '=', bounce.messageId).executeTakeFirst() : undefined) ??
      (bounce.providerMessageId ? await base.where('provider_message_id', '=', bounce.providerMessageId).executeTakeFirst() : undefined);
    if (!message) return false;
    const now = deps.clock.now();
    await trx.updateTable('messages').set({ status: 'failed', error_code: bounce.code, error_message: bounce.message }).where('id', '=', message.id).execute();
    const ticket = { id: message.ticket_id, workspace_id: message.workspace_id };
    await appendTimeline(trx, ticket, { kind: 'system' }, [{ type: 'message.failed', data: { messageId: message.id, code: bounce.code, message: bounce.message } }], now);
    await publishRealtime(trx, message.workspace_id, [{ type: 'message.status', payload: { ticketId: message.ticket_id, messageId: message.id, status: 'failed' } }], now);
    return true;
  });
}
