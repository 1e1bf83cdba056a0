// A customer unsent a message: it stays in the thread, marked as unsent, and its content is removed
// unless the channel keeps unsent content for audits (Instagram's `keepUnsentContent` setting).
import { publishRealtime } from '../../events/event.repo.js';
import { fromJson, toJson } from '../../lib/json.js';
import type { Deps } from '../deps.js';

export interface UnsendReport {
  providerMessageId: string;
  at: number;
}

/**
 * Marks the message unsent; returns the storage keys of the files it no longer shows (for the caller to
 * delete once committed), or null when the message is unknown (yet).
 */
export async function applyUnsend(deps: Pick<Deps, 'store' | 'clock'>, channelId: string, report: UnsendReport, keepContent: boolean): Promise<string[] | null> {
  return deps.store.unit(async (trx) => {
    const message = await trx
      .selectFrom('messages')
      .select(['id', 'ticket_id', 'workspace_id', 'data'])
      .where('channel_id', '=', channelId)
      .where('provider_message_id', '=', report.providerMessageId)
      .executeTakeFirst();
    if (!message) return null;
    const data = fromJson<Record<string, unknown>>(message.data) ?? {};
    if (data.unsent) return [];
    const blanked = keepContent ? {} : { body: null, html: null, attachments: null };
    await trx.updateTable('messages').set({ ...blanked, data: toJson({ ...data, unsent: { at: report.at, contentKept: keepContent } }) }).where('id', '=', message.id).execute();
    let removed: string[] = [];
    if (!keepContent) {
      const files = await trx.deleteFrom('attachments').where('message_id', '=', message.id).returning('storage_key').execute();
      removed = files.map((f) => f.storage_key);
    }
    await publishRealtime(trx, message.workspace_id, [{ type: 'message.updated', payload: { ticketId: message.ticket_id, messageId: message.id } }], deps.clock.now());
    return removed;
  });
}
