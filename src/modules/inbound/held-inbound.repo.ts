// Messages held back for a person: a sender that could not be verified (`unverified_sender`: a forged From
// must not write into a customer's conversation), machine-written mail with no ticket to join (`automated`),
// mail naming no sender (`no_sender`). Kept as received in `inbound_payloads`, recorded here once per
// provider message id, listed for admins, and released into their ticket or discarded by a person.
import type { Kysely, Selectable } from 'kysely';
import type { ChannelRow, Database, InboundHeldTable } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';

export interface HeldInboundView {
  id: string;
  channelId: string;
  payloadId: string;
  providerMessageId: string;
  address: string;
  subject: string | null;
  reason: string;
  verdict: Record<string, unknown>;
  receivedAt: number;
  decision: 'released' | 'discarded' | null;
  decidedAt: number | null;
  decidedByUserId: string | null;
}

/** What is held, for the channel and stored delivery it came with. */
export interface NewHeldInbound {
  providerMessageId: string;
  address: string;
  subject: string | null;
  reason: string;
  verdict: Record<string, unknown>;
}

/** Records a held message of the delivery; a message held before (a delivery read again) is kept as it was. */
export async function holdInbound(db: Kysely<Database>, channel: Pick<ChannelRow, 'id' | 'workspace_id'>, delivery: { id: string }, held: NewHeldInbound, now: number): Promise<void> {
  await db
    .insertInto('inbound_held')
    .values({
      id: newId(),
      workspace_id: channel.workspace_id,
      channel_id: channel.id,
      payload_id: delivery.id,
      provider_message_id: held.providerMessageId,
      address: held.address,
      subject: held.subject,
      reason: held.reason,
      verdict: JSON.stringify(held.verdict),
      received_at: now,
      decided_at: null,
      decided_by_user_id: null,
      decision: null,
    })
    .onConflict((oc) => oc.columns(['channel_id', 'provider_message_id']).doNothing())
    .execute();
}

/**
 * What a person decided about a held message of the channel (held for `reason`, when given): null when it
 * was not held, or not decided yet.
 */
export async function decisionFor(db: Kysely<Database>, channelId: string, providerMessageId: string, reason?: string): Promise<'released' | 'discarded' | null> {
  const row = await db
    .selectFrom('inbound_held')
    .select('decision')
    .where('channel_id', '=', channelId)
    .where('provider_message_id', '=', providerMessageId)
    .$if(reason !== undefined, (qb) => qb.where('reason', '=', reason!))
    .executeTakeFirst();
  return row?.decision ?? null;
}

export async function findHeld(db: Kysely<Database>, workspaceId: string, id: string): Promise<HeldInboundView | undefined> {
  const row = await db.selectFrom('inbound_held').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? viewOf(row) : undefined;
}

/** Records the decision, once: false when the message was already decided. */
export async function decideHeld(db: Kysely<Database>, id: string, decision: 'released' | 'discarded', userId: string, now: number): Promise<boolean> {
  const result = await db.updateTable('inbound_held').set({ decision, decided_at: now, decided_by_user_id: userId }).where('id', '=', id).where('decision', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** A workspace's held messages, newest first, `limit` at most, of one channel when given. */
export async function listHeld(db: Kysely<Database>, workspaceId: string, options: { limit: number; channelId?: string }): Promise<HeldInboundView[]> {
  const rows = await db
    .selectFrom('inbound_held')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .$if(options.channelId !== undefined, (qb) => qb.where('channel_id', '=', options.channelId!))
    .orderBy('received_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit)
    .execute();
  return rows.map(viewOf);
}

function viewOf(r: Selectable<InboundHeldTable>): HeldInboundView {
  return {
    id: r.id,
    channelId: r.channel_id,
    payloadId: r.payload_id,
    providerMessageId: r.provider_message_id,
    address: r.address,
    subject: r.subject,
    reason: r.reason,
    verdict: JSON.parse(r.verdict) as Record<string, unknown>,
    receivedAt: Number(r.received_at),
    decision: r.decision,
    decidedAt: r.decided_at === null ? null : Number(r.decided_at),
    decidedByUserId: r.decided_by_user_id,
  };
}
