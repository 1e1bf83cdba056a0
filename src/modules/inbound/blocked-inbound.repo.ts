// Messages from senders an agent blocked on a channel: acknowledged and kept as received in
// `inbound_payloads`, recorded here once per provider message id by ingest (instead of opening a ticket),
// listed for the workspace's admins.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface BlockedInboundView {
  id: string;
  channelId: string;
  contactId: string;
  identityId: string;
  address: string;
  providerMessageId: string;
  kind: string;
  receivedAt: number;
}

/** A workspace's blocked messages, newest first, `limit` at most, of one channel when given. */
export async function listBlocked(db: Kysely<Database>, workspaceId: string, options: { limit: number; channelId?: string }): Promise<BlockedInboundView[]> {
  const rows = await db
    .selectFrom('inbound_blocked')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .$if(options.channelId !== undefined, (qb) => qb.where('channel_id', '=', options.channelId!))
    .orderBy('received_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    channelId: r.channel_id,
    contactId: r.contact_id,
    identityId: r.identity_id,
    address: r.address,
    providerMessageId: r.provider_message_id,
    kind: r.kind,
    receivedAt: Number(r.received_at),
  }));
}
