// What a comment rule's automatic answers need to know to be sent once: an answer of that mode already
// queued by automation for the comment, and a skip already on the timeline.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/** The automation's answer of this mode to the comment, if one was queued (failed ones included: never twice). */
export async function automaticAnswerOf(trx: Kysely<Database>, channelId: string, commentId: string, mode: 'private' | 'public'): Promise<string | undefined> {
  const row = await trx
    .selectFrom('messages')
    .select('id')
    .where('channel_id', '=', channelId)
    .where('reply_to_provider_message_id', '=', commentId)
    .where('direction', '=', 'outbound')
    .where('author_kind', '=', 'system')
    .where('data', 'like', `%"mode":"${mode}"%`)
    .executeTakeFirst();
  return row?.id;
}

/** Whether the skip of this answer to the comment is already on the ticket's timeline. */
export async function skipRecorded(trx: Kysely<Database>, ticketId: string, commentId: string, answer: 'private' | 'public'): Promise<boolean> {
  const rows = await trx.selectFrom('ticket_events').select('data').where('ticket_id', '=', ticketId).where('type', '=', 'automation.skipped').execute();
  return rows.some((row) => {
    const data = JSON.parse(row.data ?? '{}') as { commentId?: string; answer?: string };
    return data.commentId === commentId && data.answer === answer;
  });
}
