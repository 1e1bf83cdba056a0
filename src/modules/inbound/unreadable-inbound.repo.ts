// Parts of provider payloads that did not match the provider's documented types: recorded once per part
// (a payload read again records nothing new), listed for the workspace's admins.
import type { Kysely } from 'kysely';
import type { UnreadableItem } from '../../channels/types.js';
import type { ChannelRow, Database } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';
import type { InboundPayload } from './inbound-payload.repo.js';

/** Records the unreadable parts of a payload that are for one channel. */
export async function recordUnreadable(db: Kysely<Database>, channel: Pick<ChannelRow, 'id' | 'workspace_id'>, payload: Pick<InboundPayload, 'id' | 'received_at'>, items: UnreadableItem[], now: number): Promise<void> {
  if (items.length === 0) return;
  await db
    .insertInto('inbound_unreadable')
    .values(
      items.map((item) => ({
        id: newId(),
        workspace_id: channel.workspace_id,
        channel_id: channel.id,
        payload_id: payload.id,
        item: item.item,
        provider_message_id: item.providerMessageId,
        reason: item.reason.slice(0, 2000),
        received_at: payload.received_at,
        recorded_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(['payload_id', 'item']).doNothing())
    .execute();
}

export interface UnreadableInboundView {
  id: string;
  payloadId: string;
  source: string;
  channelId: string;
  item: string;
  providerMessageId: string | null;
  reason: string;
  receivedAt: number;
}

/** A workspace's unreadable parts, newest first, `limit` at most, of one channel when given. */
export async function listUnreadable(db: Kysely<Database>, workspaceId: string, options: { limit: number; channelId?: string }): Promise<UnreadableInboundView[]> {
  const rows = await db
    .selectFrom('inbound_unreadable as u')
    .innerJoin('inbound_payloads as p', 'p.id', 'u.payload_id')
    .select(['u.id', 'u.payload_id', 'p.source', 'u.channel_id', 'u.item', 'u.provider_message_id', 'u.reason', 'u.received_at'])
    .where('u.workspace_id', '=', workspaceId)
    .$if(options.channelId !== undefined, (qb) => qb.where('u.channel_id', '=', options.channelId!))
    .orderBy('u.received_at', 'desc')
    .orderBy('u.id', 'desc')
    .limit(options.limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    payloadId: r.payload_id,
    source: r.source,
    channelId: r.channel_id,
    item: r.item,
    providerMessageId: r.provider_message_id,
    reason: r.reason,
    receivedAt: Number(r.received_at),
  }));
}
