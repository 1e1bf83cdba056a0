// A channel whose provider refused its credentials (WhatsApp error 190) needs an admin. Until its secrets
// are replaced its outgoing messages wait in the queue: they are not failed, because nothing is wrong
// with them, and they go out as soon as the admin has fixed the channel.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { SEND_TOPIC } from '../queue/outbox.repo.js';

/**
 * Flags the channel, keeping the first time it was flagged. Only while it still has the version the
 * refused send used (`updatedAt`): an admin may have replaced the secrets since. Returns whether it is flagged.
 */
export async function flagChannelForAttention(trx: Kysely<Database>, channelId: string, updatedAt: number, reason: string, now: number): Promise<boolean> {
  const result = await trx
    .updateTable('channels')
    .set((eb) => ({ attention_reason: reason, needs_attention_since: eb.fn.coalesce('needs_attention_since', eb.val(now)) }))
    .where('id', '=', channelId)
    .where('updated_at', '=', updatedAt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Clears the flag and makes the channel's waiting messages due at once. */
export async function clearChannelAttention(trx: Kysely<Database>, channelId: string, now: number): Promise<void> {
  await trx.updateTable('channels').set({ attention_reason: null, needs_attention_since: null }).where('id', '=', channelId).execute();
  await trx
    .updateTable('outbox')
    .set({ available_at: now })
    .where('channel_id', '=', channelId)
    .where('topic', '=', SEND_TOPIC)
    .where('done_at', 'is', null)
    .where('available_at', '>', now)
    .execute();
}
