// A customer's reaction belongs to the message it reacts to, not to the thread as a new message.
import type { ReactionUpdate } from '../../channels/types.js';
import { publishRealtime } from '../../events/event.repo.js';
import { fromJson, toJson } from '../../lib/json.js';
import type { Deps } from '../deps.js';

type Reactions = Record<string, { emoji: string; at: number }>;

/** Records (or, with no emoji, removes) the reactor's reaction; false when the message is unknown. */
export async function applyReaction(deps: Pick<Deps, 'store' | 'clock'>, channelId: string, reaction: ReactionUpdate): Promise<boolean> {
  return deps.store.unit(async (trx) => {
    const message = await trx
      .selectFrom('messages')
      .select(['id', 'ticket_id', 'workspace_id', 'data'])
      .where('channel_id', '=', channelId)
      .where('provider_message_id', '=', reaction.targetProviderMessageId)
      .executeTakeFirst();
    if (!message) return false;
    const data = fromJson<Record<string, unknown>>(message.data) ?? {};
    const reactions = { ...(data.reactions as Reactions | undefined) };
    const previous = reactions[reaction.from];
    // Receipts of reactions arrive unordered too: an older change never replaces a newer one.
    if (previous && previous.at > reaction.at) return true;
    if (reaction.emoji) reactions[reaction.from] = { emoji: reaction.emoji, at: reaction.at };
    else delete reactions[reaction.from];
    await trx.updateTable('messages').set({ data: toJson({ ...data, reactions }) }).where('id', '=', message.id).execute();
    await publishRealtime(trx, message.workspace_id, [{ type: 'message.updated', payload: { ticketId: message.ticket_id, messageId: message.id } }], deps.clock.now());
    return true;
  });
}
