// Blocking a contact on a channel (spam numbers) and unblocking it. The block is kept on each of the
// contact's identities on that channel, so ingest learns it from the identity row it reads anyway: a
// blocked sender's deliveries are still acknowledged and kept as received, and each message is recorded
// in `inbound_blocked` instead of opening a ticket, adding a message or fetching media. A ticket that is
// already active stays as it is: agents can still reply to it and close it.
import type { UserActor } from '../../domain/actor.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { appendContactEvent, appendTimeline, publishRealtime } from '../../events/event.repo.js';
import type { Deps } from '../deps.js';
import { lockContact } from './contact.repo.js';

/** Which of the contact's addresses: all of them on a channel, or one address (its identity). */
export type BlockTarget = { channelId: string; identityId?: undefined } | { identityId: string; channelId?: undefined };

/**
 * Blocks (or unblocks) the contact's addresses on a channel. Idempotent: addresses already in the asked
 * state are left alone, and nothing is recorded when none changed. Each change adds a `contact.blocked` or
 * `contact.unblocked` event to the contact's timeline and to the timeline of its active ticket on the channel.
 */
export async function setContactBlocked(deps: Pick<Deps, 'store' | 'clock'>, actor: UserActor, contactId: string, target: BlockTarget, blocked: boolean): Promise<{ changed: boolean }> {
  return deps.store.unit(async (trx) => {
    const now = deps.clock.now();
    if (!(await lockContact(trx, actor.workspaceId, contactId, now))) throw notFound('The contact');
    let channelId: string;
    if (target.identityId !== undefined) {
      const identity = await trx.selectFrom('contact_identities').select('channel_id').where('id', '=', target.identityId).where('contact_id', '=', contactId).executeTakeFirst();
      if (!identity) throw notFound('The address');
      channelId = identity.channel_id;
    } else {
      const channel = await trx.selectFrom('channels').select('id').where('id', '=', target.channelId).where('workspace_id', '=', actor.workspaceId).executeTakeFirst();
      if (!channel) throw notFound('The channel');
      channelId = channel.id;
    }
    const identities = await trx
      .selectFrom('contact_identities')
      .select(['id', 'address', 'blocked_at'])
      .where('contact_id', '=', contactId)
      .where('channel_id', '=', channelId)
      .$if(target.identityId !== undefined, (qb) => qb.where('id', '=', target.identityId!))
      .orderBy('created_at')
      .execute();
    if (identities.length === 0) {
      throw new DomainError({ code: 'CONTACT_NOT_ON_CHANNEL', message: 'The contact has no address on this channel to block.', details: { channelId } });
    }
    const changing = identities.filter((i) => (i.blocked_at !== null) !== blocked);
    if (changing.length === 0) return { changed: false };
    await trx
      .updateTable('contact_identities')
      .set(blocked ? { blocked_at: now, blocked_by_user_id: actor.userId } : { blocked_at: null, blocked_by_user_id: null })
      .where('id', 'in', changing.map((i) => i.id))
      .execute();
    const type = blocked ? 'contact.blocked' : 'contact.unblocked';
    const userActor = { kind: 'user', userId: actor.userId, workspaceId: actor.workspaceId } as const;
    await appendContactEvent(trx, { id: contactId, workspaceId: actor.workspaceId }, userActor, { type, data: { channelId, identityIds: changing.map((i) => i.id), addresses: changing.map((i) => i.address) } }, now);
    const active = await trx
      .selectFrom('tickets')
      .select(['id', 'number', 'workspace_id'])
      .where('contact_id', '=', contactId)
      .where('channel_id', '=', channelId)
      .where('status', '<>', 'closed')
      .executeTakeFirst();
    if (active) {
      await appendTimeline(trx, active, userActor, [{ type, data: { contactId, channelId } }], now);
      await publishRealtime(trx, actor.workspaceId, [{ type: 'ticket.updated', payload: { ticketId: active.id, number: active.number } }], now);
    }
    return { changed: true };
  });
}
