// Comments recorded without a ticket (comment rules, domain/comment-rules.ts): one row per comment, and an
// entry on the contact's timeline the first time it is recorded (a redelivery records nothing new).
import type { Kysely } from 'kysely';
import type { InboundMessage } from '../../channels/types.js';
import type { Database } from '../../db/schema.js';
import { appendContactEvent } from '../../events/event.repo.js';
import { newId } from '../../lib/ids.js';
import type { ResolvedIdentity } from '../contacts/resolve-identity.js';

export interface CommentToRecord {
  workspaceId: string;
  identity: ResolvedIdentity;
  address: string;
  message: InboundMessage;
  /** The rule that recorded it, and the post it is under. */
  recordOnly: NonNullable<InboundMessage['recordOnly']>;
}

export async function recordComment(trx: Kysely<Database>, { workspaceId, identity, address, message, recordOnly }: CommentToRecord, now: number): Promise<void> {
  const { ruleId, mediaId, permalink } = recordOnly;
  const inserted = await trx
    .insertInto('recorded_comments')
    .values({
      id: newId(),
      workspace_id: workspaceId,
      channel_id: message.channelId,
      contact_id: identity.contactId,
      address,
      provider_message_id: message.providerMessageId,
      body: message.body ?? null,
      media_id: mediaId,
      permalink,
      rule_id: ruleId,
      commented_at: Number.isFinite(message.sentAt) ? message.sentAt : now,
      received_at: now,
    })
    .onConflict((oc) => oc.columns(['channel_id', 'provider_message_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return;
  await appendContactEvent(
    trx,
    { id: identity.contactId, workspaceId },
    { kind: 'customer' },
    { type: 'comment.recorded', data: { channelId: message.channelId, commentId: message.providerMessageId, body: message.body ?? null, permalink, ruleId } },
    now,
  );
}
