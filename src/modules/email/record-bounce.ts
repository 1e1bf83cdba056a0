// A bounce marks the outbound message it returns as failed, with the reason the receiving server gave.
import type { ParsedEmail } from '../../channels/email/parse-email.js';
import { failureReason } from '../../channels/email/delivery-report.js';
import { readBounceToken } from '../../channels/email/threading-keys.js';
import type { ChannelRow } from '../../db/schema.js';
import { appendTimeline, publishRealtime } from '../../events/event.repo.js';
import type { Deps } from '../deps.js';

/**
 * Finds our message by the VERP address the bounce came to, else by the Message-ID in its returned headers, and
 * marks it failed. Returns false when the bounce names no outbound message of the channel.
 */
export async function recordBounce(deps: Pick<Deps, 'store' | 'clock'>, channel: ChannelRow, mail: ParsedEmail): Promise<boolean> {
  const failure = mail.deliveryFailure;
  if (!failure) return false;
  const verpMessageId = readBounceToken([...mail.deliveredTo, ...mail.to], channel.external_id);
  const reason = failureReason(failure);
  return deps.store.unit(async (trx) => {
    const base = trx.selectFrom('messages').select(['id', 'ticket_id', 'workspace_id']).where('channel_id', '=', channel.id).where('direction', '=', 'outbound');
    const message =
      (verpMessageId ? await base.where('id', '=', verpMessageId).executeTakeFirst() : undefined) ??
      (failure.originalMessageId ? await base.where('provider_message_id', '=', failure.originalMessageId).executeTakeFirst() : undefined);
    if (!message) return false;
    const now = deps.clock.now();
    await trx.updateTable('messages').set({ status: 'failed', error_code: reason.code, error_message: reason.message }).where('id', '=', message.id).execute();
    const ticket = { id: message.ticket_id, workspace_id: message.workspace_id };
    await appendTimeline(trx, ticket, { kind: 'system' }, [{ type: 'message.failed', data: { messageId: message.id, code: reason.code, message: reason.message } }], now);
    await publishRealtime(trx, message.workspace_id, [{ type: 'message.status', payload: { ticketId: message.ticket_id, messageId: message.id, status: 'failed' } }], now);
    return true;
  });
}
